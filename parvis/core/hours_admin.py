"""Back-office view of the hours engine: the weekly preview of the hours editor.

``GET /admin/horaires/apercu/?value=…[&debut=AAAA-MM-JJ]`` answers JSON:
``{"valid": true, "value", "grid" (or null), "description", "days": […], "html"}`` or
``{"valid": false, "error", "position", "html"}``. ``html`` is the preview fragment the
widget shows. Registered with ``register_admin_urls``, so only people allowed in the
admin (with a verified second factor) reach it.
"""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from parvis.core import hours

MAX_VALUE_LENGTH = 1000


def _format_range(begin: dt.time, end: dt.time) -> str:
    return f"{begin:%H:%M}–{end:%H:%M}"


def preview_context(value: str, start: dt.date | None = None) -> dict:
    """Data of the preview: the seven days from ``start`` (today) or the problem."""
    start = start or timezone.localdate()
    value = value or ""
    problem = hours.find_problem(value) if value else None
    if problem is not None:
        return {"valid": False, "error": problem.message, "position": problem.position}
    days = []
    for day in hours.week(value, start):
        days.append(
            {
                "date": day.date,
                "iso": day.date.isoformat(),
                "is_today": day.date == timezone.localdate(),
                "ranges": [_format_range(begin, end) for begin, end in day.ranges],
                "closed": day.is_closed,
                "public_holiday": day.public_holiday,
                "label": day.label,
            }
        )
    grid = hours.parse_grid(value)
    return {
        "valid": True,
        "empty": not value,
        "value": value,
        "grid": grid.as_dict() if grid is not None else None,
        "description": hours.describe(value),
        "days": days,
    }


@require_GET
def preview_view(request):
    value = request.GET.get("value", "")[:MAX_VALUE_LENGTH]
    start = None
    if request.GET.get("debut"):
        try:
            start = dt.date.fromisoformat(request.GET["debut"])
        except ValueError:
            start = None
    context = preview_context(value, start)
    html = render_to_string("core/widgets/opening_hours_preview.html", {"preview": context})
    data = {key: item for key, item in context.items() if key != "days"}
    if context["valid"]:
        data["days"] = [
            {key: item for key, item in day.items() if key != "date"} for day in context["days"]
        ]
    data["html"] = html
    return JsonResponse(data)


def admin_urls():
    return [path("horaires/apercu/", preview_view, name="parvis_hours_preview")]
