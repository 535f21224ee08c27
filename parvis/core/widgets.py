"""Form widgets of the back office.

:class:`OpeningHoursWidget` edits an OpenStreetMap ``opening_hours`` value with a weekly
grid (one row per weekday, several time ranges each, public holidays closed or open)
that writes the value live into the raw text input. The raw input stays visible and
editable for experts; when its value cannot be shown as a grid, the grid says so and
only the raw input is used. A preview of the next seven days (public holidays
included) is rendered by the server, first with the page, then by
``GET /admin/horaires/apercu/?value=…`` (see :mod:`parvis.core.hours_admin`).
"""

from __future__ import annotations

import json

from django import forms
from django.urls import NoReverseMatch, reverse

from parvis.core import hours


def _weekday_names():
    from django.utils.translation import gettext as _

    return (
        _("Lundi"),
        _("Mardi"),
        _("Mercredi"),
        _("Jeudi"),
        _("Vendredi"),
        _("Samedi"),
        _("Dimanche"),
    )


class OpeningHoursWidget(forms.TextInput):
    template_name = "core/widgets/opening_hours.html"

    class Media:
        js = ("parvis/admin/hours-editor.js",)
        css = {"all": ("parvis/admin/hours-editor.css",)}

    def __init__(self, attrs=None):
        attrs = {"autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        attrs["class"] = (attrs.get("class", "") + " parvis-hours__raw").strip()
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        from parvis.core.hours_admin import preview_context

        context = super().get_context(name, value, attrs)
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        grid = hours.parse_grid(text)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        try:
            preview_url = reverse("parvis_hours_preview")
        except NoReverseMatch:  # the admin URLs are not loaded (unusual set-ups)
            preview_url = ""
        context["hours"] = {
            "id": widget_id,
            "grid_json": json.dumps(grid.as_dict()) if grid is not None else "",
            "days": [
                {"index": index, "code": code, "name": day_name}
                for index, (code, day_name) in enumerate(
                    zip(hours.grid.DAY_CODES, _weekday_names(), strict=True)
                )
            ],
            "preview_url": preview_url,
            "preview": preview_context(text),
        }
        return context
