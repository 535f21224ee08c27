"""The index of opening intervals behind « ouvert maintenant » (:class:`PlaceOpenInterval`).

Evaluating OpenStreetMap opening hours for thousands of places on every directory page
would be too slow, so the open stretches of every place are computed ahead of time for a
rolling window (local midnight yesterday → local midnight in ``WINDOW_DAYS`` days) and
stored as rows; :func:`parvis.directory.selectors.place_list` then filters with an SQL
semi-join (``pk IN (…)``) when the asked moment lies inside the window, and evaluates
hours in Python otherwise.

Contract for writers (place create/update, import, proposal approval, exceptions):

- after a change to a place's ``opening_hours`` or to its dated exceptions (or after
  creating a place) is **committed**, call ``hours_index_refresh(places=[place, ...])``,
  typically from ``transaction.on_commit``. It replaces the rows of those places for the
  current window and nothing else; it is idempotent and cheap (one evaluation per
  distinct hours value).
- the management command ``refresh_directory_hours`` (run daily, e.g. just after
  midnight) calls ``hours_index_refresh()`` without ``places``: it moves the window to
  the new day and rebuilds every place's rows in one transaction.
- before the first full refresh there is no window: a partial refresh does nothing and
  readers evaluate the hours in Python, so results are right, only slower. A window
  that is not rolled (the daily run stopped) stays right until its end, then readers
  fall back to Python too.

Rows are computed for every place whatever its status, so publishing a place needs no
refresh. Intervals are cut at local midnight (see :data:`MAX_INTERVAL`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

import opening_hours
from django.db import connection, transaction
from django.utils import timezone

from parvis.core import hours

from .models import OpenIntervalWindow, Place, PlaceException, PlaceOpenInterval
from .models.intervals import MAX_INTERVAL

WINDOW_DAYS_BEFORE = 1
WINDOW_DAYS = 21
BATCH_SIZE = 5000

Interval = tuple[dt.datetime, dt.datetime]

__all__ = [
    "MAX_INTERVAL",
    "current_window",
    "hours_index_refresh",
    "open_intervals",
    "window_for",
]


def window_for(today: dt.date) -> Interval:
    """Local midnight of the day before ``today`` → local midnight ``WINDOW_DAYS`` later."""
    start = dt.datetime.combine(
        today - dt.timedelta(days=WINDOW_DAYS_BEFORE), dt.time.min, tzinfo=hours.PARIS
    )
    end = dt.datetime.combine(
        today + dt.timedelta(days=WINDOW_DAYS), dt.time.min, tzinfo=hours.PARIS
    )
    return start, end


def current_window() -> OpenIntervalWindow | None:
    return OpenIntervalWindow.objects.order_by("-refreshed_at").first()


# --- evaluation ------------------------------------------------------------------------
def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=hours.PARIS)


def _first_reading(moment: dt.datetime) -> dt.datetime:
    """A wall-clock time of the hour repeated when clocks go back, at its first
    occurrence: how :func:`parvis.core.hours.is_open` reads it (a place open until 02:00
    closes when the clock first shows 02:00)."""
    return moment.replace(fold=0) if moment.fold else moment


def open_intervals(
    value: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    exceptions: Sequence[hours.HoursException] = (),
) -> list[Interval]:
    """Open intervals of ``value`` within ``[start, end)``, merged, then cut at every local
    midnight; aware UTC datetimes. This is exactly what is stored for a place."""
    raw = sorted(
        (max(_first_reading(a), start), min(_first_reading(b), end))
        for a, b in hours.intervals(value, start, end, exceptions=tuple(exceptions))
        if min(_first_reading(b), end) > max(_first_reading(a), start)
    )
    merged: list[list[dt.datetime]] = []
    for a, b in raw:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    pieces: list[Interval] = []
    for a, b in merged:
        while a < b:
            next_midnight = _local_midnight(a.astimezone(hours.PARIS).date() + dt.timedelta(days=1))
            cut = min(b, next_midnight)
            pieces.append((a.astimezone(dt.UTC), cut.astimezone(dt.UTC)))
            a = cut
    return pieces


# --- refresh ---------------------------------------------------------------------------
def _exceptions_by_place(
    place_ids: Iterable[int] | None, window: Interval
) -> dict[int, tuple[hours.HoursException, ...]]:
    first_day = window[0].astimezone(hours.PARIS).date()
    last_day = window[1].astimezone(hours.PARIS).date()
    rows = PlaceException.objects.filter(end_date__gte=first_day, start_date__lte=last_day)
    if place_ids is not None:
        rows = rows.filter(place_id__in=list(place_ids))
    found: dict[int, list[hours.HoursException]] = defaultdict(list)
    for row in rows.order_by("place_id", "sort_order", "pk"):
        found[row.place_id].append(row.as_hours_exception())
    return {place_id: tuple(items) for place_id, items in found.items()}


def _rows_for(
    pairs: Iterable[tuple[int, str]],
    exceptions: dict[int, tuple[hours.HoursException, ...]],
    window: Interval,
):
    """(place id, start, end) rows for (place id, hours) pairs; each distinct (hours, exceptions) is
    evaluated once."""
    groups: dict[tuple[str, tuple[hours.HoursException, ...]], list[int]] = defaultdict(list)
    for place_id, value in pairs:
        groups[(value or "", exceptions.get(place_id, ()))].append(place_id)
    for (value, place_exceptions), place_ids in groups.items():
        if not value and not place_exceptions:
            continue
        try:
            pieces = open_intervals(value, *window, exceptions=place_exceptions)
        except (opening_hours.ParserError, SyntaxError, ValueError):
            # A value that slipped past validation (imported raw): never open, as the
            # engine says for a value it cannot read.
            continue
        for place_id in place_ids:
            for start, end in pieces:
                yield place_id, start, end


def _bulk_insert(rows) -> int:
    """Insert (place id, start, end) rows with plain ``executemany``: the ORM's
    ``bulk_create`` costs several times more per row, and a full refresh writes
    hundreds of thousands of them."""
    meta = PlaceOpenInterval._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("place", "start", "end"))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)"
    adapt = connection.ops.adapt_datetimefield_value
    count = 0
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for place_id, start, end in rows:
            batch.append((place_id, adapt(start), adapt(end)))
            if len(batch) >= BATCH_SIZE:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def hours_index_refresh(
    *, places: Iterable[Place | int] | None = None, today: dt.date | None = None
) -> int:
    """Recompute the open intervals; returns the number of rows written.

    Without ``places``: full rebuild — the window moves to ``today`` (default: the local
    date now) and every place's rows are replaced, in one transaction (readers see the old
    or the new index, never a mix). With ``places`` (instances or ids): only their rows,
    for the current window; a no-op while no full refresh has ever run. Idempotent.
    """
    if places is None:
        window = window_for(today or timezone.localdate())
        with transaction.atomic():
            PlaceOpenInterval.objects.all().delete()
            pairs = Place.objects.values_list("pk", "opening_hours").iterator(chunk_size=5000)
            written = _bulk_insert(_rows_for(pairs, _exceptions_by_place(None, window), window))
            OpenIntervalWindow.objects.all().delete()
            OpenIntervalWindow.objects.create(
                start=window[0], end=window[1], refreshed_at=timezone.now()
            )
        return written

    ids = sorted({place if isinstance(place, int) else place.pk for place in places})
    if not ids:
        return 0
    with transaction.atomic():
        state = current_window()
        if state is None:
            return 0
        window = (state.start, state.end)
        PlaceOpenInterval.objects.filter(place_id__in=ids).delete()
        pairs = Place.objects.filter(pk__in=ids).values_list("pk", "opening_hours")
        return _bulk_insert(_rows_for(pairs, _exceptions_by_place(ids, window), window))
