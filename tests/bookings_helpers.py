"""Builders for the bookings tests: a municipal service, agendas of each kind ready to book
(published, open, no delay), a paid régie on the dummy backend and residents.

Every builder returns the agenda; its children are reached through the usual related
names (``agenda.desks``, ``agenda.appointment_types``, ``agenda.resources``,
``agenda.sessions``, ``session.categories``, ``agenda.questions``, ``agenda.tariffs``).
Times are aware; :func:`next_weekday_at` gives a future working day (no public holiday)
at a local Paris time, handy for desks open "Mo-Fr".
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.utils import timezone

from parvis.accounts.models import FamilyMember, User
from parvis.bookings.models import (
    Agenda,
    AgendaKind,
    AppointmentType,
    Desk,
    Question,
    Resource,
    Session,
    Tariff,
    TicketCategory,
)
from parvis.core.models import Service
from parvis.payments.models import Regie

from .factories import PASSWORD

PARIS = ZoneInfo("Europe/Paris")
#: Hours of a desk or a resource that never get in the way of a test.
ALWAYS_OPEN = "24/7"
OFFICE_HOURS = "Mo-Fr 08:30-12:00,13:30-17:00; PH off"

_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def next_weekday_at(hour: int, minute: int = 0, *, days_ahead: int = 2, now=None) -> dt.datetime:
    """The first Monday–Friday that is not a French public holiday, at least
    ``days_ahead`` days after ``now``, at ``hour:minute`` Paris time (aware, UTC)."""
    from parvis.core.hours.engine import public_holiday

    now = now or timezone.now()
    day = timezone.localtime(now, PARIS).date() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5 or public_holiday(day):
        day += dt.timedelta(days=1)
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)
    return local.astimezone(dt.UTC)


def make_service(name: str | None = None, *, groups=(), email: str = "") -> Service:
    """A municipal service; ``groups`` are group names whose members work for it."""
    n = _next()
    service = Service.objects.create(
        name=name or f"Service {n}",
        slug=f"service-{n}",
        email=email or f"service{n}@example.org",
    )
    for group_name in groups:
        service.groups.add(Group.objects.get_or_create(name=group_name)[0])
    return service


def make_agent(email: str, service: Service, *, group: str | None = None) -> User:
    """A staff member working for ``service`` (member of its first group, or a new one)."""
    group_obj = service.groups.first()
    if group_obj is None or group:
        group_obj = Group.objects.get_or_create(name=group or f"Agents {service.slug}")[0]
        service.groups.add(group_obj)
    user = User.objects.create_user(email=email, password=PASSWORD, is_staff=True)
    user.groups.add(group_obj)
    return user


def make_place(name: str = "Mairie de Gréasque", *, hours: str = OFFICE_HOURS, **fields):
    """A published place (town hall, courts, hall) for agendas and resources."""
    from parvis.directory.models import Place, PlaceKind, PlaceStatus

    n = _next()
    defaults = {
        "kind": PlaceKind.SERVICE,
        "slug": f"lieu-{n}",
        "street_number": "1",
        "street": "place de la Mairie",
        "postcode": "13850",
        "city": "Gréasque",
        "opening_hours": hours,
        "status": PlaceStatus.PUBLISHED,
    }
    defaults.update(fields)
    return Place.objects.create(name=name, **defaults)


def make_paid_regie(code: str = "reservations", **fields) -> Regie:
    """A régie on the dummy backend (the local simulator)."""
    defaults = {
        "name": f"Régie {code}",
        "backend": Regie.BACKEND_DUMMY,
        "object_label": "Reservations",
        "accountant_contact": "Service de gestion comptable, 01 99 00 00 00",
    }
    defaults.update(fields)
    regie, _created = Regie.objects.get_or_create(code=code, defaults=defaults)
    return regie


def make_resident(
    email: str | None = None,
    *,
    first_name: str = "Camille",
    last_name: str = "Martin",
    phone: str = "",
    children: int = 0,
) -> User:
    """A resident account (e-mail verified), with ``children`` family members."""
    n = _next()
    user = User.objects.create_user(
        email=email or f"resident{n}@example.org",
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email_verified_at=timezone.now(),
    )
    for index in range(children):
        FamilyMember.objects.create(
            user=user,
            first_name=["Léo", "Jade", "Lucas", "Inès"][index % 4],
            last_name=last_name,
            birth_date=dt.date(2016 + index, 5, 1),
            relation=FamilyMember.Relation.CHILD,
        )
    return user


def _agenda(kind: str, *, service=None, regie=None, title=None, **fields) -> Agenda:
    n = _next()
    defaults = {
        "status": Agenda.Status.PUBLISHED,
        "min_delay_hours": 0,
        "max_delay_days": 365,
        "cancel_until_hours": 24,
    }
    defaults.update(fields)
    return Agenda.objects.create(
        kind=kind,
        title=title or f"Agenda {n}",
        slug=f"agenda-{n}",
        service=service or make_service(),
        regie=regie,
        **defaults,
    )


def make_appointment_agenda(
    *,
    desks: int = 2,
    hours: str = ALWAYS_OPEN,
    types=(("Carte d'identité", 20, True), ("Passeport", 30, True), ("Retrait", 10, False)),
    price_cents: int = 0,
    service=None,
    regie=None,
    **fields,
) -> Agenda:
    """Appointments: ``desks`` desks with ``hours`` and the given (name, minutes,
    ants_required) types. ``price_cents`` > 0 gives every type that price and a paid régie.
    ``allow_guests`` defaults to True."""
    fields.setdefault("allow_guests", True)
    fields.setdefault("title", "Passeports et cartes d'identité")
    if price_cents and regie is None:
        regie = make_paid_regie()
    agenda = _agenda(AgendaKind.APPOINTMENT, service=service, regie=regie, **fields)
    for index in range(desks):
        Desk.objects.create(
            agenda=agenda, name=f"Guichet {index + 1}", opening_hours=hours, sort_order=index
        )
    for index, (name, minutes, ants) in enumerate(types):
        AppointmentType.objects.create(
            agenda=agenda,
            name=name,
            duration_minutes=minutes,
            ants_required=ants,
            price_cents=price_cents,
            documents="<p>Photo d'identité, justificatif de domicile.</p>",
            sort_order=index,
        )
    return agenda


def make_resource_agenda(
    *,
    resources: int = 1,
    hours: str = ALWAYS_OPEN,
    slot_minutes: int | None = 60,
    min_minutes: int = 30,
    max_minutes: int = 240,
    tariffs=(),
    service=None,
    regie=None,
    **fields,
) -> Agenda:
    """Resources (courts, rooms): ``resources`` resources with ``hours``.

    ``tariffs`` is a list of (audience, amount_cents, unit) — e.g.
    ``[("resident", 800, "hour"), ("non_resident", 1200, "hour")]``; any paid tariff
    brings a paid régie. ``requires_approval``, ``deposit_cents``,
    ``max_minutes_per_week``… go through ``fields``."""
    fields.setdefault("title", "Courts de tennis")
    if any(amount for _aud, amount, _unit in tariffs) and regie is None:
        regie = make_paid_regie()
    agenda = _agenda(AgendaKind.RESOURCE, service=service, regie=regie, **fields)
    for index in range(resources):
        Resource.objects.create(
            agenda=agenda,
            name=f"Court {index + 1}",
            opening_hours=hours,
            slot_minutes=slot_minutes,
            min_minutes=min_minutes,
            max_minutes=max_minutes,
            sort_order=index,
        )
    for index, (audience, amount, unit) in enumerate(tariffs):
        Tariff.objects.create(
            agenda=agenda, audience=audience, amount_cents=amount, unit=unit, sort_order=index
        )
    return agenda


def make_event_agenda(
    *,
    sessions: int = 1,
    capacity: int = 10,
    price_cents: int = 0,
    categories=None,
    questions=(),
    starts=None,
    service=None,
    regie=None,
    **fields,
) -> Agenda:
    """Events: ``sessions`` sessions of ``capacity`` places, one week apart from
    ``starts`` (default: in 30 days at 09:00 Paris), each lasting 5 days.

    ``categories`` is a list of (name, price_cents, quota, resident_only); by default one
    category "Plein tarif" at ``price_cents`` without quota. ``questions`` is a list of
    dicts of :class:`Question` fields (key, label, kind, required, choices, min_value…).
    A paid category brings a paid régie."""
    fields.setdefault("title", "Séjour d'été")
    if categories is None:
        categories = [("Plein tarif", price_cents, None, False)]
    if any(price for _n, price, _q, _r in categories) and regie is None:
        regie = make_paid_regie()
    agenda = _agenda(AgendaKind.EVENT, service=service, regie=regie, **fields)
    if starts is None:
        day = timezone.localdate() + dt.timedelta(days=30)
        starts = dt.datetime.combine(day, dt.time(9, 0), tzinfo=PARIS)
    for index in range(sessions):
        start = starts + dt.timedelta(weeks=index)
        session = Session.objects.create(
            agenda=agenda,
            title=f"Semaine {index + 1}",
            start=start,
            end=start + dt.timedelta(days=4, hours=8),
            capacity=capacity,
        )
        for order, (name, price, quota, resident_only) in enumerate(categories):
            TicketCategory.objects.create(
                session=session,
                name=name,
                price_cents=price,
                quota=quota,
                resident_only=resident_only,
                sort_order=order,
            )
    for order, question in enumerate(questions):
        Question.objects.create(agenda=agenda, sort_order=order, **question)
    return agenda


def participants(session: Session, count: int = 1, *, category=None, answers=None, **extra):
    """``count`` :class:`ParticipantInput` for ``session``'s first category (or
    ``category``), named Enfant 1, Enfant 2…"""
    from parvis.bookings.services import ParticipantInput

    category = category or session.categories.order_by("sort_order", "pk").first()
    return [
        ParticipantInput(
            category_id=category.pk if category else None,
            first_name=f"Enfant {index + 1}",
            last_name="Martin",
            answers=dict(answers or {}),
            **extra,
        )
        for index in range(count)
    ]
