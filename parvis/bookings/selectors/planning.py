"""The agents' planning: bookings per day and per desk, resource or session, with the
holders' names. For staff pages only (personal data): callers check that the agent works
for the agenda's service."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import (
    OCCUPYING,
    Agenda,
    AgendaKind,
    Booking,
    Closure,
    Desk,
    DeskAbsence,
    Participant,
    Resource,
)
from ._common import ONE_DAY, PARIS, days_window, local_date


@dataclass(frozen=True)
class PlanningEntry:
    booking_id: int
    public_id: str
    reference: str
    start: dt.datetime | None
    end: dt.datetime | None
    status: str
    status_label: str
    holder_name: str
    email: str
    phone: str
    #: What is booked: the appointment type, the resource or the session's title.
    what: str
    places: int
    participants: tuple[str, ...]
    channel: str
    attended: bool | None
    comment: str


@dataclass(frozen=True)
class PlanningBreak:
    """A desk's absence or an agenda's closure shown in the planning."""

    start: dt.datetime
    end: dt.datetime
    reason: str


@dataclass
class PlanningColumn:
    #: "desk:<id>", "resource:<id>" or "session:<id>".
    key: str
    label: str
    entries: list[PlanningEntry] = field(default_factory=list)
    breaks: list[PlanningBreak] = field(default_factory=list)
    #: Sessions: capacity, places taken and waiting-list length.
    capacity: int | None = None
    taken: int | None = None
    waiting: int | None = None


@dataclass
class PlanningDay:
    date: dt.date
    columns: list[PlanningColumn]
    closures: list[PlanningBreak]


def _entry(booking: Booking, what: str) -> PlanningEntry:
    return PlanningEntry(
        booking_id=booking.pk,
        public_id=str(booking.public_id),
        reference=booking.reference or "",
        start=booking.start,
        end=booking.end,
        status=booking.status,
        status_label=str(booking.get_status_display()),
        holder_name=booking.holder_name,
        email=booking.email,
        phone=booking.phone,
        what=what,
        places=booking.places,
        participants=tuple(
            f"{participant.first_name} {participant.last_name}".strip()
            for participant in booking.participants.all()
        ),
        channel=booking.channel,
        attended=booking.attended,
        comment=booking.comment,
    )


def _days(day_from: dt.date, day_to: dt.date):
    day = day_from
    while day <= day_to:
        yield day
        day += ONE_DAY


def _day_span(start: dt.datetime, end: dt.datetime, day_from, day_to):
    """Local days from ``day_from`` to ``day_to`` that ``[start, end)`` touches."""
    first = max(local_date(start), day_from)
    last = min(local_date(end - dt.timedelta(microseconds=1)), day_to)
    return list(_days(first, last)) if first <= last else []


def planning(
    *,
    agenda: Agenda,
    day_from: dt.date,
    day_to: dt.date,
    desk: Desk | None = None,
    resource: Resource | None = None,
    statuses=OCCUPYING,
) -> list[PlanningDay]:
    """Per local day: one column per active desk (appointments), resource (resources) or
    session (events) with its bookings in time order, desks' absences and the agenda's
    closures. ``desk``/``resource`` limit to one column. Bookings in ``statuses`` only
    (occupying ones by default). Five queries whatever the window.
    """
    window = days_window(day_from, day_to)
    bookings = (
        Booking.objects.filter(agenda=agenda, status__in=statuses, start__lt=window[1])
        .filter(end__gt=window[0])
        .select_related("family_member", "appointment_type", "resource", "session")
        .prefetch_related(Prefetch("participants", queryset=Participant.objects.order_by("id")))
        .order_by("start", "created_at", "pk")
    )
    columns_by_day: dict[dt.date, list[PlanningColumn]] = {
        day: [] for day in _days(day_from, day_to)
    }
    index: dict[tuple[dt.date, str], PlanningColumn] = {}

    def add_column(day, key, label, **extra):
        column = PlanningColumn(key=key, label=label, **extra)
        columns_by_day[day].append(column)
        index[(day, key)] = column

    if agenda.kind == AgendaKind.APPOINTMENT:
        desks = Desk.objects.filter(agenda=agenda, active=True).order_by("sort_order", "pk")
        if desk is not None:
            desks = desks.filter(pk=desk.pk)
            bookings = bookings.filter(desk=desk)
        desks = list(desks)
        for day in columns_by_day:
            for item in desks:
                add_column(day, f"desk:{item.pk}", item.name)
        for absence in DeskAbsence.objects.filter(
            desk__in=desks, start__lt=window[1], end__gt=window[0]
        ):
            for day in _day_span(absence.start, absence.end, day_from, day_to):
                index[(day, f"desk:{absence.desk_id}")].breaks.append(
                    PlanningBreak(absence.start, absence.end, absence.reason)
                )
        for booking in bookings:
            what = booking.appointment_type.name if booking.appointment_type else ""
            for day in _day_span(booking.start, booking.end, day_from, day_to):
                column = index.get((day, f"desk:{booking.desk_id}"))
                if column is not None:
                    column.entries.append(_entry(booking, what))
    elif agenda.kind == AgendaKind.RESOURCE:
        resources = Resource.objects.filter(agenda=agenda).order_by("sort_order", "pk")
        if resource is not None:
            resources = resources.filter(pk=resource.pk)
            bookings = bookings.filter(resource=resource)
        resources = list(resources)
        for day in columns_by_day:
            for item in resources:
                add_column(day, f"resource:{item.pk}", item.name)
        for booking in bookings:
            for day in _day_span(booking.start, booking.end, day_from, day_to):
                column = index.get((day, f"resource:{booking.resource_id}"))
                if column is not None:
                    column.entries.append(_entry(booking, booking.resource.name))
    else:
        from .events import sessions_queryset

        sessions = list(sessions_queryset(agenda).filter(start__lt=window[1], end__gt=window[0]))
        for session in sessions:
            for day in _day_span(session.start, session.end, day_from, day_to):
                add_column(
                    day,
                    f"session:{session.pk}",
                    session.title or f"{agenda.title} — {session.start.astimezone(PARIS):%H:%M}",
                    capacity=session.capacity,
                    taken=session.taken,
                    waiting=session.waiting_count,
                )
        for booking in bookings:
            label = booking.session.title if booking.session else ""
            for day in _day_span(booking.start, booking.end, day_from, day_to):
                column = index.get((day, f"session:{booking.session_id}"))
                if column is not None:
                    column.entries.append(_entry(booking, label))
    closures_by_day = defaultdict(list)
    for closure in Closure.objects.filter(
        agenda=agenda, start__lt=window[1], end__gt=window[0]
    ).order_by("start"):
        for day in _day_span(closure.start, closure.end, day_from, day_to):
            closures_by_day[day].append(PlanningBreak(closure.start, closure.end, closure.reason))
    return [
        PlanningDay(date=day, columns=columns, closures=closures_by_day[day])
        for day, columns in columns_by_day.items()
    ]
