"""The availability calendar: a month of days, each a link (when something is free) named
for screen readers « mardi 12 janvier, 6 créneaux libres ». One list of days: a 7-column
grid on wide screens, a plain list of the free days on a phone (CSS only)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .display import day_label, hm, slot_count_label

ONE_DAY = dt.timedelta(days=1)


@dataclass
class CalendarDay:
    date: dt.date
    count: int
    label: str  # the link's accessible name
    status: str  # the visible words under the day number
    url: str = ""
    selected: bool = False
    is_today: bool = False
    in_range: bool = True
    column: int = 0  # 1 = Monday … 7 = Sunday (only set on the month's first day)
    weekday: str = ""


@dataclass
class MonthView:
    month: dt.date
    title: str
    days: list[CalendarDay]
    prev_url: str = ""
    next_url: str = ""
    prev_label: str = ""
    next_label: str = ""
    selected: CalendarDay | None = None
    free_days: int = 0
    weekdays: list[str] = field(default_factory=list)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last)


def add_months(month: dt.date, delta: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def clamp_month(month: dt.date | None, first_day: dt.date, last_day: dt.date) -> dt.date:
    first, last = first_day.replace(day=1), last_day.replace(day=1)
    if month is None or month < first:
        return first
    return min(month, last)


def month_title(month: dt.date) -> str:
    return date_format(month, "F Y")


def build_month(
    *,
    month: dt.date,
    days,
    first_day: dt.date,
    last_day: dt.date,
    day_url: Callable[[dt.date], str],
    month_url: Callable[[dt.date], str],
    selected: dt.date | None = None,
    today: dt.date | None = None,
    availability_words: Callable[[int], str] | None = None,
) -> MonthView:
    """The month's days from the availability selector's days (``available``, ``label``);
    a day with something free is a link. ``selected`` defaults to the first free day."""
    today = today or timezone.localdate()
    words = availability_words or slot_count_label
    start, end = month_bounds(month)
    free = {day.date: day.available for day in days if day.available > 0}
    if selected is None or not free.get(selected):
        selected = min(free) if free else None
    items = []
    chosen = None
    for day in days:
        if not start <= day.date <= end:
            continue
        count = free.get(day.date, 0)
        status = words(count) if count else str(day.label or _("rien de libre"))
        item = CalendarDay(
            date=day.date,
            count=count,
            label=_("%(day)s, %(status)s") % {"day": day_label(day.date), "status": status},
            status=status,
            url=day_url(day.date) if count else "",
            selected=day.date == selected,
            is_today=day.date == today,
            in_range=first_day <= day.date <= last_day,
            column=day.date.isoweekday() if day.date == start else 0,
            weekday=date_format(day.date, "l"),
        )
        if item.selected:
            chosen = item
        items.append(item)
    view = MonthView(
        month=start,
        title=month_title(start),
        days=items,
        selected=chosen,
        free_days=len(free),
        weekdays=[_("lun."), _("mar."), _("mer."), _("jeu."), _("ven."), _("sam."), _("dim.")],
    )
    previous, following = add_months(start, -1), add_months(start, 1)
    if previous >= first_day.replace(day=1):
        view.prev_url = month_url(previous)
        view.prev_label = month_title(previous)
    if following <= last_day:
        view.next_url = month_url(following)
        view.next_label = month_title(following)
    return view


@dataclass
class FreePeriod:
    start: dt.datetime
    end: dt.datetime

    @property
    def label(self) -> str:
        return _("de %(start)s à %(end)s") % {"start": hm(self.start), "end": hm(self.end)}


def free_periods(slots: Iterable) -> list[FreePeriod]:
    """Consecutive free steps merged (free-range resources: « libre de 9 h à 12 h »)."""
    periods: list[FreePeriod] = []
    for slot in sorted(slots, key=lambda item: item.start):
        if slot.free <= 0:
            continue
        if periods and periods[-1].end == slot.start:
            periods[-1].end = slot.end
        else:
            periods.append(FreePeriod(start=slot.start, end=slot.end))
    return periods
