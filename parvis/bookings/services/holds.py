"""Holds and offers that run out, and the waiting list (see the design in
:mod:`parvis.bookings.services.engine`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .. import notifications
from ..exceptions import InvalidTransition, OfferExpired
from ..models import Booking, BookingStatus, Session
from . import _core


def bookings_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Expire unpaid holds (HELD past ``held_until``) and untaken offers (OFFERED past
    ``offer_expires_at``); their places go to the waiting list. Then sessions with free
    places and people waiting (a capacity raised by an agent, a release that found no
    taker at the time) make offers. One short transaction per booking; idempotent; run
    every minute. Returns {"holds": n, "offers_lapsed": n, "offers_made": n}."""
    now = _core.now_or(now)
    counts = {"holds": 0, "offers_lapsed": 0, "offers_made": 0}
    due = list(
        Booking.objects.filter(status=BookingStatus.HELD, held_until__lte=now).values_list(
            "pk", flat=True
        )
    ) + list(
        Booking.objects.filter(status=BookingStatus.OFFERED, offer_expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in due:
        with transaction.atomic():
            booking = _core.lock_booking(pk)
            if booking.status == BookingStatus.HELD and booking.held_until <= now:
                counts["holds"] += 1
            elif booking.status == BookingStatus.OFFERED and booking.offer_expires_at <= now:
                counts["offers_lapsed"] += 1
            else:
                continue
            counts["offers_made"] += _core.expire_booking(booking, now=now)
    waiting_sessions = (
        Session.objects.filter(
            cancelled=False,
            start__gt=now,
            taken__lt=F("capacity"),
            bookings__status=BookingStatus.WAITING,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    for session_id in list(waiting_sessions):
        with transaction.atomic():
            counts["offers_made"] += _core.offer_free_places(session_id, now=now)
    return counts


def booking_accept_offer(
    *, booking: Booking, actor=None, now: dt.datetime | None = None
) -> Booking:
    """OFFERED → HELD (to pay within ``agenda.hold_minutes``) or CONFIRMED (free). An
    offer past its time is expired (its places go to the next person) and OfferExpired
    is raised."""
    now = _core.now_or(now)
    with transaction.atomic():
        booking = _core.lock_booking(booking)
        if booking.status != BookingStatus.OFFERED:
            if booking.status == BookingStatus.EXPIRED:
                raise OfferExpired()
            raise InvalidTransition()
        lapsed = booking.offer_expires_at is not None and booking.offer_expires_at <= now
        if lapsed:
            _core.expire_booking(booking, now=now)
        else:
            agenda = booking.agenda
            if booking.amount_cents:
                _core.set_status(
                    booking,
                    BookingStatus.HELD,
                    "offer_accepted",
                    actor=actor,
                    fields={
                        "held_until": now + dt.timedelta(minutes=agenda.hold_minutes),
                        "offer_expires_at": None,
                    },
                )
            else:
                _core.set_status(
                    booking,
                    BookingStatus.CONFIRMED,
                    "offer_accepted",
                    actor=actor,
                    fields={"confirmed_at": now, "offer_expires_at": None},
                )
                notifications.notify(booking, "confirmed")
    if lapsed:
        raise OfferExpired()
    return booking


def booking_decline_offer(
    *, booking: Booking, actor=None, now: dt.datetime | None = None
) -> Booking:
    """OFFERED → CANCELLED by its holder; the places go to the next person waiting."""
    now = _core.now_or(now)
    with transaction.atomic():
        booking = _core.lock_booking(booking)
        if booking.status != BookingStatus.OFFERED:
            raise InvalidTransition()
        _core.leave_occupying(
            booking,
            BookingStatus.CANCELLED,
            "offer_declined",
            now=now,
            actor=actor,
            message=_("Place proposée refusée"),
            fields={"cancelled_at": now, "cancel_reason": _("Place proposée refusée")},
        )
    return booking
