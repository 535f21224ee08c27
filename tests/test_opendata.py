"""Open-data files: the SCDL « équipements » CSV validated against the official schema,
the GeoJSON of the directory checked against RFC 7946, HTTP validators, the catalogue."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest
from django.conf import settings

from parvis.core.hours import PARIS
from parvis.core.models import CommuneSettings
from parvis.directory.models import Category, EquipmentTheme, Place, PlaceKind, PlaceStatus
from parvis.opendata.exports import scdl_phone

SCHEMA_PATH = Path("/work/shared/research/artefacts/scdl/scdl-equipements.schema.json")
if not SCHEMA_PATH.exists():  # the research folder beside the repository, wherever it is
    SCHEMA_PATH = (
        Path(settings.BASE_DIR).parent
        / "shared/research/artefacts/scdl/scdl-equipements.schema.json"
    )

PRIVATE = ("Dominique Exemple", "dominique.exemple@example.org", "06 39 98 00 02")


def luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


@pytest.fixture
def places(db):
    commune = CommuneSettings.load()
    commune.name = "Gréasque"
    commune.insee_code = "13046"
    commune.save()
    sport = Category.objects.create(name="Sport", slug="sport")
    mairie = Place.objects.create(
        kind=PlaceKind.SERVICE,
        name="Hôtel de ville",
        slug="hotel-de-ville",
        street_number="1",
        street="Place de l’Hôtel de Ville",
        postcode="13850",
        city="Gréasque",
        latitude=Decimal("43.430600"),
        longitude=Decimal("5.545000"),
        phone="01 99 00 00 01",
        email="mairie@example.org",
        website="https://mairie.example.org/",
        opening_hours="Mo-Fr 08:30-12:00,13:30-17:00; PH off",
        equipment_theme=EquipmentTheme.ADMIN,
        equipment_code="01010101-001",
        equipment_type="Mairie",
        erp_type="W",
        erp_category=5,
        contact_name=PRIVATE[0],
        contact_email=PRIVATE[1],
        contact_phone=PRIVATE[2],
        status=PlaceStatus.PUBLISHED,
    )
    gym = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Gymnase",
        slug="gymnase",
        street="Chemin du Stade",
        postcode="13850",
        city="Gréasque",
        insee_code="13046",
        latitude=Decimal("43.425000"),
        longitude=Decimal("5.540000"),
        phone="+33 1 99 00 00 02",
        opening_hours="Mo-Su 08:00-22:00",
        equipment_theme=EquipmentTheme.SPORT,
        equipment_code="07010101-001",
        equipment_type="Gymnase, salle multisports",
        status=PlaceStatus.PUBLISHED,
        wheelchair="yes",
    )
    gym.categories.add(sport)
    gym.save()
    # Left out of the SCDL file: a business, an incomplete facility, a draft.
    shop = Place.objects.create(
        kind=PlaceKind.BUSINESS,
        name="Boulangerie",
        slug="boulangerie",
        latitude=Decimal("43.431000"),
        longitude=Decimal("5.546000"),
        status=PlaceStatus.PUBLISHED,
    )
    incomplete = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Local sans fiche SCDL",
        slug="local",
        latitude=Decimal("43.432000"),
        longitude=Decimal("5.547000"),
        status=PlaceStatus.PUBLISHED,
    )
    Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Piscine en projet",
        slug="piscine",
        street="Avenue du Projet",
        postcode="13850",
        city="Gréasque",
        latitude=Decimal("43.433000"),
        longitude=Decimal("5.548000"),
        equipment_theme=EquipmentTheme.SPORT,
        equipment_code="07020101-001",
        equipment_type="Piscine",
        status=PlaceStatus.DRAFT,
    )
    # Published without coordinates: not in the GeoJSON either.
    Place.objects.create(
        kind=PlaceKind.ASSOCIATION, name="Club", slug="club", status=PlaceStatus.PUBLISHED
    )
    return {"mairie": mairie, "gym": gym, "shop": shop, "incomplete": incomplete}


def test_equipments_csv_is_valid_scdl(client, places, tmp_path, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/opendata/equipements.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.count(b"\r\n") == 3 and b"\n" not in body.replace(b"\r\n", b"")
    (tmp_path / "equipements.csv").write_bytes(body)

    descriptor = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    custom_checks = descriptor.pop("custom_checks")
    assert custom_checks == [{"name": "french-siret-value", "params": {"column": "COLL_SIRET"}}]
    schema = frictionless.Schema.from_descriptor(descriptor)
    resource = frictionless.Resource(
        path="equipements.csv", basepath=str(tmp_path), schema=schema, encoding="utf-8"
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert list(rows[0]) == [field["name"] for field in descriptor["fields"]]
    assert [row["EQUIP_NOM"] for row in rows] == ["Hôtel de ville", "Gymnase"]  # by code
    # The schema's custom check, done here: the SIRET's Luhn key.
    for row in rows:
        assert row["COLL_SIRET"] == settings.PARVIS_COMMUNE_SIRET
        assert len(row["COLL_SIRET"]) == 14 and luhn_valid(row["COLL_SIRET"])
        assert row["COLL_NOM"] == "Gréasque"
    mairie, gym = rows
    assert mairie["EQUIP_UID"] == "13046-01010101-001"  # INSEE code taken from the commune
    assert mairie["ADR_NUMERO"] == "1"
    assert mairie["ADR_NOMVOIE"] == "Place de l'Hôtel de Ville"
    assert mairie["EQUIP_TEL"] == "+33199000001"
    assert mairie["EQUIP_OUVERTURE"] == "Mo-Fr 08:30-12:00,13:30-17:00; PH off"
    assert (mairie["EQUIP_LAT"], mairie["EQUIP_LONG"]) == ("43.430600", "5.545000")
    assert (mairie["ERP_TYPE"], mairie["ERP_CATEGORIE"]) == ("W", "5")
    assert gym["ADR_NUMERO"] == "99999"  # no number: the schema's convention
    assert gym["EQUIP_TEL"] == "+33199000002"
    assert gym["EQUIP_TYPE"] == "Gymnase salle multisports"  # no comma in this field
    assert b'"Mo-Fr 08:30-12:00,13:30-17:00; PH off"' in body  # quoted: it holds commas
    for private in PRIVATE:
        assert private.encode() not in body


def test_the_default_siret_passes_the_luhn_check():
    assert luhn_valid(settings.PARVIS_COMMUNE_SIRET)
    assert not luhn_valid("21130046000010")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("01 99 00 00 01", "+33199000001"),
        ("01.99.00.00.01", "+33199000001"),
        ("+33 (0)1 99 00 00 01", "+33199000001"),
        ("+33 6 39 98 00 01", "+33639980001"),
        ("0033 1 99 00 00 01", "+33199000001"),
        ("", ""),
        ("3615", ""),
    ],
)
def test_scdl_phone(raw, expected):
    assert scdl_phone(raw) == expected
    assert len(scdl_phone(raw)) <= 13


def _check_geojson(data: dict) -> None:
    """RFC 7946, the parts a reader relies on."""
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    assert isinstance(data["features"], list)
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert set(feature) <= {"type", "id", "geometry", "properties", "bbox"}
        assert isinstance(feature["id"], (int, str))
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert isinstance(lon, float) and isinstance(lat, float)
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert isinstance(feature["properties"], dict)


def test_places_geojson(client, places, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/opendata/places.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    _check_geojson(data)
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    # Published places with coordinates only: no draft, no place without coordinates.
    assert sorted(by_name) == ["Boulangerie", "Gymnase", "Hôtel de ville", "Local sans fiche SCDL"]
    gym = by_name["Gymnase"]
    # Longitude first (Gréasque: about 5.5° E, 43.4° N).
    assert gym["geometry"]["coordinates"] == [5.54, 43.425]
    assert gym["properties"] == {
        "id": places["gym"].pk,
        "name": "Gymnase",
        "kind": "facility",
        "categories": ["Sport"],
        "address": "Chemin du Stade, 13850 Gréasque",
        "url": "http://testserver/annuaire/gymnase/",
        "phone": "+33 1 99 00 00 02",
        "website": "",
        "opening_hours": "Mo-Su 08:00-22:00",
        "wheelchair": "yes",
    }
    for private in PRIVATE:
        assert private.encode() not in response.content


def test_geojson_checks_catch_swapped_coordinates():
    swapped = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": 1,
                "geometry": {"type": "Point", "coordinates": [43.4, 95.5]},
                "properties": {},
            }
        ],
    }
    with pytest.raises(AssertionError):
        _check_geojson(swapped)


@pytest.mark.parametrize("path", ["/opendata/equipements.csv", "/opendata/places.geojson"])
def test_files_answer_conditional_requests(client, places, path):
    first = client.get(path)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    gym = places["gym"]
    gym.name = "Gymnase municipal"
    gym.save()
    changed = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert b"Gymnase municipal" in changed.content


def test_catalogue_lists_the_files_with_licence_and_date(client, places):
    response = client.get("/opendata/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Licence Ouverte 2.0" in html
    assert 'href="/opendata/equipements.csv"' in html
    assert 'href="/opendata/places.geojson"' in html
    assert "CSV" in html and "GeoJSON" in html
    latest = max(places["gym"].updated_at, places["mairie"].updated_at)
    assert f'datetime="{latest.astimezone(PARIS).isoformat()}"' in html
