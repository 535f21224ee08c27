"""After booking: cancel, move, approve or refuse, attendance."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import notifications
from ..exceptions import (
    BookingError,
    CancellationTooLate,
    InvalidAnswers,
    InvalidTransition,
    SlotUnavailable,
)
from ..models import OCCUPYING, Booking, BookingStatus, RefundPolicy
from . import _core, rules
from .payment import refund_booking
from .placement import appointment_desks, free_desk, resource_range_check

CANCELLABLE = (BookingStatus.WAITING, *OCCUPYING)
MOVABLE = (BookingStatus.HELD, BookingStatus.PENDING_APPROVAL, BookingStatus.CONFIRMED)


def _check_actor(booking: Booking, actor, by_agent: bool) -> None:
    """An agent acts for the agenda's service; a resident only on their own booking."""
    if by_agent:
        _core.require_agent(actor, booking.agenda)
    elif (
        getattr(actor, "is_authenticated", False)
        and booking.user_id
        and actor.pk != booking.user_id
    ):
        raise PermissionDenied


def _deadline(booking: Booking) -> dt.datetime | None:
    if booking.start is None:
        return None
    return booking.start - dt.timedelta(hours=booking.agenda.cancel_until_hours)


def booking_cancel(
    *,
    booking: Booking,
    actor=None,
    reason: str = "",
    by_agent: bool = False,
    refund: bool | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Cancel a booking (waiting, offered, held, pending or confirmed).

    A confirmed or pending booking is cancelled by its holder up to
    ``agenda.cancel_until_hours`` before its start (CancellationTooLate after); agents
    (``by_agent``, working for the agenda's service) at any time. What was paid is
    refunded in full when the agenda's policy is FULL (``refund`` forces the choice);
    the e-mail says whether it is. Freed session places go to the waiting list."""
    now = _core.now_or(now)
    with transaction.atomic():
        booking = _core.lock_booking(booking)
        _check_actor(booking, actor, by_agent)
        if booking.status not in CANCELLABLE:
            raise InvalidTransition()
        deadline = _deadline(booking)
        if (
            not by_agent
            and booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL)
            and deadline is not None
            and now > deadline
        ):
            raise CancellationTooLate()
        reason = (reason or "").strip()[:300] or (
            _("Annulée par le service") if by_agent else _("Annulée par la personne")
        )
        paid = booking.payment is not None and booking.payment.refundable_amount > 0
        if refund is None:
            refund = booking.agenda.refund_policy == RefundPolicy.FULL
        _core.leave_occupying(
            booking,
            BookingStatus.CANCELLED,
            "cancelled",
            now=now,
            actor=actor,
            message=reason,
            fields={"cancelled_at": now, "cancel_reason": reason},
            data={"by_agent": by_agent},
        )
        refunded = refund_booking(booking, reason=reason, actor=actor) if paid and refund else 0
        notifications.notify(
            booking,
            "cancelled",
            extra={
                "reason": reason,
                "by": "agent" if by_agent else "holder",
                "refunded": refunded or "",
                "not_refunded": "1" if paid and not refund else "",
            },
            sms=by_agent,
        )
    return booking


def booking_move(
    *,
    booking: Booking,
    start: dt.datetime,
    end: dt.datetime | None = None,
    actor=None,
    by_agent: bool = False,
    now: dt.datetime | None = None,
) -> Booking:
    """Move an appointment or resource booking to another free time under the same rules
    (delays, hours, closures, free desk or range, weekly limit). Atomic: when the new
    time cannot be had, the booking keeps its old one. An appointment keeps its desk when
    it is free at the new time. A resource range whose price would change cannot be moved
    once paid (cancel and book again)."""
    now = _core.now_or(now)
    with transaction.atomic():
        booking = _core.lock_booking(booking)
        _check_actor(booking, actor, by_agent)
        if booking.status not in MOVABLE or booking.session_id:
            raise InvalidTransition()
        deadline = _deadline(booking)
        if not by_agent and deadline is not None and now > deadline:
            raise CancellationTooLate(
                _("Le délai de modification est dépassé. Contactez le service.")
            )
        agenda = booking.agenda
        fields: dict = {}
        if booking.appointment_type_id:
            desks, new_end = appointment_desks(
                agenda=agenda,
                appointment_type=booking.appointment_type,
                start=start,
                now=now,
                require_grid=not by_agent,
            )
            desk = free_desk(
                desks=desks,
                start=start,
                end=new_end,
                now=now,
                exclude_pk=booking.pk,
                prefer_id=booking.desk_id,
            )
            if desk is None:
                raise SlotUnavailable()
            fields = {"start": start, "end": new_end, "desk": desk}
        elif booking.resource_id:
            resource = booking.resource
            new_end = end or start + (booking.end - booking.start)
            resource_range_check(resource=resource, start=start, end=new_end, now=now)
            _core.lock_person(booking.user)
            _core.lock_resource(resource)
            rules.check_person_limits(
                agenda,
                user=booking.user,
                email=booking.email,
                now=now,
                start=start,
                minutes=int((new_end - start).total_seconds() // 60),
                exclude_pk=booking.pk,
            )
            if not _core.range_is_free(
                start=start, end=new_end, now=now, resource_id=resource.pk, exclude_pk=booking.pk
            ):
                raise SlotUnavailable()
            amount = rules.resource_price(agenda, booking.audience, start, new_end)
            if amount != booking.amount_cents:
                if booking.payment is not None and (
                    booking.payment.is_paid or booking.payment.is_open
                ):
                    raise BookingError(
                        _(
                            "Ce changement modifie le prix de la réservation déjà payée : "
                            "annulez-la et réservez de nouveau, ou contactez le service."
                        )
                    )
                fields["amount_cents"] = amount
            fields.update({"start": start, "end": new_end})
        else:
            raise InvalidTransition()
        old_start, old_end = booking.start, booking.end
        for name, value in fields.items():
            setattr(booking, name, value)
        try:
            with transaction.atomic():
                booking.save(update_fields=[*fields, "updated_at"])
        except IntegrityError as error:
            if _core.is_overlap_error(error):
                raise SlotUnavailable() from error
            raise
        _core.record(
            booking,
            "moved",
            actor=actor,
            data={
                "from": [old_start.isoformat(), old_end.isoformat()],
                "to": [booking.start.isoformat(), booking.end.isoformat()],
                "by_agent": by_agent,
            },
        )
        if booking.status == BookingStatus.CONFIRMED:
            notifications.notify(
                booking, "moved", extra={"old_when": _old_when(old_start)}, sms=by_agent
            )
    return booking


def _old_when(start: dt.datetime) -> str:
    from types import SimpleNamespace

    return notifications.when_text(SimpleNamespace(start=start))


def booking_approve(*, booking: Booking, actor, now: dt.datetime | None = None) -> Booking:
    """PENDING_APPROVAL → HELD (a price to pay within ``agenda.offer_hours``: the resident
    is e-mailed) or CONFIRMED. Agents of the agenda's service only."""
    now = _core.now_or(now)
    with transaction.atomic():
        booking = _core.lock_booking(booking)
        _core.require_agent(actor, booking.agenda)
        if booking.status != BookingStatus.PENDING_APPROVAL:
            raise InvalidTransition()
        if booking.amount_cents:
            hours = booking.agenda.offer_hours
            _core.set_status(
                booking,
                BookingStatus.HELD,
                "approved",
                actor=actor,
                fields={"held_until": now + dt.timedelta(hours=hours)},
            )
            notifications.notify(booking, "held")
        else:
            _core.set_status(
                booking,
                BookingStatus.CONFIRMED,
                "approved",
                actor=actor,
                fields={"confirmed_at": now},
            )
            notifications.notify(booking, "confirmed")
    return booking


def booking_refuse(
    *, booking: Booking, actor, reason: str, now: dt.datetime | None = None
) -> Booking:
    """PENDING_APPROVAL → REFUSED with a reason e-mailed to the resident; the range is
    free again. Agents of the agenda's service only."""
    now = _core.now_or(now)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidAnswers({"reason": [_("Indiquez le motif du refus.")]})
    with transaction.atomic():
        booking = _core.lock_booking(booking)
        _core.require_agent(actor, booking.agenda)
        if booking.status != BookingStatus.PENDING_APPROVAL:
            raise InvalidTransition()
        _core.leave_occupying(
            booking,
            BookingStatus.REFUSED,
            "refused",
            now=now,
            actor=actor,
            message=reason,
            fields={"cancelled_at": now, "cancel_reason": reason[:300]},
        )
        notifications.notify(booking, "refused", extra={"reason": reason})
    return booking


def booking_mark_attendance(
    *, booking: Booking, attended: bool, actor, participant_id=None
) -> Booking:
    """Present or absent (no-show), for the whole booking or one participant; the
    booking is present when at least one participant is, absent when all are. Confirmed
    bookings only; agents of the agenda's service only."""
    with transaction.atomic():
        booking = _core.lock_booking(booking)
        _core.require_agent(actor, booking.agenda)
        if booking.status != BookingStatus.CONFIRMED:
            raise InvalidTransition()
        if participant_id is not None:
            participant = booking.participants.filter(pk=participant_id).first()
            if participant is None:
                raise InvalidTransition()
            participant.attended = bool(attended)
            participant.save(update_fields=["attended"])
            marks = list(booking.participants.values_list("attended", flat=True))
            if any(mark is True for mark in marks):
                booking.attended = True
            elif marks and all(mark is False for mark in marks):
                booking.attended = False
            else:
                booking.attended = None
        else:
            booking.attended = bool(attended)
            booking.participants.update(attended=bool(attended))
        booking.save(update_fields=["attended", "updated_at"])
        _core.record(
            booking,
            "attendance",
            actor=actor,
            data={"attended": bool(attended), "participant": participant_id},
        )
    return booking
