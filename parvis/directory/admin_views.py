"""Back-office views of the directory outside the snippet views: the geocoding endpoint,
the import (upload → report → confirm), the export and the « À vérifier » list."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .exceptions import DirectoryError, GeocodingUnavailable, ImportFileError
from .forms import ImportConfirmForm, ImportUploadForm
from .geocoding import get_geocoder, in_french_territory
from .models import Place
from .services import imports
from .services.verification import verification_recipient, verification_request_many

SESSION_KEY = "directory_import"
IMPORT_FILE_LIFETIME = 24 * 3600
MAX_REPORTED_ERRORS = 500


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _has_perm(user, *codenames: str) -> bool:
    return any(user.has_perm(f"directory.{codename}") for codename in codenames)


def _require(request, *codenames: str) -> None:
    if not _has_perm(request.user, *codenames):
        raise PermissionDenied


class DirectoryAdminView(WagtailAdminTemplateMixin, View):
    """A page of the admin with Wagtail's furniture, reserved to ``permissions``."""

    permissions: tuple[str, ...] = ()
    header_icon = "site"

    def dispatch(self, request, *args, **kwargs):
        _require(request, *self.permissions)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailsnippets_directory_place:list"), "label": _("Annuaire")},
            {"url": "", "label": self.get_page_title()},
        ]

    def render(self, **context):
        return self.render_to_response(self.get_context_data(**context))


# --- geocoding ----------------------------------------------------------------------------
def geocode(request):
    """JSON: the point of the address given in the query string, or a message to show."""
    _require(request, "add_place", "change_place")
    street = " ".join(
        part
        for part in (request.GET.get("street_number", ""), request.GET.get("street", ""))
        if part
    ).strip()
    postcode = request.GET.get("postcode", "").strip()
    city = request.GET.get("city", "").strip()
    if not street and not city:
        return JsonResponse(
            {
                "ok": False,
                "message": _("Saisissez d'abord l'adresse (voie, code postal, commune)."),
            },
            status=400,
        )
    try:
        result = get_geocoder().geocode(street=street, postcode=postcode, city=city)
    except GeocodingUnavailable as exc:
        return JsonResponse({"ok": False, "message": str(exc.message)}, status=503)
    if result is None:
        return JsonResponse(
            {
                "ok": False,
                "message": _(
                    "Adresse introuvable : vérifiez la voie et le code postal, ou placez le "
                    "point sur la carte."
                ),
            },
            status=404,
        )
    data = {"ok": True, **result.as_dict()}
    if not in_french_territory(result.latitude, result.longitude):
        data["warning"] = outside_france_message()
    return JsonResponse(data)


def outside_france_message() -> str:
    return _(
        "Le point est hors de France (métropole et outre-mer) : vérifiez la latitude et la "
        "longitude (inversées ? signe oublié ?)."
    )


# --- import -------------------------------------------------------------------------------
def _import_dir() -> Path:
    folder = Path(
        getattr(settings, "PARVIS_IMPORT_DIR", "") or Path(tempfile.gettempdir()) / "parvis-imports"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _purge_old_uploads(folder: Path) -> None:
    limit = time.time() - IMPORT_FILE_LIFETIME
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def _stash(request, content: bytes, filename: str) -> str:
    """Keep the upload server-side between the report and the confirmation; the session
    holds its random name and digest, so the browser never sends the data back."""
    _discard(request)
    folder = _import_dir()
    _purge_old_uploads(folder)
    token = secrets.token_hex(16)
    path = folder / f"{token}.upload"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    request.session[SESSION_KEY] = {
        "token": token,
        "name": filename[:200],
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    return token


def _unstash(request, token: str) -> tuple[bytes, str] | None:
    stored = request.session.get(SESSION_KEY) or {}
    if not token or stored.get("token") != token:
        return None
    path = _import_dir() / f"{stored['token']}.upload"
    try:
        content = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != stored.get("sha256"):
        return None
    return content, stored.get("name", "")


def _discard(request) -> None:
    stored = request.session.pop(SESSION_KEY, None) or {}
    token = stored.get("token", "")
    if token and all(char in "0123456789abcdef" for char in token):
        try:
            (_import_dir() / f"{token}.upload").unlink()
        except OSError:
            pass


class ImportView(DirectoryAdminView):
    """Upload a file, read the validation report, then confirm (nothing is written before)."""

    permissions = ("add_place",)
    page_title = gettext_lazy("Importer des fiches")
    template_name = "directory/admin/import.html"

    def dispatch(self, request, *args, **kwargs):
        if not (_has_perm(request.user, "add_place") and _has_perm(request.user, "change_place")):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(
            form=ImportUploadForm(), columns=imports.COLUMNS + imports.IMPORT_ONLY_COLUMNS
        )

    def post(self, request):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form=form, columns=imports.COLUMNS + imports.IMPORT_ONLY_COLUMNS)
        upload = form.cleaned_data["file"]
        try:
            if upload.size > imports.MAX_FILE_SIZE:
                raise ImportFileError(
                    _("Le fichier dépasse 5 Mo. Découpez-le en plusieurs fichiers.")
                )
            content = upload.read()
            table = imports.import_read(content=content, filename=upload.name)
            report = imports.import_validate(table=table)
        except ImportFileError as exc:
            form.add_error("file", exc.message)
            return self.render(form=form, columns=imports.COLUMNS + imports.IMPORT_ONLY_COLUMNS)
        token = _stash(request, content, upload.name)
        return self.render_report(report, token, ImportConfirmForm())

    def render_report(self, report, token, confirm_form):
        errors = report.errors
        return self.render(
            report=report,
            token=token,
            confirm_form=confirm_form,
            errors=errors[:MAX_REPORTED_ERRORS],
            errors_hidden=max(0, len(errors) - MAX_REPORTED_ERRORS),
            to_create=report.count("create"),
            to_update=report.count("update"),
            unchanged=report.count("unchanged"),
            invalid=report.invalid_count,
        )

    def confirm(self, request):
        token = request.POST.get("token", "")
        stashed = _unstash(request, token)
        if stashed is None:
            messages.error(
                request,
                _("Le fichier envoyé n'est plus disponible : envoyez-le de nouveau."),
            )
            return redirect("directory_import:import")
        content, filename = stashed
        confirm_form = ImportConfirmForm(request.POST)
        confirm_form.is_valid()
        skip = confirm_form.cleaned_data.get("skip_invalid", False)
        try:
            # The database may have changed since the report: check everything again.
            table = imports.import_read(content=content, filename=filename)
            report = imports.import_validate(table=table)
            result = imports.import_apply(
                actor=request.user, report=report, skip_invalid=skip, ip=_ip(request)
            )
        except ImportFileError as exc:
            _discard(request)
            messages.error(request, exc.message)
            return redirect("directory_import:import")
        except DirectoryError as exc:
            messages.error(request, exc.message)
            return self.render_report(report, token, confirm_form)
        _discard(request)
        messages.success(request, _("Import terminé : %s") % result.summary())
        return redirect("wagtailsnippets_directory_place:list")


def import_template(request):
    """The empty file with the headers, as CSV (default) or XLSX."""
    _require(request, "add_place")
    rows = imports.import_template_rows()
    if request.GET.get("format") == "xlsx":
        return _file_response(imports.export_xlsx(rows), "modele-annuaire.xlsx", "xlsx")
    return _file_response(imports.export_csv(rows), "modele-annuaire.csv", "csv")


# --- export -------------------------------------------------------------------------------
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file_response(content: bytes, filename: str, kind: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ExportView(DirectoryAdminView):
    """The places matching the list's filters, as CSV or XLSX (public columns only)."""

    permissions = ("view_place", "change_place")
    page_title = gettext_lazy("Exporter l'annuaire")
    template_name = "directory/admin/export.html"

    def get(self, request):
        from .admin_viewsets import PlaceFilterSet

        params = request.GET.copy()
        kind = params.pop("format", [""])[-1]
        filterset = PlaceFilterSet(
            params, queryset=Place.objects.order_by("sort_name", "pk"), request=request
        )
        if kind in CONTENT_TYPES:
            places = filterset.qs if filterset.is_valid() else Place.objects.none()
            rows = imports.export_rows(places)
            stamp = timezone.localdate().isoformat()
            content = imports.export_xlsx(rows) if kind == "xlsx" else imports.export_csv(rows)
            return _file_response(content, f"annuaire-{stamp}.{kind}", kind)
        count = filterset.qs.count() if filterset.is_valid() else 0
        return self.render(filterset=filterset, count=count, query=params.urlencode())


# --- to verify ----------------------------------------------------------------------------
class ToVerifyView(DirectoryAdminView):
    """Published entries not checked for twelve months, oldest first, with one-click and
    bulk « Demander une vérification »."""

    permissions = ("view_place", "change_place")
    page_title = gettext_lazy("Fiches à vérifier")
    template_name = "directory/admin/to_verify.html"
    per_page = 50

    def get(self, request):
        places = Place.objects.to_verify().order_by("last_verified", "name")
        page = Paginator(places, self.per_page).get_page(request.GET.get("p"))
        rows = [(place, verification_recipient(place)) for place in page.object_list]
        return self.render(
            page=page,
            rows=rows,
            can_request=_has_perm(request.user, "change_place"),
        )

    def post(self, request):
        _require(request, "change_place")
        if request.POST.get("place"):
            ids = [request.POST["place"]]
        else:
            ids = request.POST.getlist("selected")
        ids = [int(value) for value in ids if str(value).isdigit()]
        places = list(Place.objects.to_verify().filter(pk__in=ids).order_by("sort_name", "pk"))
        if not places:
            messages.warning(request, _("Cochez au moins une fiche."))
            return redirect("directory_to_verify:list")
        asked, skipped = verification_request_many(
            actor=request.user, places=places, ip=_ip(request)
        )
        if asked:
            messages.success(
                request,
                _("Demande de vérification envoyée pour : %s.")
                % ", ".join(place.name for place in asked),
            )
        if skipped:
            messages.error(
                request,
                _("Aucune adresse e-mail pour : %s. Complétez la fiche (contact privé).")
                % ", ".join(place.name for place in skipped),
            )
        return redirect(f"{reverse('directory_to_verify:list')}?{request.GET.urlencode()}")


__all__ = [
    "ExportView",
    "ImportView",
    "ToVerifyView",
    "geocode",
    "import_template",
    "outside_france_message",
]
