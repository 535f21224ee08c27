"""Back-office import of contacts from CSV (``/admin/lettre/import/``).

Requires the ``newsletter.add_contact`` permission. The view orchestrates; the work and its
contract are in :func:`parvis.newsletter.services.imports.contacts_import`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from wagtail import hooks

from .forms import ImportForm
from .services.imports import COLUMNS, contacts_import

PERMISSION = "newsletter.add_contact"


def import_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = contacts_import(
            content=data["file"].read(),
            legal_basis=data["legal_basis"],
            source=data["source"],
            channels=data["channels"],
            actor=request.user,
            skip_bad_rows=data["skip_bad_rows"],
            ip=request.META.get("REMOTE_ADDR"),
        )
    return render(
        request,
        "newsletter/admin/import.html",
        {
            "form": form,
            "report": report,
            "columns": COLUMNS,
            "page_title": _("Importer des contacts"),
            "header_title": _("Importer des contacts"),
        },
    )


admin_urls = [path("lettre/import/", import_view, name="newsletter_import")]


@hooks.register("register_admin_urls")
def register_import_urls():
    return admin_urls
