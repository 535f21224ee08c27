"""Closing a period of an agenda (holidays, strike): the bookings inside it are cancelled,
refunded in full, and their holders told."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from .. import notifications
from ..exceptions import InvalidAnswers
from ..models import OCCUPYING, Agenda, BookingStatus, Closure
from . import _core
from .payment import refund_booking


def closure_create(
    *,
    agenda: Agenda,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    message: str = "",
    actor,
    now: dt.datetime | None = None,
) -> Closure:
    """Close [start, end): every booking of the agenda overlapping it (occupying or on the
    waiting list) is cancelled with the closure's reason, what was paid is refunded in
    full whatever the agenda's policy, and each holder gets an e-mail (and an SMS to a
    mobile number) with the closure's message. Sessions overlapping the period are
    cancelled (no new booking, no offer). Agents of the agenda's service only."""
    now = _core.now_or(now)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Indiquez le motif de la fermeture.")]
    if end <= start:
        errors["end"] = [_("La fin doit être après le début.")]
    if errors:
        raise InvalidAnswers(errors)
    _core.require_agent(actor, agenda)
    with transaction.atomic():
        closure = Closure.objects.create(
            agenda=agenda,
            start=start,
            end=end,
            reason=reason[:200],
            message=message,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        agenda.sessions.filter(start__lt=end, end__gt=start).update(cancelled=True)
        affected = list(
            agenda.bookings.filter(
                status__in=(BookingStatus.WAITING, *OCCUPYING), start__lt=end, end__gt=start
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cancel_reason = _("Fermeture : %(reason)s") % {"reason": reason}
        for pk in affected:
            booking = _core.lock_booking(pk)
            if booking.status not in (BookingStatus.WAITING, *OCCUPYING):
                continue
            paid = booking.payment is not None and booking.payment.refundable_amount > 0
            _core.leave_occupying(
                booking,
                BookingStatus.CANCELLED,
                "cancelled_by_closure",
                now=now,
                actor=actor,
                message=cancel_reason,
                fields={"cancelled_at": now, "cancel_reason": cancel_reason[:300]},
                give_to_waiting_list=False,
                data={"closure": closure.pk},
            )
            refunded = refund_booking(booking, reason=cancel_reason, actor=actor) if paid else 0
            notifications.notify(
                booking,
                "cancelled",
                extra={
                    "by": "closure",
                    "reason": reason,
                    "closure_message": message,
                    "refunded": refunded or "",
                },
                sms=True,
            )
        closure.cancelled_bookings = len(affected)
        closure.save(update_fields=["cancelled_bookings"])
        _core.audit_log_record(
            actor=actor,
            action="closure.create",
            obj=closure,
            data={
                "agenda": agenda.pk,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "cancelled": len(affected),
            },
        )
    return closure
