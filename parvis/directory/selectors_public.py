"""Reads of the public directory pages: search combined with the filters, the category
tree of the filter form, one place with everything its page shows, the town-hall place.

Contract: every function here runs a bounded number of SQL queries whatever the number
of places, and never returns an unpublished place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from wagtail.search.backends import get_search_backend

from .models import Category, DirectorySettings, Place, PlaceException, PlacePhoto
from .selectors import place_list

# A search never ranks more places than this (a commune's directory holds hundreds).
SEARCH_LIMIT = 1000


@dataclass(frozen=True)
class CategoryOption:
    """A category of the filter form, with its depth in the tree (0 for a root)."""

    category: Category
    depth: int

    @property
    def label(self) -> str:
        return "\u2014\u00a0" * self.depth + self.category.name


def category_tree() -> list[CategoryOption]:
    """Every category in tree order (parents before their children), in one query."""
    categories = list(Category.objects.order_by("position", "name"))
    children: dict[int | None, list[Category]] = {}
    known = {category.pk for category in categories}
    for category in categories:
        parent = category.parent_id if category.parent_id in known else None
        children.setdefault(parent, []).append(category)
    options: list[CategoryOption] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for category in children.get(parent, []):
            if category.pk in seen:
                continue
            seen.add(category.pk)
            options.append(CategoryOption(category=category, depth=depth))
            walk(category.pk, depth + 1)

    walk(None, 0)
    return options


def _search_ids(q: str) -> list[int]:
    """Published places matching ``q``, best first: the full-text index (Wagtail search),
    then places whose name or summary contains ``q`` that the index did not return (a
    word being typed, or places saved since the index was last updated)."""
    published = Place.objects.published()
    ranked: list[int] = []
    try:
        backend = get_search_backend()
        ranked = [place.pk for place in backend.search(q, published)[:SEARCH_LIMIT]]
    except Exception:  # noqa: BLE001 - a broken index must not break the directory
        ranked = []
    seen = set(ranked)
    contains = (
        published.filter(Q(name__icontains=q) | Q(summary__icontains=q))
        .exclude(pk__in=seen)
        .order_by("sort_name", "pk")
        .values_list("pk", flat=True)[:SEARCH_LIMIT]
    )
    return ranked + [pk for pk in contains if pk not in seen]


def directory_place_ids(
    *,
    q: str = "",
    kinds: list[str] | None = None,
    category: Category | None = None,
    open_at: dt.datetime | None = None,
    wheelchair: bool = False,
) -> list[int]:
    """Ids of the published places matching the search and the filters, in display order:
    by relevance when ``q`` is given, by name otherwise."""
    filtered = place_list(
        kinds=kinds, category=category, open_at=open_at, wheelchair=wheelchair
    ).values_list("pk", flat=True)
    q = (q or "").strip()
    if not q:
        return list(filtered)
    allowed = set(filtered)
    return [pk for pk in _search_ids(q) if pk in allowed]


def _with_card_data(places: QuerySet[Place]) -> QuerySet[Place]:
    return places.prefetch_related(
        "exceptions",
        Prefetch("categories", queryset=Category.objects.order_by("position", "name")),
    )


def places_by_ids(ids: list[int]) -> list[Place]:
    """The published places of ``ids`` in that order, with what a card or a marker shows
    (exceptions and categories prefetched: three queries in all)."""
    if not ids:
        return []
    places = _with_card_data(Place.objects.published().filter(pk__in=ids))
    by_pk = {place.pk: place for place in places}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def place_for_page(*, slug: str) -> Place | None:
    """A published place with everything its page shows (categories with their parents,
    photos with their images and renditions, social links, exceptions), or None."""
    return (
        Place.objects.published()
        .filter(slug=slug)
        .prefetch_related(
            Prefetch(
                "categories",
                queryset=Category.objects.select_related("parent").order_by("position", "name"),
            ),
            Prefetch(
                "photos",
                queryset=PlacePhoto.objects.select_related("image").prefetch_related(
                    "image__renditions"
                ),
            ),
            "social_links",
            Prefetch("exceptions", queryset=PlaceException.objects.order_by("start_date")),
        )
        .first()
    )


def upcoming_exceptions(place: Place, *, today: dt.date, days: int = 60) -> list[PlaceException]:
    """The place's exceptions that touch the next ``days`` days (uses the prefetch cache)."""
    last = today + dt.timedelta(days=days)
    return sorted(
        (
            exception
            for exception in place.exceptions.all()
            if exception.end_date >= today and exception.start_date <= last
        ),
        key=lambda exception: exception.start_date,
    )


def town_hall_place(request=None) -> Place | None:
    """The published place chosen as the town hall in the directory settings, with its
    exceptions, or None (two queries)."""
    directory = DirectorySettings.load(request_or_site=request)
    if not directory.town_hall_id:
        return None
    return (
        Place.objects.published()
        .filter(pk=directory.town_hall_id)
        .prefetch_related("exceptions")
        .first()
    )
