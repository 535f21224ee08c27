"""Public pages of the directory: the list with its filters, the map and its JSON, a
place's page. Anonymous, read-only, bounded queries (see the tests)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from parvis.core.models import CommuneSettings

from .. import selectors_public
from ..models import Place
from .display import describe_exception, place_json_ld, place_state, week_days
from .filters import DirectoryFilterForm

PLACES_PER_PAGE = 24
CLAIM_PATH = "/annuaire/mon-association/revendiquer/{slug}/"


def site_url(path: str) -> str:
    """Absolute address of ``path`` on the public site (settings.PARVIS_SITE_URL)."""
    return settings.PARVIS_SITE_URL.rstrip("/") + path


def _filtered_ids(request, now):
    form = DirectoryFilterForm(request.GET or None, categories=selectors_public.category_tree())
    filters = form.filters()
    ids = selectors_public.directory_place_ids(
        q=filters["q"],
        kinds=filters["kinds"],
        category=filters["category"],
        open_at=now if filters["open_now"] else None,
        wheelchair=filters["wheelchair"],
    )
    return form, ids


def _query_string(form: DirectoryFilterForm) -> str:
    """The valid filters as a query string (for the map's JSON and the list/map links)."""
    filters = form.filters()
    params = []
    if filters["q"]:
        params.append(("q", filters["q"]))
    if filters["kinds"]:
        params.append(("type", filters["kinds"][0]))
    if filters["category"] is not None:
        params.append(("categorie", filters["category"].slug))
    if filters["open_now"]:
        params.append(("ouvert", "on"))
    if filters["wheelchair"]:
        params.append(("fauteuil", "on"))
    return urlencode(params)


def _cards(places, now):
    return [{"place": place, "state": place_state(place, now)} for place in places]


def _map_settings(request) -> dict:
    commune = CommuneSettings.load(request_or_site=request)
    center = ""
    if commune.latitude is not None and commune.longitude is not None:
        center = f"{commune.latitude},{commune.longitude}"
    return {
        "tile_url": settings.PARVIS_MAP_TILE_URL,
        "tile_attribution": settings.PARVIS_MAP_TILE_ATTRIBUTION,
        "center": center,
    }


def directory_index(request):
    """``/annuaire/``: search and filters, 24 places a page, each with its state now."""
    now = timezone.now()
    form, ids = _filtered_ids(request, now)
    page_obj = Paginator(ids, PLACES_PER_PAGE).get_page(request.GET.get("page"))
    places = selectors_public.places_by_ids(list(page_obj.object_list))
    query = _query_string(form)
    return TemplateResponse(
        request,
        "directory/index.html",
        {
            "form": form,
            "filtered": form.active,
            "page_obj": page_obj,
            "cards": _cards(places, now),
            "count": len(ids),
            "map_url": reverse("directory:map") + (f"?{query}" if query else ""),
        },
    )


def directory_map(request):
    """``/annuaire/carte/``: the same filters, a map of the places and their list (the
    list is the primary content; the map can be skipped)."""
    now = timezone.now()
    form, ids = _filtered_ids(request, now)
    places = selectors_public.places_by_ids(ids)
    query = _query_string(form)
    return TemplateResponse(
        request,
        "directory/map.html",
        {
            "form": form,
            "filtered": form.active,
            "cards": _cards(places, now),
            "count": len(places),
            "located": sum(1 for place in places if place.has_coordinates),
            "json_url": reverse("directory:map_json") + (f"?{query}" if query else ""),
            "list_url": reverse("directory:index") + (f"?{query}" if query else ""),
            "map": _map_settings(request),
        },
    )


def map_json(request):
    """``/annuaire/carte.json?<filters>``: the located places matching the filters."""
    now = timezone.now()
    _form, ids = _filtered_ids(request, now)
    features = []
    for place in selectors_public.places_by_ids(ids):
        if not place.has_coordinates:
            continue
        state = place_state(place, now)
        features.append(
            {
                "id": place.pk,
                "name": place.name,
                "url": place.get_absolute_url(),
                "lat": float(place.latitude),
                "lon": float(place.longitude),
                "kind": place.kind,
                "kind_label": place.get_kind_display(),
                "address": place.address_line,
                "open": state.is_open,
                "state": state.label,
            }
        )
    return JsonResponse(
        {"count": len(features), "places": features},
        json_dumps_params={"ensure_ascii": False},
    )


def _photo_urls(place) -> list[str]:
    urls = []
    for photo in place.photos.all():
        try:
            urls.append(site_url(photo.image.get_rendition("fill-1200x800|format-jpeg").url))
        except Exception:  # noqa: BLE001 - a missing source file must not break the page
            continue
    return urls


def place_detail(request, slug: str):
    """``/annuaire/<slug>/``: a published place (404 otherwise). Never shows the private
    contact (contact_name, contact_email, contact_phone)."""
    place = selectors_public.place_for_page(slug=slug)
    if place is None:
        raise Http404(_("Ce lieu n'existe pas ou n'est pas publié."))
    now = timezone.now()
    today = timezone.localtime(now).date()
    upcoming = selectors_public.upcoming_exceptions(place, today=today)
    page_url = site_url(place.get_absolute_url())
    widget_url = site_url(reverse("directory_widgets:place", kwargs={"slug": place.slug}))
    json_ld = place_json_ld(
        place, url=page_url, today=today, image_urls=_photo_urls(place), exceptions=upcoming
    )
    return TemplateResponse(
        request,
        "directory/place.html",
        {
            "place": place,
            "state": place_state(place, now),
            "days": week_days(place, now),
            "exceptions": [
                {"exception": exception, "hours": describe_exception(exception)}
                for exception in upcoming
            ],
            "categories": list(place.categories.all()),
            "photos": list(place.photos.all()),
            "social_links": list(place.social_links.all()),
            "json_ld": json_ld,
            "embed_code": (
                f'<iframe src="{widget_url}" title="{escape(place.name)}" '
                'width="100%" height="360" loading="lazy"></iframe>'
            ),
            "poster_url": reverse("directory:poster", kwargs={"slug": place.slug}),
            "claim_url": CLAIM_PATH.format(slug=place.slug),
            "map": _map_settings(request),
        },
    )


def published_place_or_404(slug: str) -> Place:
    place = selectors_public.place_for_page(slug=slug)
    if place is None:
        raise Http404(_("Ce lieu n'existe pas ou n'est pas publié."))
    return place
