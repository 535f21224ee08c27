"""Public read API of agendas and availability (``/api/v1/agendas``); calls selectors.

Contract: only published agendas; never personal data (no holder, no name, no e-mail:
only counts of free places); every answer is publicly cacheable for a minute, carries an
``ETag`` (``If-None-Match`` → 304, by Django's ``ConditionalGetMiddleware``) and may be
read from any origin. Times are ISO 8601 with their offset, in Europe/Paris; money in
integer cents. Availability covers at most :data:`MAX_DAYS` local days per request, and
runs a bounded number of queries whatever the window.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from wagtail.rich_text import expand_db_html

from parvis.core import hours

from . import selectors
from .models import Agenda, AgendaKind, AppointmentType, Resource

router = Router(tags=["Réservations"])

CACHE_SECONDS = 60
#: Longest availability window, in local days.
MAX_DAYS = 31
#: Window when ``to`` is not given.
DEFAULT_DAYS = 7
PARIS = hours.PARIS


# --- schemas -----------------------------------------------------------------------------
class ErrorOut(Schema):
    detail: str | list[dict] = Field(..., description="Message d'erreur (ou liste d'erreurs)")


class ServiceOut(Schema):
    slug: str
    name: str


class AgendaOut(Schema):
    id: int
    slug: str
    kind: AgendaKind
    kind_label: str
    title: str
    summary: str
    service: ServiceOut = Field(..., description="Service municipal responsable")
    place_id: int | None = Field(..., description="Lieu de l'annuaire (/api/v1/places/{id})")
    url: str = Field(..., description="Page publique de réservation")
    api_url: str


class AgendaListOut(Schema):
    count: int
    results: list[AgendaOut]


class AppointmentTypeOut(Schema):
    id: int
    name: str
    duration_minutes: int
    price_cents: int = Field(..., description="Prix en centimes (0 : gratuit)")
    ants_required: bool = Field(..., description="Numéro de pré-demande ANTS demandé")
    documents: str = Field(..., description="Pièces à apporter (HTML)")


class ResourceOut(Schema):
    id: int
    name: str
    place_id: int | None
    opening_hours: str = Field(
        ..., description="Horaires de réservation (syntaxe OpenStreetMap), ceux du lieu si vide"
    )
    booking: Literal["slot", "range"] = Field(
        ..., description="slot : créneaux fixes ; range : plage libre au pas de 30 minutes"
    )
    slot_minutes: int | None
    min_minutes: int
    max_minutes: int
    capacity_note: str


class TicketCategoryOut(Schema):
    id: int
    name: str
    price_cents: int
    quota: int | None
    remaining: int = Field(..., description="Places restantes dans cette catégorie")
    resident_only: bool = Field(..., description="Réservé aux habitants de la commune")


class SessionOut(Schema):
    id: int
    title: str
    start: dt.datetime
    end: dt.datetime
    capacity: int
    remaining: int
    state: Literal["open", "full", "not_yet", "closed", "past", "cancelled", "unpublished"]
    state_label: str
    registration_open: bool = Field(
        ..., description="Inscriptions acceptées maintenant (liste d'attente si complet)"
    )
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    waiting_list_length: int
    categories: list[TicketCategoryOut]


class TariffOut(Schema):
    audience: str
    audience_label: str
    amount_cents: int
    unit: Literal["booking", "hour"]
    unit_label: str


class AgendaDetailOut(AgendaOut):
    description: str = Field(..., description="HTML")
    instructions: str = Field(..., description="Informations pratiques (HTML)")
    allow_guests: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    min_delay_hours: int
    max_delay_days: int
    hold_minutes: int = Field(..., description="Durée de blocage d'une place pendant le paiement")
    waiting_list: bool
    max_places_per_booking: int
    max_bookings_per_person: int | None
    max_minutes_per_week: int | None
    cancel_until_hours: int
    refund_policy: str
    requires_approval: bool
    deposit_cents: int
    appointment_types: list[AppointmentTypeOut]
    resources: list[ResourceOut]
    sessions: list[SessionOut] = Field(..., description="Séances à venir")
    tariffs: list[TariffOut]
    availability_url: str


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    free: int = Field(
        ...,
        description="Guichets libres (rendez-vous), 1 ou 0 (ressources), places restantes "
        "(séances) ; 0 : pris ou fermé",
    )
    session_id: int | None = Field(None, description="Séance (agendas de séances)")


class AvailabilityOut(Schema):
    agenda: str
    kind: AgendaKind
    date_from: dt.date = Field(..., alias="from")
    date_to: dt.date = Field(..., alias="to")
    appointment_type_id: int | None
    resource_id: int | None
    at: dt.datetime = Field(..., description="Moment du calcul")
    slots: list[SlotOut]


# --- helpers -----------------------------------------------------------------------------
def _public_headers(response: HttpResponse) -> None:
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"


def _now() -> dt.datetime:
    # To the minute, so that answers (and their ETag) stay the same for a minute.
    return timezone.now().replace(second=0, microsecond=0)


def _page_url(request: HttpRequest, agenda: Agenda) -> str:
    try:
        path = reverse("bookings:agenda", kwargs={"slug": agenda.slug})
    except NoReverseMatch:
        path = f"/reservations/{agenda.slug}/"
    return request.build_absolute_uri(path)


def _published():
    return Agenda.objects.filter(status=Agenda.Status.PUBLISHED).select_related("service")


def _get_agenda(slug: str) -> Agenda:
    agenda = _published().filter(slug=slug).first()
    if agenda is None:
        raise HttpError(404, _("Aucun agenda publié ne porte cette adresse."))
    return agenda


def _agenda_out(request: HttpRequest, agenda: Agenda) -> dict:
    return {
        "id": agenda.pk,
        "slug": agenda.slug,
        "kind": agenda.kind,
        "kind_label": str(agenda.get_kind_display()),
        "title": agenda.title,
        "summary": agenda.summary,
        "service": {"slug": agenda.service.slug, "name": agenda.service.name},
        "place_id": agenda.place_id,
        "url": _page_url(request, agenda),
        "api_url": request.build_absolute_uri(reverse("api:agenda", kwargs={"slug": agenda.slug})),
    }


def _html(value: str) -> str:
    return expand_db_html(value) if value else ""


def _paris(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(PARIS) if moment else None


def _session_out(item: selectors.SessionAvailability) -> dict:
    session = item.session
    return {
        "id": session.pk,
        "title": session.title or session.agenda.title,
        "start": _paris(session.start),
        "end": _paris(session.end),
        "capacity": item.capacity,
        "remaining": item.remaining,
        "state": item.state,
        "state_label": str(item.label),
        "registration_open": item.is_open,
        "opens_at": _paris(item.opens_at),
        "closes_at": _paris(item.closes_at),
        "waiting_list_length": item.waiting,
        "categories": [
            {
                "id": category.id,
                "name": category.name,
                "price_cents": category.price_cents,
                "quota": category.quota,
                "remaining": category.remaining,
                "resident_only": category.resident_only,
            }
            for category in item.categories
        ],
    }


def _parse_day(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise HttpError(
            422,
            _(
                "Paramètre « %(name)s » invalide : « %(value)s ». Attendu une date "
                "AAAA-MM-JJ, par exemple 2026-07-14."
            )
            % {"name": name, "value": value},
        ) from None


# --- endpoints ---------------------------------------------------------------------------
class AgendaFilters(Schema):
    kind: AgendaKind | None = Field(None, description="Seulement les agendas de ce type")


@router.get(
    "",
    response={200: AgendaListOut},
    summary="Agendas publiés (rendez-vous, équipements, séances)",
    url_name="agendas",
)
def agenda_list(
    request: HttpRequest,
    response: HttpResponse,
    filters: Query[AgendaFilters],
):
    agendas = _published().order_by("title", "pk")
    if filters.kind:
        agendas = agendas.filter(kind=filters.kind)
    results = [_agenda_out(request, agenda) for agenda in agendas]
    _public_headers(response)
    return {"count": len(results), "results": results}


@router.get(
    "/{slug:slug}",
    response={200: AgendaDetailOut, 404: ErrorOut},
    summary="Un agenda : motifs, ressources, séances à venir avec leurs places, tarifs",
    url_name="agenda",
)
def agenda_detail(request: HttpRequest, response: HttpResponse, slug: str):
    agenda = _get_agenda(slug)
    now = _now()
    types = AppointmentType.objects.filter(agenda=agenda).order_by("sort_order", "pk")
    resources = (
        Resource.objects.filter(agenda=agenda, active=True)
        .select_related("place")
        .order_by("sort_order", "pk")
    )
    data = _agenda_out(request, agenda)
    place_hours = agenda.place.opening_hours if agenda.place_id else ""
    data.update(
        {
            "description": _html(agenda.description),
            "instructions": _html(agenda.instructions),
            "allow_guests": agenda.allow_guests,
            "opens_at": _paris(agenda.opens_at),
            "closes_at": _paris(agenda.closes_at),
            "min_delay_hours": agenda.min_delay_hours,
            "max_delay_days": agenda.max_delay_days,
            "hold_minutes": agenda.hold_minutes,
            "waiting_list": agenda.waiting_list,
            "max_places_per_booking": agenda.max_places_per_booking,
            "max_bookings_per_person": agenda.max_bookings_per_person,
            "max_minutes_per_week": agenda.max_minutes_per_week,
            "cancel_until_hours": agenda.cancel_until_hours,
            "refund_policy": agenda.refund_policy,
            "requires_approval": agenda.requires_approval,
            "deposit_cents": agenda.deposit_cents,
            "appointment_types": [
                {
                    "id": item.pk,
                    "name": item.name,
                    "duration_minutes": item.duration_minutes,
                    "price_cents": item.price_cents,
                    "ants_required": item.ants_required,
                    "documents": _html(item.documents),
                }
                for item in (types if agenda.kind == AgendaKind.APPOINTMENT else [])
            ],
            "resources": [
                {
                    "id": item.pk,
                    "name": item.name,
                    "place_id": item.place_id or agenda.place_id,
                    "opening_hours": item.opening_hours
                    or (item.place.opening_hours if item.place_id else place_hours),
                    "booking": "slot" if item.slot_minutes else "range",
                    "slot_minutes": item.slot_minutes,
                    "min_minutes": item.min_minutes,
                    "max_minutes": item.max_minutes,
                    "capacity_note": item.capacity_note,
                }
                for item in (resources if agenda.kind == AgendaKind.RESOURCE else [])
            ],
            "sessions": [
                _session_out(item)
                for item in (
                    selectors.session_list(agenda=agenda, now=now)
                    if agenda.kind == AgendaKind.EVENT
                    else []
                )
            ],
            "tariffs": [
                {
                    "audience": tariff.audience,
                    "audience_label": str(tariff.get_audience_display()),
                    "amount_cents": tariff.amount_cents,
                    "unit": tariff.unit,
                    "unit_label": str(tariff.get_unit_display()),
                }
                for tariff in agenda.tariffs.order_by("sort_order", "pk")
            ],
            "availability_url": request.build_absolute_uri(
                reverse("api:agenda_availability", kwargs={"slug": agenda.slug})
            ),
        }
    )
    _public_headers(response)
    return data


class AvailabilityFilters(Schema):
    date_from: str = Field(
        "",
        alias="from",
        description="Premier jour (AAAA-MM-JJ, heure de Paris) ; défaut : aujourd'hui",
    )
    date_to: str = Field(
        "",
        alias="to",
        description=f"Dernier jour inclus ; défaut : {DEFAULT_DAYS} jours ; "
        f"au plus {MAX_DAYS} jours",
    )
    type: int | None = Field(
        None, description="Motif de rendez-vous (facultatif s'il n'y en a qu'un)"
    )
    resource: int | None = Field(None, description="Ressource (facultatif s'il n'y en a qu'une)")


def _window(filters: AvailabilityFilters, now: dt.datetime) -> tuple[dt.date, dt.date]:
    day_from = (
        _parse_day(filters.date_from, "from") if filters.date_from else now.astimezone(PARIS).date()
    )
    day_to = (
        _parse_day(filters.date_to, "to")
        if filters.date_to
        else day_from + dt.timedelta(days=DEFAULT_DAYS - 1)
    )
    if day_to < day_from:
        raise HttpError(422, _("La date « to » doit être le même jour que « from » ou après."))
    if (day_to - day_from).days + 1 > MAX_DAYS:
        raise HttpError(
            422,
            _("La période demandée dépasse %(days)s jours : demandez-la en plusieurs fois.")
            % {"days": MAX_DAYS},
        )
    return day_from, day_to


def _one(queryset, wanted: int | None, name: str, label: str):
    """The child ``wanted`` of the agenda, or its only child when not given."""
    if wanted is not None:
        found = queryset.filter(pk=wanted).first()
        if found is None:
            raise HttpError(
                422,
                _("Paramètre « %(name)s » : %(label)s inconnu(e) dans cet agenda.")
                % {"name": name, "label": label},
            )
        return found
    items = list(queryset[:2])
    if len(items) != 1:
        raise HttpError(
            422,
            _("Paramètre « %(name)s » requis : précisez le numéro de %(label)s.")
            % {"name": name, "label": label},
        )
    return items[0]


@router.get(
    "/{slug:slug}/availability",
    response={200: AvailabilityOut, 404: ErrorOut, 422: ErrorOut},
    summary="Créneaux d'un agenda entre deux jours, avec le nombre de places libres",
    url_name="agenda_availability",
    by_alias=True,
)
def agenda_availability(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    filters: Query[AvailabilityFilters],
):
    agenda = _get_agenda(slug)
    now = _now()
    day_from, day_to = _window(filters, now)
    type_id = resource_id = None
    if agenda.kind == AgendaKind.APPOINTMENT:
        appointment_type = _one(
            AppointmentType.objects.filter(agenda=agenda),
            filters.type,
            "type",
            _("motif de rendez-vous"),
        )
        type_id = appointment_type.pk
        slots = [
            {"start": slot.start, "end": slot.end, "free": slot.free}
            for slot in selectors.appointment_slots(
                agenda=agenda,
                appointment_type=appointment_type,
                day_from=day_from,
                day_to=day_to,
                now=now,
            )
        ]
    elif agenda.kind == AgendaKind.RESOURCE:
        resource = _one(
            Resource.objects.filter(agenda=agenda, active=True).select_related("place"),
            filters.resource,
            "resource",
            _("ressource"),
        )
        resource.agenda = agenda
        resource_id = resource.pk
        slots = [
            {"start": slot.start, "end": slot.end, "free": slot.free}
            for slot in selectors.resource_slots(
                resource=resource, day_from=day_from, day_to=day_to, now=now
            )
        ]
    else:
        slots = [
            {
                "start": item.session.start,
                "end": item.session.end,
                "free": item.remaining if item.is_open else 0,
                "session_id": item.session.pk,
            }
            for item in selectors.session_list(
                agenda=agenda,
                now=now,
                include_cancelled=False,
                day_from=day_from,
                day_to=day_to,
            )
        ]
    for slot in slots:
        slot["start"], slot["end"] = _paris(slot["start"]), _paris(slot["end"])
    _public_headers(response)
    return {
        "agenda": agenda.slug,
        "kind": agenda.kind,
        "from": day_from,
        "to": day_to,
        "appointment_type_id": type_id,
        "resource_id": resource_id,
        "at": _paris(now),
        "slots": slots,
    }
