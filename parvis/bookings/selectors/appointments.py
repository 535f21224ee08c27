"""Appointment availability: desks' hours, absences, closures, delays and bookings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import OCCUPYING, Agenda, AppointmentType, Booking, Closure, Desk, DeskAbsence
from ._common import (
    ONE_DAY,
    Problem,
    Span,
    SpanIndex,
    booking_window,
    containing_span,
    days_window,
    delay_problem,
    first_overlap,
    grid,
    local_date,
    now_or,
    on_grid,
    open_spans,
    utc,
)


@dataclass(frozen=True)
class Slot:
    """A bookable start. ``free`` counts free desks (appointments) or is 1/0 (resources);
    0 means taken (or, for resources, closed)."""

    start: dt.datetime  # aware, UTC
    end: dt.datetime
    free: int


@dataclass(frozen=True)
class GridPoint:
    """A start on some desk's grid, before delays: how many desks are open then (hours,
    absences, closures) and how many of them are free of bookings."""

    start: dt.datetime
    end: dt.datetime
    open_desks: int
    free: int
    in_window: bool


def _desk_spans(desk: Desk, window: Span) -> list[Span]:
    # One day of margin on each side: a grid is anchored on a span's real start, and an
    # appointment may end after the window's last midnight.
    return open_spans(desk.opening_hours, window[0] - ONE_DAY, window[1] + ONE_DAY)


def _active_desks(agenda: Agenda) -> list[Desk]:
    return list(Desk.objects.filter(agenda=agenda, active=True).order_by("sort_order", "pk"))


def appointment_grid(
    *,
    agenda: Agenda,
    appointment_type: AppointmentType,
    day_from: dt.date,
    day_to: dt.date,
    now: dt.datetime | None = None,
) -> list[GridPoint]:
    """Every start of the desks' grids between two local days, with delays flagged rather
    than applied (calendars tell "too late" from "full"). Four queries whatever the
    window: desks, absences, closures, bookings."""
    now = now_or(now)
    window = days_window(day_from, day_to)
    length = dt.timedelta(minutes=appointment_type.duration_minutes)
    desks = _active_desks(agenda)
    if not desks:
        return []
    margin = (window[0] - ONE_DAY, window[1] + ONE_DAY)
    absences = defaultdict(list)
    for desk_id, start, end in DeskAbsence.objects.filter(
        desk__in=desks, start__lt=margin[1], end__gt=margin[0]
    ).values_list("desk_id", "start", "end"):
        absences[desk_id].append((start, end))
    closures = SpanIndex(
        Closure.objects.filter(agenda=agenda, start__lt=margin[1], end__gt=margin[0]).values_list(
            "start", "end"
        )
    )
    busy = defaultdict(list)
    for desk_id, start, end in Booking.objects.filter(
        desk__in=desks, status__in=OCCUPYING, start__lt=margin[1], end__gt=margin[0]
    ).values_list("desk_id", "start", "end"):
        busy[desk_id].append((start, end))
    earliest, latest = booking_window(agenda, now)
    points: dict[dt.datetime, list[int]] = {}
    for desk in desks:
        desk_absences = SpanIndex(absences[desk.pk])
        desk_busy = SpanIndex(busy[desk.pk])
        for start in grid(_desk_spans(desk, window), length, length, window):
            end = start + length
            if desk_absences.overlaps(start, end) or closures.overlaps(start, end):
                continue
            counts = points.setdefault(start, [0, 0])
            counts[0] += 1
            if not desk_busy.overlaps(start, end):
                counts[1] += 1
    return [
        GridPoint(
            start=start,
            end=start + length,
            open_desks=open_desks,
            free=free,
            in_window=now < start and earliest <= start <= latest,
        )
        for start, (open_desks, free) in sorted(points.items())
    ]


def appointment_slots(
    *,
    agenda: Agenda,
    appointment_type: AppointmentType,
    day_from: dt.date,
    day_to: dt.date,
    now: dt.datetime | None = None,
    include_full: bool = True,
) -> list[Slot]:
    """Bookable appointment starts between two local days (inclusive), in time order.

    For each active desk: its opening intervals (hours engine, ``PH off`` in the value for
    public holidays) minus its absences and the agenda's closures; starts on a grid of the
    type's duration aligned on each interval's start (restarting at local midnight) whose
    whole duration fits; within ``[now + min_delay_hours, now + max_delay_days]``.
    ``free`` = desks without an occupying booking overlapping the appointment (0 = taken;
    left out when ``include_full`` is false). Bounded queries (see
    :func:`appointment_grid`).
    """
    return [
        Slot(start=point.start, end=point.end, free=point.free)
        for point in appointment_grid(
            agenda=agenda,
            appointment_type=appointment_type,
            day_from=day_from,
            day_to=day_to,
            now=now,
        )
        if point.in_window and (include_full or point.free)
    ]


def appointment_slot_problem(
    *,
    agenda: Agenda,
    appointment_type: AppointmentType,
    start: dt.datetime,
    now=None,
    require_grid: bool = True,
) -> tuple[list, str | None]:
    """(desks whose hours/absences allow ``start``, None) or ([], translated reason).

    Ignores existing bookings (the engine checks those under lock). The reason is a
    :class:`Problem` (a ``str``) whose ``code`` tells delays (``too_soon``/``too_late``)
    from hours, and whose ``error()`` is the exception to raise. With ``require_grid``
    (default) the start must be one offered by :func:`appointment_slots`; an agent at the
    counter may pass ``False`` to book any time within a desk's hours.
    Three queries: desks, absences, closures.
    """
    now = now_or(now)
    if appointment_type.agenda_id != agenda.pk:
        return [], Problem(_("Ce motif de rendez-vous n'appartient pas à cet agenda."), "invalid")
    start = utc(start)
    end = start + dt.timedelta(minutes=appointment_type.duration_minutes)
    problem = delay_problem(agenda, start, now)
    if problem:
        return [], problem
    closure = first_overlap(
        start, end, Closure.objects.filter(agenda=agenda, start__lt=end, end__gt=start)
    )
    if closure is not None:
        return [], Problem(
            _("Le service est fermé à cette date (%(reason)s).") % {"reason": closure.reason},
            "closure",
        )
    desks = _active_desks(agenda)
    absent = set(
        DeskAbsence.objects.filter(desk__in=desks, start__lt=end, end__gt=start).values_list(
            "desk_id", flat=True
        )
    )
    length = end - start
    day = local_date(start)
    window = days_window(day, day)
    allowed, open_off_grid, open_absent = [], False, False
    for desk in desks:
        span = containing_span(_desk_spans(desk, window), start, end)
        if span is None:
            continue
        if require_grid and not on_grid(span, start, length):
            open_off_grid = True
            continue
        if desk.pk in absent:
            open_absent = True
            continue
        allowed.append(desk)
    if allowed:
        return allowed, None
    if open_absent:
        return [], Problem(_("Aucun guichet ne reçoit à cette heure-là."), "absence")
    if open_off_grid:
        return [], Problem(_("Cette heure ne correspond pas à un créneau proposé."), "grid")
    return [], Problem(_("Ce créneau est en dehors des horaires de réception."), "hours")
