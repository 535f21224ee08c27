"""The booking engine (contract; bodies are being written).

Every function here is keyword-only, runs in one transaction and raises a
:class:`parvis.bookings.exceptions.BookingError` subclass with a translated message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models import Agenda, AppointmentType, Booking, Closure, Resource, Session


@dataclass
class ParticipantInput:
    """One place asked for in a session: who, at which category, with which answers."""

    category_id: int | None
    first_name: str = ""
    last_name: str = ""
    family_member_id: int | None = None
    answers: dict = field(default_factory=dict)


def booking_book_appointment(
    *,
    agenda: Agenda,
    appointment_type: AppointmentType,
    start: dt.datetime,
    user=None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    ants_number: str = "",
    family_member=None,
    comment: str = "",
    channel: str = "online",
    actor=None,
) -> Booking:
    """Book the appointment starting at ``start`` on a free desk (CONFIRMED, or HELD when
    the type has a price). Raises SlotUnavailable, OutsideOpeningHours, TooSoonOrTooLate,
    BookingClosed, LimitReached, InvalidAnswers (ANTS number)."""
    raise NotImplementedError


def booking_book_resource(
    *,
    agenda: Agenda,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    user=None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    audience: str = "resident",
    association_name: str = "",
    comment: str = "",
    channel: str = "online",
    actor=None,
) -> Booking:
    """Book ``resource`` from ``start`` to ``end``: HELD (price to pay), PENDING_APPROVAL
    (agenda needs approval) or CONFIRMED. Never two occupying bookings overlapping."""
    raise NotImplementedError


def booking_book_session(
    *,
    session: Session,
    participants: list[ParticipantInput],
    user=None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    join_waiting_list: bool = False,
    channel: str = "online",
    actor=None,
) -> Booking:
    """Take ``len(participants)`` places (HELD when paid, else CONFIRMED), or, when full and
    ``join_waiting_list``, a WAITING booking keeping the answers. Raises SessionFull,
    CategoryFull, LimitReached, InvalidAnswers."""
    raise NotImplementedError


def booking_start_payment(*, booking: Booking, ip: str | None = None):
    """Create the payment of a HELD booking and start it at the provider; returns the
    provider's StartResult. Raises HoldExpired, PaymentUnavailable."""
    raise NotImplementedError


def booking_cancel(
    *, booking: Booking, actor=None, reason: str = "", by_agent: bool = False
) -> Booking:
    """Cancel (within the agenda's delay unless ``by_agent``); refund per the agenda's
    policy; the freed places go to the waiting list."""
    raise NotImplementedError


def booking_move(
    *, booking: Booking, start: dt.datetime, end: dt.datetime | None = None, actor=None
) -> Booking:
    """Move an appointment or resource booking to another free time (same rules)."""
    raise NotImplementedError


def booking_approve(*, booking: Booking, actor) -> Booking:
    raise NotImplementedError


def booking_refuse(*, booking: Booking, actor, reason: str) -> Booking:
    raise NotImplementedError


def booking_accept_offer(*, booking: Booking, actor=None) -> Booking:
    """OFFERED → HELD (to pay) or CONFIRMED. Raises OfferExpired."""
    raise NotImplementedError


def booking_decline_offer(*, booking: Booking, actor=None) -> Booking:
    raise NotImplementedError


def booking_mark_attendance(
    *, booking: Booking, attended: bool, actor, participant_id=None
) -> Booking:
    raise NotImplementedError


def closure_create(
    *, agenda: Agenda, start: dt.datetime, end: dt.datetime, reason: str, message: str = "", actor
) -> Closure:
    """Close a period: cancels the bookings inside it (refunded in full) and tells their
    holders by e-mail (and SMS)."""
    raise NotImplementedError


def bookings_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Expire unpaid holds and untaken offers; give freed places to the waiting list.
    Idempotent; run every minute."""
    raise NotImplementedError


def bookings_send_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mail (and SMS) tomorrow's confirmed bookings once each."""
    raise NotImplementedError
