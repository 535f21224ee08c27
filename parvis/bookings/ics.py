"""A booking as an iCalendar file (RFC 5545), attached to the confirmation, move and
reminder e-mails.

The UID is stable per booking (its public id), so that a calendar updates the same event
when the booking moves (SEQUENCE grows with each move) or is cancelled (METHOD:CANCEL).
Times are written in UTC.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import BookingStatus


def booking_uid(booking) -> str:
    host = urlsplit(settings.PARVIS_SITE_URL).hostname or "parvis.local"
    return f"booking-{booking.public_id}@{host}"


def booking_place(booking):
    """The place of a booking: its resource's place, else the agenda's."""
    if booking.resource_id and booking.resource.place_id:
        return booking.resource.place
    return booking.agenda.place


def booking_location(booking) -> str:
    place = booking_place(booking)
    if place is None:
        return ""
    parts = [place.name]
    address = getattr(place, "full_address", "")
    if address:
        parts.append(address)
    return ", ".join(parts)


def booking_summary(booking) -> str:
    what = booking.agenda.title
    if booking.appointment_type_id:
        what = f"{booking.appointment_type.name} – {what}"
    elif booking.resource_id:
        what = f"{booking.resource.name} – {what}"
    elif booking.session_id and booking.session.title:
        what = f"{what} – {booking.session.title}"
    return what


def booking_ics(booking, *, sequence: int | None = None) -> bytes:
    """The booking as a one-event calendar (METHOD:PUBLISH, or CANCEL once cancelled)."""
    cancelled = booking.status in (
        BookingStatus.CANCELLED,
        BookingStatus.EXPIRED,
        BookingStatus.REFUSED,
    )
    if sequence is None:
        sequence = booking.events.filter(kind="moved").count()
    calendar = Calendar()
    calendar.add("prodid", "-//Parvis//Reservations//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", booking.start.astimezone(dt.UTC))
    event.add("dtend", booking.end.astimezone(dt.UTC))
    event.add("summary", booking_summary(booking))
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    location = booking_location(booking)
    if location:
        event.add("location", location)
    event.add("description", f"{booking.reference}")
    calendar.add_component(event)
    return calendar.to_ical()
