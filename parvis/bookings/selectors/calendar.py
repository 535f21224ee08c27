"""Calendars for the resident pages: per local day, how much is available, and why a day
has nothing (public holiday, closure, full, outside the booking delays)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from parvis.core import hours

from ..models import OCCUPYING, Agenda, AgendaKind, AppointmentType, Booking, Closure, Resource
from ._common import ONE_DAY, booking_window, days_window, local_date, midnight, now_or
from .appointments import appointment_grid
from .events import SessionState, session_list
from .resources import resource_grid

#: Longest window a calendar computes (a month view with its leading and trailing days).
MAX_CALENDAR_DAYS = 42


class DayState:
    AVAILABLE = "available"
    FULL = "full"
    CLOSED = "closed"  # no opening that day
    HOLIDAY = "holiday"  # closed on a public holiday
    CLOSURE = "closure"  # closed by the agenda's closure
    NOT_BOOKABLE = "not_bookable"  # outside the booking delays (too soon, too far)
    PAST = "past"


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    #: Free slots (appointments: starts with a free desk; resources: free slots or steps)
    #: or places left in open sessions (events). 0 = nothing to book that day.
    available: int
    state: str
    #: Why the day has nothing, translated (holiday name, closure reason, « Complet »…);
    #: "" when available.
    label: str
    holiday: str = ""

    @property
    def is_available(self) -> bool:
        return self.available > 0


def month_window(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = pycalendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def week_window(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _closure_by_day(closures, day_from: dt.date, day_to: dt.date) -> dict[dt.date, str]:
    reasons = {}
    for closure in sorted(closures, key=lambda closure: closure.start):
        day = max(local_date(closure.start), day_from)
        while day <= day_to and midnight(day) < closure.end:
            reasons.setdefault(day, closure.reason)
            day += ONE_DAY
    return reasons


def _points_calendar(points, agenda, day_from, day_to, now, closures) -> list[CalendarDay]:
    """Days from grid points (``start``, ``free``, ``in_window``, and for resources
    ``closure``)."""
    by_day = defaultdict(list)
    for point in points:
        by_day[local_date(point.start)].append(point)
    closure_reasons = _closure_by_day(closures, day_from, day_to)
    today = local_date(now)
    latest = booking_window(agenda, now)[1]
    days = []
    day = day_from
    while day <= day_to:
        holiday = hours.public_holiday(day)
        day_points = by_day.get(day, [])
        in_window = [point for point in day_points if point.in_window]
        available = sum(1 for point in in_window if point.free)
        closed_by = [getattr(point, "closure", None) for point in in_window]
        if available:
            days.append(CalendarDay(day, available, DayState.AVAILABLE, "", holiday))
        elif day < today:
            days.append(CalendarDay(day, 0, DayState.PAST, _("Jour passé"), holiday))
        elif in_window and all(closed_by):
            days.append(CalendarDay(day, 0, DayState.CLOSURE, closed_by[0], holiday))
        elif in_window:
            days.append(CalendarDay(day, 0, DayState.FULL, _("Complet"), holiday))
        elif day_points and midnight(day) > latest:
            days.append(
                CalendarDay(day, 0, DayState.NOT_BOOKABLE, _("Pas encore réservable"), holiday)
            )
        elif day_points:
            days.append(CalendarDay(day, 0, DayState.NOT_BOOKABLE, _("Plus réservable"), holiday))
        elif closure_reasons.get(day):
            days.append(CalendarDay(day, 0, DayState.CLOSURE, closure_reasons[day], holiday))
        elif holiday:
            days.append(CalendarDay(day, 0, DayState.HOLIDAY, holiday, holiday))
        else:
            days.append(CalendarDay(day, 0, DayState.CLOSED, _("Fermé"), holiday))
        day += ONE_DAY
    return days


def _check_window(day_from: dt.date, day_to: dt.date) -> None:
    if day_to < day_from or (day_to - day_from).days >= MAX_CALENDAR_DAYS:
        raise ValueError(f"a calendar covers 1 to {MAX_CALENDAR_DAYS} days")


def agenda_calendar(
    *,
    agenda: Agenda,
    day_from: dt.date,
    day_to: dt.date,
    now: dt.datetime | None = None,
    appointment_type: AppointmentType | None = None,
    resource: Resource | None = None,
) -> list[CalendarDay]:
    """One :class:`CalendarDay` per local day from ``day_from`` to ``day_to`` (at most
    :data:`MAX_CALENDAR_DAYS`).

    Appointments count the starts of ``appointment_type`` (default: the agenda's first
    type) with a free desk; resources the free slots of ``resource`` (default: every
    active resource of the agenda); events the places left in sessions open for
    registration. Bounded queries: the window's desks, absences, closures and bookings
    are fetched once, whatever the number of days, slots or resources.
    """
    _check_window(day_from, day_to)
    now = now_or(now)
    window = days_window(day_from, day_to)
    closures = list(
        Closure.objects.filter(
            agenda=agenda, start__lt=window[1] + ONE_DAY, end__gt=window[0] - ONE_DAY
        )
    )
    if agenda.kind == AgendaKind.APPOINTMENT:
        if appointment_type is None:
            appointment_type = agenda.appointment_types.order_by("sort_order", "pk").first()
        points = []
        if appointment_type is not None:
            points = appointment_grid(
                agenda=agenda,
                appointment_type=appointment_type,
                day_from=day_from,
                day_to=day_to,
                now=now,
            )
        return _points_calendar(points, agenda, day_from, day_to, now, closures)
    if agenda.kind == AgendaKind.RESOURCE:
        if resource is not None:
            resources = [resource]
        else:
            resources = list(
                agenda.resources.filter(active=True)
                .select_related("place", "agenda__place")
                .prefetch_related(
                    Prefetch("place__exceptions"), Prefetch("agenda__place__exceptions")
                )
                .order_by("sort_order", "pk")
            )
        busy = defaultdict(list)
        for resource_id, start, end in Booking.objects.filter(
            resource__in=resources,
            status__in=OCCUPYING,
            start__lt=window[1] + ONE_DAY,
            end__gt=window[0] - ONE_DAY,
        ).values_list("resource_id", "start", "end"):
            busy[resource_id].append((start, end))
        points = []
        for item in resources:
            points.extend(
                resource_grid(
                    resource=item,
                    day_from=day_from,
                    day_to=day_to,
                    now=now,
                    closures=closures,
                    busy=busy[item.pk],
                )
            )
        return _points_calendar(points, agenda, day_from, day_to, now, closures)
    return _events_calendar(agenda, day_from, day_to, now, closures)


def _events_calendar(agenda, day_from, day_to, now, closures) -> list[CalendarDay]:
    sessions = session_list(
        agenda=agenda,
        now=now,
        include_past=True,
        include_cancelled=False,
        day_from=day_from,
        day_to=day_to,
    )
    by_day = defaultdict(list)
    for item in sessions:
        by_day[local_date(item.session.start)].append(item)
    closure_reasons = _closure_by_day(closures, day_from, day_to)
    today = local_date(now)
    days = []
    day = day_from
    while day <= day_to:
        holiday = hours.public_holiday(day)
        items = by_day.get(day, [])
        available = sum(item.remaining for item in items if item.state == SessionState.OPEN)
        if available:
            days.append(CalendarDay(day, available, DayState.AVAILABLE, "", holiday))
        elif day < today:
            days.append(CalendarDay(day, 0, DayState.PAST, _("Jour passé"), holiday))
        elif any(item.state == SessionState.FULL for item in items):
            days.append(CalendarDay(day, 0, DayState.FULL, _("Complet"), holiday))
        elif items:
            days.append(CalendarDay(day, 0, DayState.NOT_BOOKABLE, items[0].label, holiday))
        elif closure_reasons.get(day):
            days.append(CalendarDay(day, 0, DayState.CLOSURE, closure_reasons[day], holiday))
        else:
            days.append(CalendarDay(day, 0, DayState.CLOSED, _("Pas de séance"), holiday))
        day += ONE_DAY
    return days


def calendar_month(*, agenda: Agenda, year: int, month: int, **kwargs) -> list[CalendarDay]:
    """:func:`agenda_calendar` for one month (same keyword arguments)."""
    day_from, day_to = month_window(year, month)
    return agenda_calendar(agenda=agenda, day_from=day_from, day_to=day_to, **kwargs)


def calendar_week(*, agenda: Agenda, day: dt.date, **kwargs) -> list[CalendarDay]:
    """:func:`agenda_calendar` for the week (Monday to Sunday) containing ``day``."""
    day_from, day_to = week_window(day)
    return agenda_calendar(agenda=agenda, day_from=day_from, day_to=day_to, **kwargs)
