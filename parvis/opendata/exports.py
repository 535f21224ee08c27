"""The open-data files, built from the directory's selectors.

- ``equipements.csv``: the SCDL « équipements collectifs publics » table (schema 0.1.5,
  https://schema.data.gouv.fr/scdl/equipements/) of the published public facilities and
  municipal services whose SCDL fields are filled; UTF-8, comma-separated, CRLF line ends
  and quoting as RFC 4180.
- ``places.geojson``: every published place with coordinates, RFC 7946 (longitude then
  latitude, WGS 84, no ``crs`` member).

Neither file ever carries a place's private contact fields (``contact_*``). Both are
deterministic for a given database state, so their hash is a valid ETag.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from parvis.core.models import CommuneSettings
from parvis.directory import selectors
from parvis.directory.models import Place

LICENCE_NAME = "Licence Ouverte 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
SCDL_EQUIPEMENTS_SCHEMA = "https://schema.data.gouv.fr/scdl/equipements/0.1.5/"

SCDL_EQUIPEMENTS_FIELDS = [
    "COLL_NOM",
    "COLL_SIRET",
    "EQUIP_UID",
    "EQUIP_THEME",
    "EQUIP_CODE",
    "EQUIP_TYPE",
    "EQUIP_NOM",
    "ADR_NUMERO",
    "ADR_NOMVOIE",
    "ADR_CODEPOSTAL",
    "ADR_COMMUNE",
    "ADR_CLE_INTEROP",
    "ERP_ID",
    "ERP_TYPE",
    "ERP_CATEGORIE",
    "EQUIP_LAT",
    "EQUIP_LONG",
    "EQUIP_OUVERTURE",
    "EQUIP_TEL",
    "EQUIP_EMAIL",
    "EQUIP_WEB",
]

# What the schema's patterns accept in a street name and a commune name.
_NOT_IN_STREET = re.compile(r"[^a-zA-Z0-9\-'\s\u00C0-\u00FF]")
_NOT_IN_COMMUNE = re.compile(r"[^A-Za-z\s\-\u00C0-\u00FF]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    last_modified: dt.datetime | None
    count: int


def _clean(value: str, unwanted: re.Pattern) -> str:
    value = value.replace("\u2019", "'").replace("\u00a0", " ")
    return _SPACES.sub(" ", unwanted.sub(" ", value)).strip()


def scdl_phone(value: str) -> str:
    """A French number as the schema wants it: ``+33`` then 9 digits (13 characters);
    empty when it cannot be read as one."""
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+33") or (digits.startswith("33") and len(digits) == 11):
        digits = digits[2:]
    elif digits.startswith("0033"):
        digits = digits[4:]
    if len(digits) == 10 and digits.startswith("0"):
        digits = digits[1:]
    if len(digits) == 9 and digits[0] != "0":
        return "+33" + digits
    return ""


def _coordinate(value) -> str:
    return f"{float(value):.6f}"


def equipment_row(place: Place, *, commune_name: str, commune_insee: str, siret: str) -> dict:
    insee = place.insee_code or commune_insee
    return {
        "COLL_NOM": commune_name,
        "COLL_SIRET": siret,
        "EQUIP_UID": f"{insee}-{place.equipment_code}",
        "EQUIP_THEME": place.equipment_theme,
        "EQUIP_CODE": place.equipment_code,
        "EQUIP_TYPE": " ".join(place.equipment_type.replace(",", " ").split()),
        "EQUIP_NOM": place.name,
        "ADR_NUMERO": place.street_number.strip().lower() or "99999",
        "ADR_NOMVOIE": _clean(place.street, _NOT_IN_STREET),
        "ADR_CODEPOSTAL": place.postcode,
        "ADR_COMMUNE": _clean(place.city, _NOT_IN_COMMUNE),
        "ADR_CLE_INTEROP": "",
        "ERP_ID": "",
        "ERP_TYPE": place.erp_type,
        "ERP_CATEGORIE": str(place.erp_category or ""),
        "EQUIP_LAT": _coordinate(place.latitude),
        "EQUIP_LONG": _coordinate(place.longitude),
        "EQUIP_OUVERTURE": place.opening_hours,
        "EQUIP_TEL": scdl_phone(place.phone),
        "EQUIP_EMAIL": place.email,
        "EQUIP_WEB": place.website,
    }


def equipments_csv() -> ExportFile:
    """The SCDL équipements file. Places without an INSEE code take the commune's; those
    with neither are left out, as the identifier EQUIP_UID needs one."""
    commune = CommuneSettings.load()
    places = selectors.places_for_equipment_file()
    if not commune.insee_code:
        places = places.exclude(insee_code="")
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=SCDL_EQUIPEMENTS_FIELDS, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    writer.writeheader()
    count = 0
    last_modified = None
    for place in places:
        writer.writerow(
            equipment_row(
                place,
                commune_name=commune.name,
                commune_insee=commune.insee_code,
                siret=settings.PARVIS_COMMUNE_SIRET,
            )
        )
        count += 1
        last_modified = max(filter(None, (last_modified, place.updated_at)))
    return ExportFile(buffer.getvalue().encode("utf-8"), last_modified, count)


GEOJSON_FIELDS = (
    "pk",
    "name",
    "slug",
    "kind",
    "street_number",
    "street",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "phone",
    "website",
    "opening_hours",
    "wheelchair",
    "updated_at",
)


def _address(row: dict) -> str:
    """As :attr:`Place.full_address`, from a row of values."""
    line = " ".join(part for part in (row["street_number"], row["street"]) if part)
    town = " ".join(part for part in (row["postcode"], row["city"]) if part)
    return ", ".join(part for part in (line, town) if part)


def place_feature(row: dict, *, categories: list[str], url: str) -> dict:
    return {
        "type": "Feature",
        "id": row["pk"],
        "geometry": {
            "type": "Point",
            "coordinates": [round(float(row["longitude"]), 6), round(float(row["latitude"]), 6)],
        },
        "properties": {
            "id": row["pk"],
            "name": row["name"],
            "kind": row["kind"],
            "categories": categories,
            "address": _address(row),
            "url": url,
            "phone": row["phone"],
            "website": row["website"],
            "opening_hours": row["opening_hours"],
            "wheelchair": row["wheelchair"],
        },
    }


def places_geojson(*, absolute_url) -> ExportFile:
    """Every published place with coordinates as an RFC 7946 FeatureCollection.

    ``absolute_url`` turns a path into an absolute URL (``request.build_absolute_uri``).
    """
    places = selectors.places_for_geojson()
    categories = selectors.category_names_by_place(places)
    # One reverse() for all: the place URL with a marker where the slug goes.
    marker = "slug-marker"
    url_pattern = absolute_url(reverse("directory:place", kwargs={"slug": marker}))
    features = []
    last_modified = None
    for row in places.values(*GEOJSON_FIELDS):
        url = url_pattern.replace(marker, row["slug"])
        features.append(place_feature(row, categories=categories.get(row["pk"], []), url=url))
        last_modified = max(filter(None, (last_modified, row["updated_at"])))
    body = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return ExportFile(body.encode("utf-8"), last_modified, len(features))
