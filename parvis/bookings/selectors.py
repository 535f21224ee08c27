"""Reads of bookings: availability computed from the hours engine, desks' absences,
public holidays, closures, booking delays and existing bookings (contract; bodies are
being written)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Agenda, AppointmentType, Resource


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, UTC
    end: dt.datetime
    free: int  # free desks (appointments), 1/0 (resources)


def appointment_slots(
    *,
    agenda: Agenda,
    appointment_type: AppointmentType,
    day_from: dt.date,
    day_to: dt.date,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Bookable appointment starts between two local days (inclusive), with free desks."""
    raise NotImplementedError


def appointment_slot_problem(
    *, agenda: Agenda, appointment_type: AppointmentType, start: dt.datetime, now=None
) -> tuple[list, str | None]:
    """(desks whose hours/absences allow ``start``, None) or ([], translated reason).
    Ignores existing bookings (the engine checks those under lock)."""
    raise NotImplementedError


def resource_slots(
    *, resource: Resource, day_from: dt.date, day_to: dt.date, now: dt.datetime | None = None
) -> list[Slot]:
    """Fixed slots (or 30-minute steps for free ranges) with free = 1 or 0."""
    raise NotImplementedError


def resource_range_problem(
    *, resource: Resource, start: dt.datetime, end: dt.datetime, now=None
) -> str | None:
    """A translated reason why this range cannot be booked (hours, closures, delays,
    durations), ignoring existing bookings; None when it can."""
    raise NotImplementedError
