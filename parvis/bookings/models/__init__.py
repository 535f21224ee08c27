"""Booking models: agendas of three kinds, and the bookings made in them.

Invariants (enforced by :mod:`parvis.bookings.services`, never by ``save()``):

* ``Session.taken`` = places held by bookings in ``HELD``, ``OFFERED``,
  ``PENDING_APPROVAL`` or ``CONFIRMED`` in that session; always ``<= capacity``.
  ``TicketCategory.taken`` likewise against its ``quota``.
* Two bookings in an "occupying" status of one resource (or one desk) never overlap in
  time (PostgreSQL: an exclusion constraint; SQLite: a check inside an IMMEDIATE
  transaction, which serialises writers).
* Money is integer cents; times are aware and stored in UTC.
"""

from .agendas import (  # noqa: F401
    Agenda,
    AgendaKind,
    AppointmentType,
    Closure,
    Desk,
    DeskAbsence,
    Question,
    QuestionKind,
    RefundPolicy,
    Resource,
    Session,
    Tariff,
    TariffAudience,
    TicketCategory,
)
from .bookings import (  # noqa: F401
    OCCUPYING,
    Booking,
    BookingChannel,
    BookingEvent,
    BookingStatus,
    Participant,
)
