"""Writes of bookings (one transaction each; mail/SMS on commit; audit with the actor).

Concurrency design: see :mod:`parvis.bookings.services.engine`.
"""

from .engine import (  # noqa: F401
    ParticipantInput,
    booking_accept_offer,
    booking_approve,
    booking_book_appointment,
    booking_book_resource,
    booking_book_session,
    booking_cancel,
    booking_decline_offer,
    booking_mark_attendance,
    booking_move,
    booking_refuse,
    booking_start_payment,
    bookings_expire,
    bookings_send_reminders,
    closure_create,
)
from .rules import normalise_ants, resource_price  # noqa: F401
