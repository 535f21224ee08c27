"""Reminders the day before."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .. import notifications
from ..models import Booking, BookingStatus
from . import _core


def bookings_send_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mail (and SMS to a mobile number) the confirmed bookings of tomorrow (Paris
    day) in agendas that send reminders, once each: ``reminder_sent_at`` is claimed by a
    conditional UPDATE, so concurrent or repeated runs never send twice. Returns the
    number of reminders sent."""
    now = _core.now_or(now)
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    zone = timezone.get_current_timezone()
    day_start = dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=zone)
    day_end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        agenda__send_reminder=True,
        reminder_sent_at__isnull=True,
        start__gte=day_start,
        start__lt=day_end,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=pk, reminder_sent_at__isnull=True, status=BookingStatus.CONFIRMED
            ).update(reminder_sent_at=now)
            if claimed != 1:
                continue
            notifications.notify(Booking(pk=pk), "reminder", sms=True)
            sent += 1
    return sent
