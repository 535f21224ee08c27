"""Where a booking goes: the free desk of an appointment, the checks of a resource range.
Shared by booking and moving."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .. import selectors
from ..exceptions import OutsideOpeningHours
from . import _core


def free_desk(*, desks, start, end, now, exclude_pk=None, prefer_id=None):
    """The first free desk among ``desks`` for [start, end), locked; None when all are
    taken. ``prefer_id`` is tried first (a move keeps its desk when it can)."""
    locked = _core.lock_desks(desk.pk for desk in desks)
    order = {desk.pk: index for index, desk in enumerate(desks)}
    locked.sort(key=lambda desk: (desk.pk != prefer_id, order.get(desk.pk, 0)))
    for desk in locked:
        if desk.active and _core.range_is_free(
            start=start, end=end, now=now, desk_id=desk.pk, exclude_pk=exclude_pk
        ):
            return desk
    return None


def _raise(problem) -> None:
    error = getattr(problem, "error", None)
    raise error() if error is not None else OutsideOpeningHours(str(problem))


def appointment_desks(*, agenda, appointment_type, start, now, require_grid: bool = True):
    """(desks whose hours and absences allow ``start``, end). Delays, closures, hours,
    absences and the slot grid come from the selector, whose problem names the error
    (TooSoonOrTooLate or OutsideOpeningHours). Agents may book off the grid."""
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda,
        appointment_type=appointment_type,
        start=start,
        now=now,
        require_grid=require_grid,
    )
    if problem or not desks:
        _raise(problem or _("Aucun guichet ne reçoit à cette heure-là."))
    return desks, start + dt.timedelta(minutes=appointment_type.duration_minutes)


def resource_range_check(*, resource, start, end, now) -> None:
    """The resource's rules (active, delays, hours, durations, grid, closures) from the
    selector, each problem with its own error."""
    problem = selectors.resource_range_problem(resource=resource, start=start, end=end, now=now)
    if problem:
        _raise(problem)
