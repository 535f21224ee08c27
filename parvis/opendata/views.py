"""Open-data files and their catalogue page under ``/opendata/``.

The files carry an ``ETag`` (hash of the body) and ``Last-Modified`` (the latest change
of the places they hold), answer conditional requests with 304, and may be read from any
origin. Building them costs a bounded number of queries whatever the number of places.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from parvis.directory import selectors

from . import exports

FILE_CACHE_SECONDS = 60


def _file_response(request: HttpRequest, export: exports.ExportFile, content_type: str):
    etag = quote_etag(hashlib.sha256(export.body).hexdigest()[:32])
    last_modified = int(export.last_modified.timestamp()) if export.last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    response = not_modified or HttpResponse(export.body, content_type=content_type)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Access-Control-Allow-Origin"] = "*"
    # Own Cache-Control: kept out of the page cache, so a change is served at once to
    # whoever revalidates with If-None-Match / If-Modified-Since.
    response["Cache-Control"] = f"public, max-age={FILE_CACHE_SECONDS}"
    return response


@require_safe
def equipments_csv(request: HttpRequest) -> HttpResponse:
    return _file_response(request, exports.equipments_csv(), "text/csv; charset=utf-8")


@require_safe
def places_geojson(request: HttpRequest) -> HttpResponse:
    export = exports.places_geojson(absolute_url=request.build_absolute_uri)
    return _file_response(request, export, "application/geo+json")


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    equipments = selectors.places_for_equipment_file()
    geo = selectors.places_for_geojson()
    datasets = [
        {
            "title": _("Équipements collectifs publics"),
            "description": _(
                "Équipements publics et services municipaux de la commune, au format du "
                "socle commun des données locales (SCDL) : adresse, coordonnées, horaires, "
                "téléphone."
            ),
            "url": "opendata:equipements_csv",
            "format": "CSV",
            "media_type": "text/csv",
            "count": equipments.count(),
            "updated": selectors.last_change(equipments),
            "schema_url": exports.SCDL_EQUIPEMENTS_SCHEMA,
        },
        {
            "title": _("Lieux de l'annuaire"),
            "description": _(
                "Tous les lieux publiés de l'annuaire qui ont des coordonnées (équipements, "
                "associations, commerces…) : nom, catégories, adresse, horaires, "
                "accessibilité, lien vers la fiche."
            ),
            "url": "opendata:places_geojson",
            "format": "GeoJSON",
            "media_type": "application/geo+json",
            "count": geo.count(),
            "updated": selectors.last_change(geo),
            "schema_url": "",
        },
    ]
    return render(
        request,
        "opendata/catalogue.html",
        {
            "datasets": datasets,
            "licence_name": exports.LICENCE_NAME,
            "licence_url": exports.LICENCE_URL,
        },
    )
