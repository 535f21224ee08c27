"""Template tags of the directory: the town-hall card and footer fed by the town-hall
place, JSON-LD of a place.

The town hall is a place (``DirectorySettings.town_hall``): when it is set and
published, its address, phone, e-mail, hours and dated exceptions are shown; otherwise
the tags fall back to the commune settings exactly as ``parvis_tags`` does. Core never
imports the directory: the cms templates load these tags instead.

Contract: bounded queries (the setting, the place and its exceptions).
"""

from __future__ import annotations

from types import SimpleNamespace

from django import template
from django.utils import timezone

from parvis.core import hours
from parvis.core.templatetags import parvis_tags

from .. import selectors_public
from ..views.display import format_ranges, place_json_ld, usual_week

register = template.Library()


def _town_hall(context):
    """The town-hall place of the request's site (memoised on the request), or None."""
    request = context.get("request")
    memo = getattr(request, "_parvis_town_hall_place", False) if request is not None else False
    if memo is not False:
        return memo
    place = selectors_public.town_hall_place(request)
    if request is not None:
        request._parvis_town_hall_place = place
    return place


def _contact(commune, place):
    """What the town-hall card and the footer read as ``commune``: the commune's name,
    the place's address and public contact (the commune's when the place has none)."""
    has_address = bool(place.address_line or place.postcode or place.city)
    return SimpleNamespace(
        name=commune.name,
        street=place.address_line if has_address else commune.street,
        postcode=place.postcode if has_address else commune.postcode,
        city=place.city if has_address else commune.city,
        phone=place.phone or commune.phone,
        email=place.email or commune.email,
        social_links=getattr(commune, "social_links", []),
    )


@register.inclusion_tag("includes/town_hall.html", takes_context=True)
def directory_town_hall(context, now=None, heading_level=2):
    """The home page's town-hall card, from the town-hall place when there is one."""
    place = _town_hall(context)
    if place is None or not place.opening_hours:
        data = parvis_tags.town_hall(context, now=now, heading_level=heading_level)
        if place is not None:
            data["commune"] = _contact(data["commune"], place)
        return data
    request = context.get("request")
    commune = parvis_tags._load_setting(parvis_tags.CommuneSettings, request)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    exceptions = place.hours_exceptions()
    days = [
        {"date": day.date, "is_today": day.date == today, "ranges": format_ranges(day.ranges)}
        for day in hours.week(place.opening_hours, today, exceptions=exceptions)
    ]
    return {
        "commune": _contact(commune, place),
        "days": days,
        "status": hours.status_label(place.opening_hours, now, exceptions=exceptions),
        "is_open": hours.is_open(place.opening_hours, now, exceptions=exceptions),
        "heading_level": heading_level,
    }


@register.simple_tag(takes_context=True)
def directory_town_hall_json_ld(context, now=None):
    """JSON-LD of the town hall: the town-hall place's when set, the commune's otherwise."""
    place = _town_hall(context)
    if place is None:
        return parvis_tags.town_hall_json_ld(context, now=now)
    request = context.get("request")
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    url = request.build_absolute_uri(place.get_absolute_url()) if request else ""
    upcoming = selectors_public.upcoming_exceptions(place, today=today)
    return parvis_tags._json_ld(place_json_ld(place, url=url, today=today, exceptions=upcoming))


@register.inclusion_tag("includes/footer.html", takes_context=True)
def directory_site_footer(context):
    """The site footer with the town-hall place's address and public contact when set
    (same template and queries as ``site_footer``, plus the town-hall place)."""
    data = parvis_tags.site_footer(context)
    place = _town_hall(context)
    if place is not None:
        data["commune"] = _contact(data["commune"], place)
    return data


@register.simple_tag
def json_ld(data):
    """``<script type="application/ld+json">`` with ``<``, ``>`` and ``&`` escaped."""
    return parvis_tags._json_ld(data)


@register.simple_tag
def place_usual_week(place, today=None):
    """Monday to Sunday with the usual ranges of a place (no dated exception)."""
    return usual_week(place.opening_hours, today or timezone.localdate())
