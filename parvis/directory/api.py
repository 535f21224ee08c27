"""Public read-only API of the directory: ``/api/v1/places`` and ``/api/v1/places/{id}``.

Contract: only published places; only public fields (never ``contact_name``,
``contact_email``, ``contact_phone``, representatives or proposals); stable ordering (name,
then id); every answer is publicly cacheable for a short time and carries an ``ETag``
(``If-None-Match`` → 304, by Django's ``ConditionalGetMiddleware``), and may be read from
any origin (``Access-Control-Allow-Origin: *``). Times are ISO 8601 with their offset,
in Europe/Paris.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from wagtail.rich_text import expand_db_html

from parvis.core import hours

from . import selectors
from .models import Category, Place, PlaceKind, Wheelchair

router = Router(tags=["Lieux"])

CACHE_SECONDS = 60
MAX_LIMIT = 100
EXCEPTIONS_DAYS = 60


# --- schemas -----------------------------------------------------------------------------
class ErrorOut(Schema):
    detail: str | list[dict] = Field(..., description="Message d'erreur (ou liste d'erreurs)")


class CategoryOut(Schema):
    slug: str
    name: str


class AddressOut(Schema):
    street_number: str
    street: str
    postcode: str
    city: str
    insee_code: str
    full: str = Field(..., description="Adresse sur une ligne")


class PlaceOut(Schema):
    id: int
    name: str
    slug: str
    kind: PlaceKind
    kind_label: str
    categories: list[CategoryOut]
    summary: str
    address: AddressOut
    latitude: float | None = Field(..., description="WGS 84")
    longitude: float | None = Field(..., description="WGS 84")
    phone: str
    email: str
    website: str
    wheelchair: Wheelchair
    opening_hours: str = Field(..., description="Syntaxe OpenStreetMap opening_hours")
    open_now: bool = Field(..., description="Ouvert au moment demandé (paramètre at)")
    url: str = Field(..., description="Page publique du lieu")
    api_url: str


class PlaceListOut(Schema):
    count: int = Field(..., description="Nombre total de lieux correspondant aux filtres")
    next: str | None
    previous: str | None
    at: dt.datetime = Field(..., description="Moment de référence de open_now")
    results: list[PlaceOut]


class TimeRangeOut(Schema):
    start: str = Field(..., description="HH:MM, heure de Paris")
    end: str = Field(..., description="HH:MM, heure de Paris")


class DayOut(Schema):
    date: dt.date
    closed: bool
    ranges: list[TimeRangeOut]
    label: str = Field(..., description="Motif d'une fermeture ou d'horaires exceptionnels")


class ExceptionOut(Schema):
    start_date: dt.date
    end_date: dt.date
    closed: bool
    opening_hours: str
    label: str


class LinkOut(Schema):
    network: str
    url: str


class PlaceDetailOut(PlaceOut):
    description: str = Field(..., description="HTML")
    hours_note: str
    accessibility_notes: str
    siret: str | None
    rna: str | None
    links: list[LinkOut]
    at: dt.datetime = Field(..., description="Moment de référence de l'état d'ouverture")
    next_change: dt.datetime | None = Field(
        ..., description="Prochain changement d'état (ouverture ou fermeture)"
    )
    status_label: str = Field(..., description="Par exemple « Ouvert · ferme à 12:00 »")
    week: list[DayOut] = Field(..., description="Les sept jours à partir de celui de at")
    exceptions: list[ExceptionOut] = Field(
        ..., description=f"Fermetures et horaires exceptionnels des {EXCEPTIONS_DAYS} jours à venir"
    )


# --- helpers -----------------------------------------------------------------------------
def _public_headers(response: HttpResponse) -> None:
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"


def parse_at(value: str | None) -> dt.datetime:
    """``at`` as an aware datetime: ISO 8601, naive values read in Europe/Paris; now if
    empty. Raises a 422 with a French message otherwise."""
    if not value:
        # To the minute, so that answers (and their ETag) stay the same for a minute.
        return timezone.now().replace(second=0, microsecond=0)
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        raise HttpError(
            422,
            _(
                "Paramètre « at » invalide : « %(value)s ». Attendu une date et heure ISO 8601, "
                "par exemple 2026-07-14T10:00 (heure de Paris) ou 2026-07-14T08:00:00Z."
            )
            % {"value": value},
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=hours.PARIS)
    return moment


def _parse_bbox(value: str) -> dict[str, Decimal]:
    try:
        west, south, east, north = (Decimal(part) for part in value.split(","))
    except (ValueError, InvalidOperation):
        west = None
    if west is None or not (-180 <= west <= east <= 180) or not (-90 <= south <= north <= 90):
        raise HttpError(
            422,
            _(
                "Paramètre « bbox » invalide : « %(value)s ». Attendu "
                "ouest,sud,est,nord en degrés WGS 84, par exemple 5.52,43.42,5.56,43.44."
            )
            % {"value": value},
        )
    return {"west": west, "south": south, "east": east, "north": north}


def _place_out(request: HttpRequest, place: Place, at: dt.datetime) -> dict:
    return {
        "id": place.pk,
        "name": place.name,
        "slug": place.slug,
        "kind": place.kind,
        "kind_label": str(place.get_kind_display()),
        "categories": [{"slug": c.slug, "name": c.name} for c in place.categories.all()],
        "summary": place.summary,
        "address": {
            "street_number": place.street_number,
            "street": place.street,
            "postcode": place.postcode,
            "city": place.city,
            "insee_code": place.insee_code,
            "full": place.full_address,
        },
        "latitude": float(place.latitude) if place.latitude is not None else None,
        "longitude": float(place.longitude) if place.longitude is not None else None,
        "phone": place.phone,
        "email": place.email,
        "website": place.website,
        "wheelchair": place.wheelchair,
        "opening_hours": place.opening_hours,
        "open_now": place.is_open(at),
        "url": request.build_absolute_uri(place.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("api:place", kwargs={"place_id": place.pk})),
    }


def _page_url(request: HttpRequest, offset: int) -> str:
    params = [(k, v) for k, v in request.GET.lists() if k != "offset" for v in v]
    params.append(("offset", str(offset)))
    return request.build_absolute_uri(request.path + "?" + urlencode(params))


# --- endpoints ---------------------------------------------------------------------------
class PlaceFilters(Schema):
    q: str = Field("", description="Texte recherché dans le nom")
    kind: list[PlaceKind] = Field(
        default_factory=list, description="Type de lieu (répétable : kind=facility&kind=service)"
    )
    category: str = Field(
        "", description="Identifiant (slug) d'une catégorie, sous-catégories incluses"
    )
    open_now: bool = Field(False, description="Seulement les lieux ouverts au moment at")
    wheelchair: bool = Field(False, description="Seulement les lieux accessibles en fauteuil")
    bbox: str = Field("", description="ouest,sud,est,nord (WGS 84)")
    at: str = Field(
        "",
        description="Moment de référence, ISO 8601 (sans décalage : heure de Paris) ; "
        "défaut : maintenant",
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


@router.get(
    "",
    response={200: PlaceListOut, 422: ErrorOut},
    summary="Lieux publiés de l'annuaire",
    url_name="places",
)
def place_list(request: HttpRequest, response: HttpResponse, filters: Query[PlaceFilters]):
    at = parse_at(filters.at)
    category = None
    if filters.category:
        category = Category.objects.filter(slug=filters.category).first()
        if category is None:
            raise HttpError(
                422, _("Catégorie inconnue : « %(slug)s ».") % {"slug": filters.category}
            )
    places = selectors.place_list(
        q=filters.q.strip(),
        kinds=[str(kind.value) for kind in filters.kind],
        category=category,
        open_at=at if filters.open_now else None,
        wheelchair=filters.wheelchair,
    )
    if filters.bbox:
        places = selectors.place_in_bbox(places, **_parse_bbox(filters.bbox))
    count = places.count()
    page = list(
        places.prefetch_related("categories", "exceptions")[
            filters.offset : filters.offset + filters.limit
        ]
    )
    _public_headers(response)
    end = filters.offset + filters.limit
    return {
        "count": count,
        "next": _page_url(request, end) if end < count else None,
        "previous": (
            _page_url(request, max(0, filters.offset - filters.limit)) if filters.offset else None
        ),
        "at": at.astimezone(hours.PARIS),
        "results": [_place_out(request, place, at) for place in page],
    }


@router.get(
    "/{int:place_id}",
    response={200: PlaceDetailOut, 404: ErrorOut, 422: ErrorOut},
    summary="Un lieu, avec son état d'ouverture et ses horaires de la semaine",
    url_name="place",
)
def place_detail(
    request: HttpRequest,
    response: HttpResponse,
    place_id: int,
    at: str = Query(
        "",
        description="Moment de référence, ISO 8601 (sans décalage : heure de Paris) ; "
        "défaut : maintenant",
    ),
):
    moment = parse_at(at)
    place = selectors.place_detail(pk=place_id)
    if place is None:
        raise HttpError(404, _("Aucun lieu publié ne porte ce numéro."))
    exceptions = place.hours_exceptions()
    local = moment.astimezone(hours.PARIS)
    week = hours.week(place.opening_hours, local.date(), exceptions=exceptions)
    data = _place_out(request, place, moment)
    change = hours.next_change(place.opening_hours, moment, exceptions=exceptions)
    data.update(
        {
            "description": expand_db_html(place.description) if place.description else "",
            "hours_note": place.hours_note,
            "accessibility_notes": place.accessibility_notes,
            "siret": place.siret,
            "rna": place.rna,
            "links": [
                {"network": link.network, "url": link.url} for link in place.social_links.all()
            ],
            "at": local,
            "next_change": change.astimezone(hours.PARIS) if change else None,
            "status_label": hours.status_label(place.opening_hours, moment, exceptions=exceptions),
            "week": [
                {
                    "date": day.date,
                    "closed": day.is_closed,
                    "ranges": [
                        {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
                        for start, end in day.ranges
                    ],
                    "label": getattr(day, "label", "") or "",
                }
                for day in week
            ],
            "exceptions": [
                {
                    "start_date": e.start_date,
                    "end_date": e.end_date,
                    "closed": e.is_closure,
                    "opening_hours": e.opening_hours,
                    "label": e.label,
                }
                for e in selectors.upcoming_exceptions(
                    place, today=local.date(), days=EXCEPTIONS_DAYS
                )
            ],
        }
    )
    _public_headers(response)
    return data
