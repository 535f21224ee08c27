"""Opening hours in OpenStreetMap ``opening_hours`` syntax, evaluated in Europe/Paris
with French public holidays (``PH``).

This is the one hours engine of Parvis: the town hall's hours now, the directory's
places and the booking desks later. Values are validated on input with
:func:`validate_opening_hours`; every function here takes an aware ``datetime``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class HoursException:
    """A dated exception to the usual hours, entered by staff without the syntax.

    From ``start`` to ``end`` (both included, local dates) the place follows
    ``opening_hours`` (time ranges such as ``09:00-12:00``) instead of its usual hours;
    an empty ``opening_hours`` means closed all day.
    """

    start: dt.date
    end: dt.date
    opening_hours: str = ""
    label: str = ""


@lru_cache(maxsize=512)
def _parse(value: str) -> opening_hours.OpeningHours:
    return opening_hours.OpeningHours(
        value, timezone=PARIS, country="FR", auto_country=False, auto_timezone=False
    )


def validate_opening_hours(value: str) -> None:
    if not value:
        return
    try:
        _parse(value)
    except (opening_hours.ParserError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            gettext_lazy(
                "Horaires illisibles : « %(value)s ». Exemple valide : "
                "« Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off »."
            ),
            params={"value": value},
            code="invalid_opening_hours",
        ) from exc


def _local(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("opening hours need an aware datetime")
    return at.astimezone(PARIS)


def is_open(value: str, at: dt.datetime, *, exceptions=()) -> bool:
    """True when ``value`` says open at ``at``. An empty value is never open."""
    if not value:
        return False
    return _parse(value).is_open(_local(at))


def next_change(value: str, at: dt.datetime, *, exceptions=()) -> dt.datetime | None:
    """The next instant the state changes after ``at``, in Europe/Paris; None if never."""
    if not value:
        return None
    change = _parse(value).next_change(_local(at))
    return change.astimezone(PARIS) if change else None


@dataclass(frozen=True)
class DayHours:
    date: dt.date
    ranges: tuple[tuple[dt.time, dt.time], ...]

    @property
    def is_closed(self) -> bool:
        return not self.ranges


def week(value: str, start_date: dt.date, *, exceptions=()) -> list[DayHours]:
    """The seven days from ``start_date`` with their open ranges (local wall-clock times)."""
    days = []
    parsed = _parse(value) if value else None
    for offset in range(7):
        day = start_date + dt.timedelta(days=offset)
        ranges: list[tuple[dt.time, dt.time]] = []
        if parsed is not None:
            start = dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)
            end = start + dt.timedelta(days=1)
            for begin, finish, state, _comment in parsed.intervals(start, end):
                if state == opening_hours.State.OPEN:
                    finish_local = finish.astimezone(PARIS)
                    end_time = dt.time(23, 59) if finish_local >= end else finish_local.time()
                    ranges.append((begin.astimezone(PARIS).time(), end_time))
        days.append(DayHours(date=day, ranges=tuple(ranges)))
    return days


def status_label(value: str, at: dt.datetime, *, exceptions=()) -> str:
    """« Ouvert · ferme à 12:00 » / « Fermé · ouvre lundi à 08:30 »."""
    if not value:
        return ""
    at = _local(at)
    change = next_change(value, at)
    open_now = is_open(value, at)
    if change is None:
        return _("Ouvert") if open_now else _("Fermé")
    time_text = formats.time_format(change.time(), "H:i")
    if change.date() == at.date():
        when = _("à %(time)s") % {"time": time_text}
    elif change.date() == at.date() + dt.timedelta(days=1):
        when = _("demain à %(time)s") % {"time": time_text}
    else:
        when = _("%(day)s à %(time)s") % {
            "day": formats.date_format(change, "l"),
            "time": time_text,
        }
    if open_now:
        return _("Ouvert · ferme %(when)s") % {"when": when}
    return _("Fermé · ouvre %(when)s") % {"when": when}
