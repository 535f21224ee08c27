"""Resident pages of bookings (``/reservations/``): agendas and their availability,
booking forms, a booking's page and its actions. The modules are imported by
:mod:`parvis.bookings.urls`."""
