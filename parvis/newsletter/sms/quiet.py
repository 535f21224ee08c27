"""Quiet hours: when campaign SMS wait (an urgent alert may override them).

Default: every night from 20:00 to 08:00, all day on Sunday and on French public holidays,
in Europe/Paris. ``PARVIS_SMS_QUIET_HOURS`` sets the night window as ``"HH:MM-HH:MM"``
(empty: no night window); Sundays and public holidays stay quiet.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_WINDOW = "20:00-08:00"


def _parse(value: str) -> tuple[time, time] | None:
    value = (value or "").strip()
    if not value:
        return None
    start, end = (time.fromisoformat(part.strip()) for part in value.split("-", 1))
    return start, end


def quiet_window() -> tuple[time, time] | None:
    return _parse(getattr(settings, "PARVIS_SMS_QUIET_HOURS", DEFAULT_WINDOW))


@lru_cache(maxsize=8)
def _holidays(year: int):
    return holidays.France(years=year)


def is_rest_day(day) -> bool:
    return day.weekday() == 6 or day in _holidays(day.year)


def _in_window(moment: time, window: tuple[time, time] | None) -> bool:
    if window is None:
        return False
    start, end = window
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # across midnight


def in_quiet_hours(at: datetime) -> bool:
    """True when a non-urgent SMS must not be sent at ``at`` (an aware datetime)."""
    local = at.astimezone(PARIS)
    return is_rest_day(local.date()) or _in_window(local.time(), quiet_window())


def next_allowed_time(at: datetime) -> datetime:
    """``at`` itself if it is outside quiet hours, else the first moment after it that is
    (an aware datetime in Europe/Paris)."""
    window = quiet_window()
    local = at.astimezone(PARIS)
    for _attempt in range(40):  # a long holiday weekend is at most a few days
        if is_rest_day(local.date()):
            following = local.date() + timedelta(days=1)
            local = datetime.combine(following, time(0, 0), tzinfo=PARIS)
            continue
        if not _in_window(local.time(), window):
            return local
        start, end = window
        day = local.date()
        if start > end and local.time() >= start:  # evening: the window ends tomorrow
            day += timedelta(days=1)
        local = datetime.combine(day, end, tzinfo=PARIS)
    return local
