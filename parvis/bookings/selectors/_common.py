"""Time helpers shared by the availability selectors.

Every computation happens on UTC instants: Europe/Paris aware datetimes sharing one
``tzinfo`` compare by wall clock, which is wrong in the hour that repeats when clocks go
back. Local days (Europe/Paris) only choose windows and grid anchors.
"""

from __future__ import annotations

import datetime as dt
import logging
from bisect import bisect_left
from collections.abc import Iterable, Sequence

import opening_hours
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core import hours

from ..exceptions import BookingError, OutsideOpeningHours, TooSoonOrTooLate

logger = logging.getLogger(__name__)

PARIS = hours.PARIS
UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)
#: Step of free-range resources (a room booked from … to …).
FREE_RANGE_STEP_MINUTES = 30

Span = tuple[dt.datetime, dt.datetime]


class Problem(str):
    """A translated reason (it *is* the message) with a machine-readable ``code``:
    ``invalid``, ``inactive``, ``too_soon``, ``too_late``, ``hours``, ``grid``,
    ``duration``, ``absence``, ``closure``."""

    code: str

    def __new__(cls, message, code: str):
        problem = super().__new__(cls, str(message))
        problem.code = code
        return problem

    def error(self) -> BookingError:
        """The domain exception the engine raises for this problem."""
        if self.code in ("too_soon", "too_late"):
            return TooSoonOrTooLate(str(self))
        return OutsideOpeningHours(str(self))


def now_or(now: dt.datetime | None) -> dt.datetime:
    return (now or timezone.now()).astimezone(UTC)


def utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("availability needs aware datetimes")
    return moment.astimezone(UTC)


def midnight(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` as a UTC instant (Paris never changes clocks at midnight)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=PARIS).astimezone(UTC)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(PARIS).date()


def days_window(day_from: dt.date, day_to: dt.date) -> Span:
    """UTC bounds of the local days ``day_from`` to ``day_to`` (both included)."""
    return midnight(day_from), midnight(day_to + ONE_DAY)


def booking_window(agenda, now: dt.datetime) -> Span:
    """Earliest and latest start allowed by the agenda's delays."""
    return (
        now + dt.timedelta(hours=agenda.min_delay_hours),
        now + dt.timedelta(days=agenda.max_delay_days),
    )


def delay_problem(agenda, start: dt.datetime, now: dt.datetime) -> Problem | None:
    earliest, latest = booking_window(agenda, now)
    if start <= now:
        return Problem(_("Ce créneau est déjà passé."), "too_soon")
    if start < earliest:
        return Problem(
            _("Ce créneau est trop proche : réservez au moins %(hours)s heures à l'avance.")
            % {"hours": agenda.min_delay_hours},
            "too_soon",
        )
    if start > latest:
        return Problem(
            _("Ce créneau est trop lointain : réservez au plus %(days)s jours à l'avance.")
            % {"days": agenda.max_delay_days},
            "too_late",
        )
    return None


def open_spans(
    value: str, start: dt.datetime, end: dt.datetime, exceptions: Sequence = ()
) -> list[Span]:
    """Open intervals of an opening-hours value between two instants, as UTC spans."""
    if not value and not exceptions:
        return []
    try:
        found = hours.intervals(value, start, end, exceptions=exceptions)
    except opening_hours.ParserError:
        # Values are validated when staff enter them; one that slipped through closes the
        # desk or resource rather than breaking every page that shows it.
        logger.warning("unreadable opening hours %r: treated as closed", value)
        return []
    return [(utc(begin), utc(finish)) for begin, finish in found]


def grid(spans: Iterable[Span], step: dt.timedelta, length: dt.timedelta, window: Span):
    """Starts on a grid of ``step`` inside open ``spans``, for starts within ``window``.

    The grid is aligned on each span's start and restarts at every local midnight (so that
    an always-open value gives the same grid whatever window is asked); a start is kept
    when the whole ``length`` fits in its span. Steps are real elapsed time: on the last
    Sunday of March a desk open 01:00-04:00 offers two hours, on the last Sunday of
    October four (the repeated hour twice).
    """
    window_start, window_end = window
    for span_start, span_end in spans:
        day = local_date(max(span_start, window_start))
        while True:
            day_start, day_end = midnight(day), midnight(day + ONE_DAY)
            if day_start >= min(span_end, window_end):
                break
            moment = max(span_start, day_start)
            while moment < min(day_end, span_end):
                if moment + length > span_end:
                    break
                if window_start <= moment < window_end:
                    yield moment
                moment += step
            day += ONE_DAY


def containing_span(spans: Iterable[Span], start: dt.datetime, end: dt.datetime) -> Span | None:
    for span in spans:
        if span[0] <= start and end <= span[1]:
            return span
    return None


def on_grid(span: Span, moment: dt.datetime, step: dt.timedelta) -> bool:
    """Whether ``moment`` is on the grid of ``span`` (see :func:`grid`), whose anchor is the
    later of the span's start and the local midnight of ``moment``'s day."""
    anchor = max(span[0], midnight(local_date(moment)))
    return moment >= anchor and (moment - anchor) % step == dt.timedelta(0)


def first_overlap(start: dt.datetime, end: dt.datetime, items: Iterable):
    """The first item (with ``start``/``end`` attributes) overlapping ``[start, end)``."""
    for item in items:
        if item.start < end and start < item.end:
            return item
    return None


class SpanIndex:
    """Busy spans sorted by start, for overlap checks of many candidates at once."""

    def __init__(self, spans: Iterable[Span]):
        self.spans = sorted(spans)
        self.longest = max((end - start for start, end in self.spans), default=dt.timedelta(0))
        self.starts = [start for start, _end in self.spans]

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        # Spans starting before ``end`` and after ``start - longest`` may overlap.
        low = bisect_left(self.starts, start - self.longest)
        high = bisect_left(self.starts, end)
        return any(self.spans[i][1] > start for i in range(low, high))
