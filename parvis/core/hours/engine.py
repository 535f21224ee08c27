"""Evaluation of opening hours: state, next change, open intervals, week, status label.

See the package docstring (:mod:`parvis.core.hours`) for the public contract.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours
from django.utils import formats
from django.utils.translation import gettext as _

from . import school_holidays

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_HORIZON_DAYS = 366
_ONE_DAY = dt.timedelta(days=1)
END_OF_DAY = dt.time(23, 59)


@dataclass(frozen=True)
class HoursException:
    """A dated exception to the usual hours, entered by staff without the syntax.

    From ``start`` to ``end`` (both included, local dates) the place follows
    ``opening_hours`` (time ranges such as ``09:00-12:00``) instead of its usual hours;
    an empty ``opening_hours`` means closed all day. ``label`` (« congés d'été ») is shown
    next to the days it covers.
    """

    start: dt.date
    end: dt.date
    opening_hours: str = ""
    label: str = ""


# An exception that covers no day: forces the general evaluation path.
_NEVER = HoursException(dt.date.min, dt.date.min)


@dataclass(frozen=True)
class DayHours:
    """One local day of :func:`week`.

    ``ranges`` are local wall-clock ``(start, end)`` times in order; a range that goes on
    past midnight ends at ``23:59`` and the next day starts at ``00:00``. ``label`` is the
    label of the dated exception that applies that day (``""`` if none, or if the
    exception has no label); ``is_exception`` says whether one applies.
    ``public_holiday`` is the name of the French public holiday on that day, if any.
    """

    date: dt.date
    ranges: tuple[tuple[dt.time, dt.time], ...]
    label: str = ""
    is_exception: bool = False
    public_holiday: str = ""

    @property
    def is_closed(self) -> bool:
        return not self.ranges


# --- parsing -----------------------------------------------------------------------------

_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_WEEKDAY_ITEM = _DAY + r"(?:\[[^\]]*\])?(?:-" + _DAY + r")?(?:\s*[+-]\d+\s*days?)?"
_HOLIDAY_ITEM = r"(?:PH|SH)(?:\s*[+-]\d+\s*days?)?"
_ITEM = rf"(?:{_WEEKDAY_ITEM}|{_HOLIDAY_ITEM})"
# A weekday selector: items joined by "," (union) or by spaces (the parser reads
# "SH Mo-Fr" as the union "SH,Mo-Fr"). ", " with a space separates rules instead.
_SELECTOR = re.compile(rf"(?<![A-Za-z]){_ITEM}(?:(?:,|\s+){_ITEM})*(?![A-Za-z\[])")
_SH = re.compile(r"(?<![A-Za-z])SH(?![A-Za-z])")
_COMMENT = re.compile(r'"[^"]*"')


def _outside_comments(value: str, function) -> str:
    """Apply ``function`` to the parts of ``value`` that are not quoted comments."""
    parts, last = [], 0
    for match in _COMMENT.finditer(value):
        parts.append(function(value[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(function(value[last:]))
    return "".join(parts)


def uses_school_holidays(value: str) -> bool:
    """True when ``value`` has an ``SH`` selector (outside comments)."""
    found = []
    _outside_comments(value, lambda part: found.append(bool(_SH.search(part))) or part)
    return any(found)


def school_holiday_variant(value: str) -> str:
    """``value`` as it reads on a school-holiday day: every weekday selector that
    contains ``SH`` (a union) matches every day, so it becomes ``Mo-Su``."""

    def rewrite(part: str) -> str:
        return _SELECTOR.sub(
            lambda match: "Mo-Su" if _SH.search(match.group(0)) else match.group(0), part
        )

    return _outside_comments(value, rewrite)


def _build(value: str) -> opening_hours.OpeningHours:
    # Bounding the search keeps ``next_change`` of an always-open value such as
    # "Mo-Su 00:00-24:00" fast (without a bound the parser looks for a change for ~1 s).
    return opening_hours.OpeningHours(
        value,
        timezone=PARIS,
        country="FR",
        auto_country=False,
        auto_timezone=False,
        max_interval_days=DEFAULT_HORIZON_DAYS + 1,
    )


@dataclass(frozen=True)
class Compiled:
    """A parsed value: ``base`` as written (opening-hours-py knows no French school
    holidays, so there ``SH`` matches no day) and, when ``SH`` is used, ``school`` for
    school-holiday days."""

    value: str
    base: opening_hours.OpeningHours
    school: opening_hours.OpeningHours | None

    def for_day(self, day: dt.date) -> opening_hours.OpeningHours:
        if self.school is not None and school_holidays.is_school_holiday(day):
            return self.school
        return self.base


@lru_cache(maxsize=4096)
def compile_value(value: str) -> Compiled:
    """Parse ``value`` once (cached). Raises ``opening_hours.ParserError``."""
    base = _build(value)
    school = _build(school_holiday_variant(value)) if uses_school_holidays(value) else None
    return Compiled(value=value, base=base, school=school)


# --- days and their source of hours -------------------------------------------------------


def _local(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("opening hours need an aware datetime")
    # Through UTC, so that a wall-clock time that does not exist (02:30 on the last
    # Sunday of March) or is ambiguous becomes a real instant.
    return at.astimezone(dt.UTC).astimezone(PARIS)


def _midnight(day: dt.date) -> dt.datetime:
    # Paris never changes its clocks at midnight, so local midnight always exists.
    return dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)


def _exception_for(day: dt.date, exceptions: Sequence[HoursException]) -> HoursException | None:
    """The exception covering ``day``: the shortest one wins, then the last listed."""
    best = None
    for exception in exceptions:
        if exception.start <= day <= exception.end:
            if best is None or (exception.end - exception.start) <= (best.end - best.start):
                best = exception
    return best


@dataclass(frozen=True)
class _Source:
    evaluator: opening_hours.OpeningHours | None  # None: closed all day
    exception: HoursException | None


def _source(compiled: Compiled | None, day: dt.date, exceptions) -> _Source:
    exception = _exception_for(day, exceptions) if exceptions else None
    if exception is not None:
        if not exception.opening_hours:
            return _Source(None, exception)
        return _Source(compile_value(exception.opening_hours).for_day(day), exception)
    if compiled is None:
        return _Source(None, None)
    return _Source(compiled.for_day(day), None)


def _compiled(value: str) -> Compiled | None:
    return compile_value(value) if value else None


def _is_simple(compiled: Compiled | None, exceptions) -> bool:
    return compiled is not None and compiled.school is None and not exceptions


def _instant(moment: dt.datetime) -> dt.datetime:
    """UTC instant of a boundary given by the parser. A wall-clock time of the hour that
    repeats when clocks go back is read at its first occurrence, as ``is_open`` reads it
    (a place open until 02:00 closes when the clock first shows 02:00)."""
    return moment.replace(fold=0).astimezone(dt.UTC)


def _open_spans(evaluator, start: dt.datetime, end: dt.datetime):
    """Open spans as UTC instants (aware datetimes sharing one ``tzinfo`` compare by
    wall clock, which is wrong in the repeated hour: compare UTC only)."""
    start_utc, end_utc = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    for begin, finish, state, _comment in evaluator.intervals(start, end):
        if state == opening_hours.State.OPEN:
            begin_utc = max(_instant(begin), start_utc)
            finish_utc = min(_instant(finish), end_utc)
            if finish_utc > begin_utc:
                yield begin_utc, finish_utc


def _merge(spans: Iterable[tuple[dt.datetime, dt.datetime]]):
    merged: list[list[dt.datetime]] = []
    for begin, finish in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], finish)
        else:
            merged.append([begin, finish])
    return [(begin, finish) for begin, finish in merged]


def _paris(spans):
    return [(begin.astimezone(PARIS), finish.astimezone(PARIS)) for begin, finish in spans]


def _intervals(compiled, start: dt.datetime, end: dt.datetime, exceptions):
    if end <= start:
        return []
    if _is_simple(compiled, exceptions):
        return _merge(_open_spans(compiled.base, start, end))
    spans = []
    day = start.date()
    segment_start, segment_source = start, None
    while True:
        day_start = max(_midnight(day), start)
        if day_start >= end:
            break
        source = _source(compiled, day, exceptions)
        key = (id(source.evaluator), source.evaluator is None)
        if segment_source is None:
            segment_start, segment_source = day_start, (key, source)
        elif key != segment_source[0]:
            if segment_source[1].evaluator is not None:
                spans.extend(_open_spans(segment_source[1].evaluator, segment_start, day_start))
            segment_start, segment_source = day_start, (key, source)
        day += _ONE_DAY
    if segment_source is not None and segment_source[1].evaluator is not None:
        spans.extend(_open_spans(segment_source[1].evaluator, segment_start, end))
    return _merge(spans)


# --- public API ---------------------------------------------------------------------------


def intervals(
    value: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    exceptions: Sequence[HoursException] = (),
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Open intervals between ``start`` and ``end`` (aware), clipped to that window,
    merged when they touch, as aware Europe/Paris datetimes in order."""
    start, end = _local(start), _local(end)
    return _paris(_intervals(_compiled(value), start, end, tuple(exceptions)))


def is_open(value: str, at: dt.datetime, *, exceptions: Sequence[HoursException] = ()) -> bool:
    """True when the place is open at ``at`` (aware). An empty value is never open, but
    a dated exception with hours still opens it on its days."""
    at = _local(at)
    source = _source(_compiled(value), at.date(), tuple(exceptions))
    return source.evaluator is not None and source.evaluator.is_open(at)


def next_change(
    value: str,
    at: dt.datetime,
    *,
    exceptions: Sequence[HoursException] = (),
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> dt.datetime | None:
    """The first instant after ``at`` when the place opens or closes, as an aware
    Europe/Paris datetime; ``None`` if the state does not change within ``horizon_days``."""
    at = _local(at)
    exceptions = tuple(exceptions)
    compiled = _compiled(value)
    horizon = at + dt.timedelta(days=horizon_days)
    if compiled is None and not exceptions:
        return None
    if _is_simple(compiled, exceptions):
        change = compiled.base.next_change(at)
        if change is None:
            return None
        change = _instant(change)
        if change <= at.astimezone(dt.UTC):  # the first reading of a repeated hour
            return next_change(value, at, exceptions=(_NEVER,), horizon_days=horizon_days)
        return change.astimezone(PARIS) if change <= horizon.astimezone(dt.UTC) else None
    open_now = is_open(value, at, exceptions=exceptions)
    at_utc = at.astimezone(dt.UTC)
    horizon_utc = horizon.astimezone(dt.UTC)
    for days in (8, 35, horizon_days):
        window_end = min(at_utc + dt.timedelta(days=days), horizon_utc)
        spans = _intervals(compiled, at, window_end.astimezone(PARIS), exceptions)
        if open_now:
            if spans and spans[0][0] <= at_utc and spans[0][1] < window_end:
                return spans[0][1].astimezone(PARIS)
        else:
            upcoming = [begin for begin, _finish in spans if begin > at_utc]
            if upcoming:
                return upcoming[0].astimezone(PARIS)
        if window_end >= horizon_utc:
            return None
    return None


@lru_cache(maxsize=16)
def _public_holidays(year: int) -> dict[dt.date, str]:
    import holidays

    return dict(holidays.France(years=year, language="fr"))


def public_holiday(day: dt.date) -> str:
    """The French name of the public holiday on ``day`` (« Fête nationale »), or ``""``."""
    return _public_holidays(day.year).get(day, "")


def week(
    value: str, start_date: dt.date, *, exceptions: Sequence[HoursException] = ()
) -> list[DayHours]:
    """The seven local days from ``start_date`` with their open ranges."""
    exceptions = tuple(exceptions)
    compiled = _compiled(value)
    start = _midnight(start_date)
    spans = _intervals(compiled, start, _midnight(start_date + dt.timedelta(days=7)), exceptions)
    days = []
    for offset in range(7):
        day = start_date + dt.timedelta(days=offset)
        day_start = _midnight(day).astimezone(dt.UTC)
        day_end = _midnight(day + _ONE_DAY).astimezone(dt.UTC)
        ranges = []
        for begin, finish in spans:
            if finish <= day_start or begin >= day_end:
                continue
            begin_time = max(begin, day_start).astimezone(PARIS).time().replace(fold=0)
            end_time = (
                END_OF_DAY if finish >= day_end else finish.astimezone(PARIS).time().replace(fold=0)
            )
            ranges.append((begin_time, end_time))
        exception = _exception_for(day, exceptions) if exceptions else None
        days.append(
            DayHours(
                date=day,
                ranges=tuple(ranges),
                label=exception.label if exception else "",
                is_exception=exception is not None,
                public_holiday=public_holiday(day),
            )
        )
    return days


def _when(change: dt.datetime, now: dt.datetime) -> str:
    time_text = formats.time_format(change.time(), "H:i")
    days_ahead = (change.date() - now.date()).days
    if days_ahead == 0:
        return _("à %(time)s") % {"time": time_text}
    if days_ahead == 1:
        return _("demain à %(time)s") % {"time": time_text}
    if days_ahead < 7:
        return _("%(day)s à %(time)s") % {
            "day": formats.date_format(change, "l"),
            "time": time_text,
        }
    return _("le %(date)s à %(time)s") % {
        "date": formats.date_format(change, "l j F"),
        "time": time_text,
    }


def status_label(value: str, at: dt.datetime, *, exceptions: Sequence[HoursException] = ()) -> str:
    """« Ouvert · ferme à 12:00 », « Fermé · ouvre demain à 08:30 », « Fermé · ouvre
    lundi à 08:30 », « Fermé (congés d'été) · ouvre le lundi 24 août à 08:30 ».

    ``""`` when there are neither usual hours nor exceptions. The label of the dated
    exception in force now is shown in brackets after the state.
    """
    exceptions = tuple(exceptions)
    if not value and not exceptions:
        return ""
    at = _local(at)
    open_now = is_open(value, at, exceptions=exceptions)
    change = next_change(value, at, exceptions=exceptions)
    exception = _exception_for(at.date(), exceptions) if exceptions else None
    state = _("Ouvert") if open_now else _("Fermé")
    if exception is not None and exception.label:
        state = _("%(state)s (%(label)s)") % {"state": state, "label": exception.label}
    if change is None:
        return state
    if open_now:
        return _("%(state)s · ferme %(when)s") % {"state": state, "when": _when(change, at)}
    return _("%(state)s · ouvre %(when)s") % {"state": state, "when": _when(change, at)}
