"""Resource availability: fixed slots or free ranges within opening rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import OCCUPYING, Booking, Closure, Resource
from ._common import (
    FREE_RANGE_STEP_MINUTES,
    ONE_DAY,
    PARIS,
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
    midnight,
    now_or,
    on_grid,
    open_spans,
    utc,
)
from .appointments import Slot


@dataclass(frozen=True)
class ResourcePoint:
    """One slot (or 30-minute step) of a resource before delays are applied."""

    start: dt.datetime
    end: dt.datetime
    booked: bool
    closure: str | None  # the reason of the closure covering it
    in_window: bool

    @property
    def free(self) -> int:
        return 0 if self.booked or self.closure is not None else 1


def resource_hours(resource: Resource) -> tuple[str, list]:
    """The opening-hours value and dated exceptions that rule ``resource``: its own value,
    or (when empty) its place's — or else the agenda's place's — with that place's
    exceptions. Uses ``place``/``exceptions`` prefetches when present."""
    if resource.opening_hours:
        return resource.opening_hours, []
    place = resource.place if resource.place_id else None
    if place is None and resource.agenda.place_id:
        place = resource.agenda.place
    if place is None:
        return "", []
    return place.opening_hours, place.hours_exceptions()


def resource_step(resource: Resource) -> dt.timedelta:
    return dt.timedelta(minutes=resource.slot_minutes or FREE_RANGE_STEP_MINUTES)


def _spans(resource: Resource, start: dt.datetime, end: dt.datetime) -> list[Span]:
    value, exceptions = resource_hours(resource)
    return open_spans(value, start - ONE_DAY, end + ONE_DAY, exceptions)


def resource_grid(
    *,
    resource: Resource,
    day_from: dt.date,
    day_to: dt.date,
    now: dt.datetime | None = None,
    closures: list | None = None,
    busy: list | None = None,
) -> list[ResourcePoint]:
    """Every slot of ``resource`` between two local days, delays flagged, not applied.
    Queries: bookings and closures (unless given: ``busy`` is the resource's occupying
    ``(start, end)`` spans of the window), and the place's hours when the resource has
    none of its own (none if prefetched)."""
    now = now_or(now)
    if not resource.active:
        return []
    agenda = resource.agenda
    window = days_window(day_from, day_to)
    step = resource_step(resource)
    margin = (window[0] - ONE_DAY, window[1] + ONE_DAY)
    if closures is None:
        closures = list(
            Closure.objects.filter(
                agenda_id=resource.agenda_id, start__lt=margin[1], end__gt=margin[0]
            )
        )
    if busy is None:
        busy = Booking.objects.filter(
            resource=resource, status__in=OCCUPYING, start__lt=margin[1], end__gt=margin[0]
        ).values_list("start", "end")
    busy = SpanIndex(busy)
    closure_index = SpanIndex((closure.start, closure.end) for closure in closures)
    earliest, latest = booking_window(agenda, now)
    points = []
    for start in grid(_spans(resource, *window), step, step, window):
        end = start + step
        closure = None
        if closure_index.overlaps(start, end):
            closure = first_overlap(start, end, closures).reason
        points.append(
            ResourcePoint(
                start=start,
                end=end,
                booked=busy.overlaps(start, end),
                closure=closure,
                in_window=now < start and earliest <= start <= latest,
            )
        )
    return points


def resource_slots(
    *, resource: Resource, day_from: dt.date, day_to: dt.date, now: dt.datetime | None = None
) -> list[Slot]:
    """Fixed slots of ``slot_minutes`` (or 30-minute steps for free ranges) within the
    opening intervals between two local days, in time order, within the agenda's delays.
    ``free`` is 1, or 0 when an occupying booking overlaps the slot or a closure covers
    it. Two or three queries."""
    return [
        Slot(start=point.start, end=point.end, free=point.free)
        for point in resource_grid(resource=resource, day_from=day_from, day_to=day_to, now=now)
        if point.in_window
    ]


def resource_range_problem(
    *, resource: Resource, start: dt.datetime, end: dt.datetime, now=None
) -> str | None:
    """A translated reason why this range cannot be booked, ignoring existing bookings
    (the engine checks those under lock); None when it can.

    Rules: the resource is active; the start is within the agenda's delays; the range
    lies within one opening interval; it starts on the grid (fixed slots, or 30-minute
    steps from the interval's start) and ends on it (or at the interval's end, for free
    ranges); free ranges last ``min_minutes`` to ``max_minutes``; fixed slots are one or
    several consecutive slots, at most ``max_minutes`` when several; no closure overlaps.
    The reason is a :class:`Problem` (``code``, ``error()``).
    """
    now = now_or(now)
    if not resource.active:
        return Problem(_("Cette ressource n'est pas réservable en ce moment."), "inactive")
    start, end = utc(start), utc(end)
    if end <= start:
        return Problem(_("La fin doit être après le début."), "invalid")
    problem = delay_problem(resource.agenda, start, now)
    if problem:
        return problem
    minutes = (end - start) / dt.timedelta(minutes=1)
    step = resource_step(resource)
    if resource.slot_minutes:
        if minutes % resource.slot_minutes:
            return Problem(
                _("Réservez un ou plusieurs créneaux de %(minutes)s minutes.")
                % {"minutes": resource.slot_minutes},
                "duration",
            )
        if minutes > max(resource.max_minutes, resource.slot_minutes):
            return Problem(
                _("La durée dépasse le maximum de %(minutes)s minutes.")
                % {"minutes": resource.max_minutes},
                "duration",
            )
    else:
        if minutes < resource.min_minutes:
            return Problem(
                _("La durée minimum est de %(minutes)s minutes.")
                % {"minutes": resource.min_minutes},
                "duration",
            )
        if minutes > resource.max_minutes:
            return Problem(
                _("La durée maximum est de %(minutes)s minutes.")
                % {"minutes": resource.max_minutes},
                "duration",
            )
    span = containing_span(_spans(resource, start, end), start, end)
    if span is None:
        return Problem(
            _("Ce créneau est en dehors des horaires de réservation de %(name)s.")
            % {"name": resource.name},
            "hours",
        )
    end_ok = (end - start) % step == dt.timedelta(0) or (
        not resource.slot_minutes and end == span[1]
    )
    if not on_grid(span, start, step) or not end_ok:
        if resource.slot_minutes:
            message = _("Ces horaires ne correspondent pas aux créneaux proposés.")
        else:
            message = _(
                "Choisissez un début et une fin par tranches de %(minutes)s minutes à partir "
                "de l'ouverture (%(opening)s)."
            ) % {
                "minutes": FREE_RANGE_STEP_MINUTES,
                "opening": max(span[0], midnight(local_date(start)))
                .astimezone(PARIS)
                .strftime("%H:%M"),
            }
        return Problem(message, "grid")
    closure = first_overlap(
        start,
        end,
        Closure.objects.filter(agenda_id=resource.agenda_id, start__lt=end, end__gt=start),
    )
    if closure is not None:
        return Problem(
            _("Réservations fermées à cette date (%(reason)s).") % {"reason": closure.reason},
            "closure",
        )
    return None
