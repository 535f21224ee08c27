"""An A4 poster of a place's usual hours, to print and pin on its door."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors_public
from .display import describe_exception, qr_svg, usual_week
from .public import published_place_or_404, site_url


def place_poster(request, slug: str):
    """``/annuaire/<slug>/affiche/``: name, address, usual week in large type, closures
    of the next 60 days and a QR code to the place's page (its absolute address)."""
    place = published_place_or_404(slug)
    today = timezone.localdate()
    page_url = site_url(place.get_absolute_url())
    return TemplateResponse(
        request,
        "directory/poster.html",
        {
            "place": place,
            "week": usual_week(place.opening_hours, today),
            "exceptions": [
                {"exception": exception, "hours": describe_exception(exception)}
                for exception in selectors_public.upcoming_exceptions(place, today=today)
            ],
            "page_url": page_url,
            "qr": qr_svg(
                page_url,
                label=_("QR code vers la fiche de %(name)s : %(url)s")
                % {"name": place.name, "url": page_url},
            ),
        },
    )
