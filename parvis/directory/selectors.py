"""Reads of the directory, shared by the public pages, the API and the open-data files."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from .models import Category, Place


def place_list(
    *,
    q: str = "",
    kinds: list[str] | None = None,
    category: Category | None = None,
    open_at: dt.datetime | None = None,
    wheelchair: bool = False,
    published_only: bool = True,
) -> QuerySet[Place]:
    """Places matching the filters, ordered by name. ``open_at`` keeps those open then."""
    places = Place.objects.all()
    if published_only:
        places = places.published()
    if kinds:
        places = places.filter(kind__in=kinds)
    if category is not None:
        places = places.filter(categories__in=category.descendant_ids()).distinct()
    if wheelchair:
        places = places.filter(wheelchair="yes")
    if q:
        places = places.filter(name__icontains=q)
    if open_at is not None:
        places = places.prefetch_related("exceptions")
        open_ids = [place.pk for place in places if place.is_open(open_at)]
        places = Place.objects.filter(pk__in=open_ids)
    return places.order_by("name")
