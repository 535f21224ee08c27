"""Paying a held booking, and what the payments module tells us back (signals).

Late payment rule (see :mod:`parvis.bookings.services.engine`): a payment confirmed after
its hold expired is honoured when the place can still be taken at that moment, else the
booking is cancelled and the payment refunded in full; never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.payments.exceptions import PaymentError
from parvis.payments.models import PaymentStatus
from parvis.payments.services import payment_create, payment_refund, payment_start

from .. import notifications
from ..exceptions import HoldExpired, InvalidTransition, PaymentUnavailable
from ..models import Booking, BookingStatus
from . import _core

logger = logging.getLogger(__name__)


def payment_label(booking: Booking) -> str:
    return _("Réservation %(ref)s – %(title)s") % {
        "ref": booking.reference,
        "title": booking.agenda.title,
    }


def booking_start_payment(*, booking: Booking, ip: str | None = None, now=None):
    """Create the payment of a HELD booking and start it at the provider; returns the
    provider's StartResult (redirect URL or form). A hold past its time is expired first
    and HoldExpired raised. A payment never started is reused; otherwise each attempt is
    a new payment (a refused one keeps the hold). Raises PaymentUnavailable when the
    provider cannot be reached (the hold stays until ``held_until``)."""
    now = _core.now_or(now)
    lapsed = False
    with transaction.atomic():
        booking = _core.lock_booking(booking)
        if booking.status == BookingStatus.EXPIRED:
            raise HoldExpired()
        if booking.status != BookingStatus.HELD or not booking.amount_cents:
            raise InvalidTransition()
        if booking.held_until is not None and booking.held_until <= now:
            _core.expire_booking(booking, now=now)
            lapsed = True
        else:
            current = booking.payment
            if current is not None and current.is_paid:
                raise InvalidTransition()
            if current is not None and current.status == PaymentStatus.CREATED:
                payment = current
            else:
                try:
                    payment = payment_create(
                        regie=booking.agenda.regie,
                        amount=booking.amount_cents,
                        label=payment_label(booking),
                        payable=booking,
                        user=booking.user,
                        email=booking.email,
                        payer_name=booking.holder_name,
                    )
                except PaymentError as error:
                    raise PaymentUnavailable(error.message) from error
                booking.payment = payment
                booking.save(update_fields=["payment", "updated_at"])
                _core.record(
                    booking,
                    "payment_started",
                    actor=booking.user,
                    data={"payment": payment.refdet, "amount": payment.amount},
                    ip=ip,
                )
    if lapsed:
        raise HoldExpired()
    try:
        return payment_start(payment=payment, ip=ip)
    except PaymentError as error:
        raise PaymentUnavailable() from error


# --- refunds ---------------------------------------------------------------------------


def refund_booking(booking: Booking, *, reason: str, actor=None, payment=None) -> int:
    """Refund what remains paid of ``payment`` (default: the booking's) in full; returns
    the amount refunded (0 when nothing was paid). When the provider cannot pay it back
    by itself (PayFiP: the public accountant does), the service is e-mailed."""
    payment = payment or booking.payment
    if payment is None:
        return 0
    payment.refresh_from_db()
    amount = payment.refundable_amount
    if amount <= 0:
        return 0
    refund = payment_refund(payment=payment, amount=amount, reason=str(reason), actor=actor)
    _core.record(
        booking,
        "refunded",
        actor=actor,
        message=reason,
        data={"payment": payment.refdet, "amount": amount, "online": refund.executed_online},
    )
    if not refund.executed_online:
        notifications.alert_service(
            booking, "refund", extra={"amount": amount, "reason": reason, "refdet": payment.refdet}
        )
    return amount


# --- signal receivers (connected in BookingsConfig.ready) -------------------------------


def on_payment_paid(sender, *, payment, payable, **kwargs):
    """``payment_paid`` for a booking, inside the transaction that marks it paid."""
    now = timezone.now()
    booking = _core.lock_booking(payable)
    status = booking.status
    if status == BookingStatus.HELD:
        _confirm(booking, payment, now=now, kind="paid")
        return
    if status == BookingStatus.CONFIRMED and booking.payment_id == payment.pk:
        return  # already applied
    if status == BookingStatus.EXPIRED and _retake(booking, now=now):
        _confirm(booking, payment, now=now, kind="late_payment_honoured")
        return
    _refuse_payment(booking, payment, now=now)


def _confirm(booking: Booking, payment, *, now: dt.datetime, kind: str) -> None:
    _core.set_status(
        booking,
        BookingStatus.CONFIRMED,
        kind,
        fields={"payment": payment, "confirmed_at": now, "held_until": None},
        data={"payment": payment.refdet, "amount": payment.amount},
    )
    notifications.notify(booking, "confirmed", extra={"paid": payment.amount})


def _retake(booking: Booking, *, now: dt.datetime) -> bool:
    """Take the expired booking's place again if it is still free (same locks and
    checks as a new booking)."""
    if booking.session_id:
        return _core.retake_places(booking)
    if booking.resource_id:
        _core.lock_resource(booking.resource)
        free = _core.range_is_free(
            start=booking.start, end=booking.end, now=now, resource_id=booking.resource_id
        )
    elif booking.desk_id:
        _core.lock_desks([booking.desk_id])
        free = _core.range_is_free(
            start=booking.start, end=booking.end, now=now, desk_id=booking.desk_id
        )
    else:
        return False
    return free


def _refuse_payment(booking: Booking, payment, *, now: dt.datetime) -> None:
    """A payment that cannot buy anything any more: refunded in full, booking cancelled
    (when it was not already), the resident told."""
    previous = booking.status
    if previous == BookingStatus.EXPIRED:
        reason = _(
            "Le paiement est arrivé après la fin du délai de paiement et la place avait "
            "été attribuée entre-temps : le paiement est remboursé."
        )
        kind = "late_payment_refunded"
    elif previous == BookingStatus.CONFIRMED:
        reason = _("Cette réservation était déjà payée : le second paiement est remboursé.")
        kind = "duplicate_payment_refunded"
    else:
        reason = _(
            "Le paiement est arrivé alors que la réservation n'était plus active : il est "
            "remboursé."
        )
        kind = "late_payment_refunded"
    if previous == BookingStatus.EXPIRED:
        _core.set_status(
            booking,
            BookingStatus.CANCELLED,
            kind,
            message=reason,
            fields={"cancelled_at": now, "cancel_reason": reason[:300]},
            data={"payment": payment.refdet},
        )
    else:
        _core.record(
            booking, kind, message=reason, data={"payment": payment.refdet, "status": previous}
        )
    refund_booking(booking, reason=reason, payment=payment)
    notifications.notify(booking, "cancelled", extra={"reason": reason, "refunded": "1"})


def on_payment_released(sender, *, payment, payable, status, **kwargs):
    """``payment_released`` for a booking: a refused payment keeps the hold (pay again
    until ``held_until``); an abandoned or expired one releases it at once. A payment
    that is not the booking's current one changes nothing."""
    booking = _core.lock_booking(payable)
    if booking.payment_id != payment.pk or booking.status != BookingStatus.HELD:
        return
    if status == PaymentStatus.FAILED:
        _core.record(
            booking,
            "payment_failed",
            message=_("Paiement refusé : la place reste bloquée jusqu'à l'heure indiquée."),
            data={"payment": payment.refdet},
        )
        return
    _core.expire_booking(
        booking,
        now=timezone.now(),
        message=_("Paiement abandonné ou expiré : la place est libérée."),
    )
