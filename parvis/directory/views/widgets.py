"""The embeddable card of a place, framed by other sites (associations, tourism office).

No cookie, no session, no form: the page reads the place and nothing of the visitor.
The CSP middleware allows any ``frame-ancestors`` under ``/widgets/``.
"""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from .display import place_state, week_days
from .public import published_place_or_404, site_url


@xframe_options_exempt
def place_widget(request, slug: str):
    """``/widgets/lieux/<slug>/``: name, address, state now and the next seven days."""
    place = published_place_or_404(slug)
    now = timezone.now()
    return TemplateResponse(
        request,
        "directory/widget.html",
        {
            "place": place,
            "state": place_state(place, now),
            "days": week_days(place, now),
            "page_url": site_url(place.get_absolute_url()),
        },
    )
