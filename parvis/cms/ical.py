"""iCalendar (RFC 5545) export of events: one ``.ics`` per event and the agenda feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from parvis.core.hours import PARIS


def events_calendar(events: Iterable, *, request, name: str) -> bytes:
    from wagtail.models import Site

    site = Site.find_for_request(request)
    host = site.hostname if site else request.get_host()
    cal = Calendar()
    cal.add("prodid", "-//Parvis//Agenda//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    for page in events:
        event = Event()
        event.add("uid", f"event-{page.pk}@{host}")
        event.add("summary", page.title)
        event.add("dtstamp", timezone.now())
        if page.all_day:
            start_date = page.start.astimezone(PARIS).date()
            end_date = (page.end or page.start).astimezone(PARIS).date() + dt.timedelta(days=1)
            event.add("dtstart", start_date)
            event.add("dtend", end_date)
        else:
            event.add("dtstart", page.start.astimezone(PARIS))
            event.add("dtend", page.effective_end.astimezone(PARIS))
        if page.location:
            event.add("location", page.location)
        if page.summary:
            event.add("description", page.summary)
        event.add("url", page.get_full_url(request))
        if page.last_published_at:
            event.add("last-modified", page.last_published_at)
        cal.add_component(event)
    return cal.to_ical()
