"""Loads the Gréasque demo directory (called by ``manage.py load_demo``).

Idempotent: categories are looked up by slug and places by ``reference``; only what is
missing is created, nothing that exists is changed. The town-hall setting and the menu
entry are set only when missing. Search indexing is left to the caller
(``load_demo`` runs ``update_index``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.images import get_image_model

from parvis.core.models import MainMenu, MainMenuItem

from ..hours_index import hours_index_refresh
from ..models import (
    Category,
    DirectorySettings,
    Place,
    PlaceException,
    PlaceLink,
    PlacePhoto,
    PlaceStatus,
)
from . import content

# The directory page links to its map (and the map back to the list): one short menu entry,
# before « Contact », keeps the demo's main menu on one line on a desktop screen.
MENU_ENTRIES = [("Annuaire", "/annuaire/")]


def exception_dates(kind: str, today: dt.date) -> list[dict]:
    """Dated exceptions of a demo place, from the loading day: the library's summer
    closure (next August), the crèche's Christmas closure (this winter), the town hall's
    short hours on the 24th and 31st of December."""
    if kind == "library":
        year = today.year if today.month <= 8 else today.year + 1
        return [
            {
                "start_date": dt.date(year, 8, 3),
                "end_date": dt.date(year, 8, 23),
                "label": "Fermeture estivale",
            }
        ]
    if kind == "creche":
        return [
            {
                "start_date": dt.date(today.year, 12, 24),
                "end_date": dt.date(today.year + 1, 1, 1),
                "label": "Fermeture de Noël",
            }
        ]
    if kind == "town_hall":
        return [
            {
                "start_date": dt.date(today.year, 12, day),
                "end_date": dt.date(today.year, 12, day),
                "opening_hours": "08:30-12:00",
                "label": label,
            }
            for day, label in ((24, "Veille de Noël"), (31, "Veille du jour de l'an"))
        ]
    return []


def _categories(created: Counter) -> dict[str, Category]:
    existing = {category.slug: category for category in Category.objects.all()}
    for position, (slug, name, parent) in enumerate(content.CATEGORIES):
        if slug in existing:
            continue
        existing[slug] = Category.objects.create(
            slug=slug,
            name=name,
            parent=existing[parent] if parent else None,
            position=position,
        )
        created["catégories de l'annuaire"] += 1
    return existing


def _place(spec: dict, categories: dict[str, Category], images: dict, today: dt.date) -> Place:
    fields = {
        key: value
        for key, value in spec.items()
        if key not in {"categories", "photo", "links", "exceptions"}
    }
    for name in ("latitude", "longitude"):
        if name in fields:
            fields[name] = Decimal(fields[name])
    fields.setdefault("status", PlaceStatus.PUBLISHED)
    fields.setdefault("postcode", "13850")
    fields.setdefault("city", "Gréasque")
    fields.setdefault("insee_code", "13046")
    place = Place(**fields, last_verified=today)
    place.categories = [categories[slug] for slug in spec.get("categories", [])]
    place.exceptions = [
        PlaceException(sort_order=i, **data)
        for i, data in enumerate(exception_dates(spec.get("exceptions", ""), today))
    ]
    place.social_links = [
        PlaceLink(network=network, url=url, sort_order=i)
        for i, (network, url) in enumerate(spec.get("links", []))
    ]
    image = images.get(spec.get("photo"))
    if image is not None:
        place.photos = [PlacePhoto(image=image, sort_order=0)]
    place.full_clean()
    place.save()
    return place


def _menu(created: Counter) -> None:
    menu = MainMenu.load()
    urls = set(menu.items.values_list("link_url", flat=True))
    for label, url in MENU_ENTRIES:
        if url in urls:
            continue
        items = list(menu.items.order_by("sort_order", "pk"))
        contact = next(
            (index for index, item in enumerate(items) if item.label == "Contact"), len(items)
        )
        for index, item in enumerate(items[contact:], start=contact + 1):
            MainMenuItem.objects.filter(pk=item.pk).update(sort_order=index)
        MainMenuItem.objects.create(
            menu=menu, label=label, link_url=url, show_children=False, sort_order=contact
        )
        created["entrées de menu"] += 1


def load_directory_demo(*, now: dt.datetime | None = None) -> Counter:
    """Create the demo categories and places that are missing; return what was created
    by kind. Idempotent and quick (a few queries per missing place, none per existing)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    created: Counter = Counter()
    with transaction.atomic():
        categories = _categories(created)
        taken = Place.objects.filter(
            Q(reference__in=[spec["reference"] for spec in content.PLACES])
            | Q(slug__in=[spec["slug"] for spec in content.PLACES])
        ).values_list("reference", "slug")
        references = {reference for reference, _slug in taken}
        slugs = {slug for _reference, slug in taken}
        missing = [
            spec
            for spec in content.PLACES
            if spec["reference"] not in references and spec["slug"] not in slugs
        ]
        titles = {spec["photo"] for spec in missing if spec.get("photo")}
        images = {}
        if titles:
            for image in get_image_model().objects.filter(title__in=titles).order_by("pk"):
                images.setdefault(image.title, image)
        new_ids = []
        for spec in missing:
            new_ids.append(_place(spec, categories, images, today).pk)
            created["lieux de l'annuaire"] += 1
        if new_ids:
            # The « ouvert maintenant » index learns the new places once they are committed.
            transaction.on_commit(lambda: hours_index_refresh(places=new_ids))

        directory = DirectorySettings.load()
        if directory.town_hall_id is None:
            directory.town_hall = Place.objects.filter(reference=content.TOWN_HALL).first()
            directory.save()
            created["réglages de l'annuaire"] += 1
        _menu(created)
    return created
