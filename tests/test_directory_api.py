"""The public places API: filters, pagination, state at a moment, HTTP caching, and
answers that match their own OpenAPI description."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec

from parvis.core import hours
from parvis.directory.hours_index import hours_index_refresh
from parvis.directory.models import (
    Category,
    Place,
    PlaceException,
    PlaceKind,
    PlaceLink,
    PlaceStatus,
)

PARIS = hours.PARIS
# A Wednesday in June 2026.
WEDNESDAY_10H = "2026-06-10T10:00"


@pytest.fixture
def places(db):
    sport = Category.objects.create(name="Sport", slug="sport")
    tennis = Category.objects.create(name="Tennis", slug="tennis", parent=sport)
    culture = Category.objects.create(name="Culture", slug="culture")
    mairie = Place.objects.create(
        kind=PlaceKind.SERVICE,
        name="Mairie",
        slug="mairie",
        street_number="1",
        street="place de la Mairie",
        postcode="13850",
        city="Gréasque",
        insee_code="13046",
        latitude=Decimal("43.430600"),
        longitude=Decimal("5.545000"),
        phone="01 99 00 00 01",
        email="mairie@example.org",
        opening_hours="Mo-Fr 08:30-12:00,13:30-17:00; PH off",
        wheelchair="yes",
        contact_name="Camille Fictive",
        contact_email="camille.fictive@example.org",
        contact_phone="06 39 98 00 01",
        status=PlaceStatus.PUBLISHED,
    )
    PlaceException.objects.create(
        place=mairie,
        start_date=dt.date(2026, 6, 12),
        end_date=dt.date(2026, 6, 12),
        label="Pont de l'Ascension décalé",
    )
    PlaceLink.objects.create(
        place=mairie, network="mastodon", url="https://social.example.org/@mairie"
    )
    court = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Courts de tennis",
        slug="courts-de-tennis",
        latitude=Decimal("43.425000"),
        longitude=Decimal("5.540000"),
        opening_hours="Mo-Su 08:00-21:00",
        status=PlaceStatus.PUBLISHED,
    )
    court.categories.add(tennis)
    court.save()
    library = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Médiathèque",
        slug="mediatheque",
        latitude=Decimal("43.500000"),
        longitude=Decimal("5.600000"),
        opening_hours="Tu,Th-Sa 14:00-18:00",
        status=PlaceStatus.PUBLISHED,
    )
    library.categories.add(culture)
    library.save()
    draft = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Aaa brouillon",
        slug="brouillon",
        opening_hours="24/7",
        status=PlaceStatus.DRAFT,
    )
    for index in range(5):
        Place.objects.create(
            kind=PlaceKind.BUSINESS,
            name=f"Commerce {index}",
            slug=f"commerce-{index}",
            opening_hours="Mo-Sa 09:00-19:00",
            status=PlaceStatus.PUBLISHED,
        )
    hours_index_refresh(today=dt.date(2026, 6, 10))
    return {"mairie": mairie, "court": court, "library": library, "draft": draft}


@pytest.fixture
def openapi(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _validator(openapi: dict, path: str, status: int = 200) -> Draft202012Validator:
    operation = openapi["paths"][path]["get"]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return Draft202012Validator(
        {**schema, "components": openapi["components"]}, format_checker=FormatChecker()
    )


def _names(data: dict) -> list[str]:
    return [item["name"] for item in data["results"]]


def test_openapi_description_is_valid(openapi):
    validate_spec(openapi)
    assert "/api/v1/places" in openapi["paths"]
    assert "/api/v1/places/{place_id}" in openapi["paths"]


def test_list_matches_its_schema_and_hides_drafts_and_private_fields(client, places, openapi):
    response = client.get("/api/v1/places", {"at": WEDNESDAY_10H})
    assert response.status_code == 200
    data = response.json()
    _validator(openapi, "/api/v1/places").validate(data)
    assert data["count"] == 8
    assert "Aaa brouillon" not in _names(data)
    assert _names(data)[:3] == ["Commerce 0", "Commerce 1", "Commerce 2"]  # by name
    body = response.content.decode()
    for private in ("Camille Fictive", "camille.fictive@example.org", "06 39 98 00 01"):
        assert private not in body
    mairie = next(item for item in data["results"] if item["name"] == "Mairie")
    assert mairie["open_now"] is True
    assert mairie["address"]["full"] == "1 place de la Mairie, 13850 Gréasque"
    assert mairie["url"] == "http://testserver/annuaire/mairie/"
    assert mairie["api_url"] == f"http://testserver/api/v1/places/{places['mairie'].pk}"


def test_list_filters(client, places):
    def names(**params):
        response = client.get("/api/v1/places", {"at": WEDNESDAY_10H, **params})
        assert response.status_code == 200, response.content
        return _names(response.json())

    # Sport includes its child category Tennis.
    assert names(category="sport") == ["Courts de tennis"]
    assert names(kind="facility") == ["Courts de tennis", "Médiathèque"]
    assert len(names(kind=["facility", "service"])) == 3
    assert names(q="média") == ["Médiathèque"]
    assert names(wheelchair="true") == ["Mairie"]
    # The library opens on Tuesdays, Thursdays to Saturdays only.
    assert "Médiathèque" not in names(open_now="true")
    assert "Médiathèque" in names(open_now="true", at="2026-06-11T15:00")
    # Closed on its exceptional day, a Friday.
    assert "Mairie" not in names(open_now="true", at="2026-06-12T10:00")
    assert names(bbox="5.53,43.42,5.55,43.44") == ["Courts de tennis", "Mairie"]


def test_pagination_is_stable_with_links(client, places):
    first = client.get("/api/v1/places", {"limit": 3, "at": WEDNESDAY_10H}).json()
    assert first["count"] == 8 and first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/places?")
    seen = _names(first)
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += _names(page)
    assert len(seen) == len(set(seen)) == 8
    assert seen == sorted(seen)
    back = client.get(page["previous"]).json()
    assert _names(back) == seen[3:6]


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"at": "mercredi"}, "at"),
        ({"bbox": "5.5,43.4"}, "bbox"),
        ({"bbox": "5.6,43.4,5.5,43.5"}, "bbox"),
        ({"category": "inconnue"}, "Catégorie inconnue"),
        ({"limit": 1000}, "limit"),
    ],
)
def test_list_bad_parameters_are_422_with_a_message(client, places, openapi, params, fragment):
    response = client.get("/api/v1/places", params)
    assert response.status_code == 422
    _validator(openapi, "/api/v1/places", 422).validate(response.json())
    assert fragment in str(response.json()["detail"])


def test_detail_at_a_moment(client, places, openapi):
    mairie = places["mairie"]
    response = client.get(f"/api/v1/places/{mairie.pk}", {"at": WEDNESDAY_10H})
    assert response.status_code == 200
    data = response.json()
    _validator(openapi, "/api/v1/places/{place_id}").validate(data)
    assert data["at"] == "2026-06-10T10:00:00+02:00"  # naive: read in Europe/Paris
    assert data["open_now"] is True
    assert data["next_change"] == "2026-06-10T12:00:00+02:00"
    assert data["status_label"] == "Ouvert · ferme à 12:00"
    assert [day["date"] for day in data["week"]][:3] == ["2026-06-10", "2026-06-11", "2026-06-12"]
    assert data["week"][0]["ranges"] == [
        {"start": "08:30", "end": "12:00"},
        {"start": "13:30", "end": "17:00"},
    ]
    assert data["week"][2]["closed"] is True  # the exceptional closure
    assert data["exceptions"] == [
        {
            "start_date": "2026-06-12",
            "end_date": "2026-06-12",
            "closed": True,
            "opening_hours": "",
            "label": "Pont de l'Ascension décalé",
        }
    ]
    assert data["links"] == [{"network": "mastodon", "url": "https://social.example.org/@mairie"}]
    assert "contact_email" not in data and "camille" not in response.content.decode().lower()

    # An aware moment: 17:30 UTC is 19:30 in Paris, closed until Thursday 08:30.
    evening = client.get(f"/api/v1/places/{mairie.pk}", {"at": "2026-06-10T17:30:00Z"}).json()
    assert evening["open_now"] is False
    assert evening["next_change"] == "2026-06-11T08:30:00+02:00"
    assert evening["status_label"] == "Fermé · ouvre demain à 08:30"


def test_detail_invalid_moment_is_422(client, places, openapi):
    response = client.get(f"/api/v1/places/{places['mairie'].pk}", {"at": "2026-13-45T10:00"})
    assert response.status_code == 422
    _validator(openapi, "/api/v1/places/{place_id}", 422).validate(response.json())
    assert "ISO 8601" in response.json()["detail"]


def test_drafts_and_unknown_places_are_404(client, places, openapi):
    for pk in (places["draft"].pk, 999999):
        response = client.get(f"/api/v1/places/{pk}")
        assert response.status_code == 404
        _validator(openapi, "/api/v1/places/{place_id}", 404).validate(response.json())


@pytest.mark.parametrize("path", ["/api/v1/places", "/api/v1/places/{pk}"])
def test_etag_304_cache_control_and_cors(client, places, path):
    url = path.format(pk=places["mairie"].pk)
    response = client.get(url, {"at": WEDNESDAY_10H})
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Access-Control-Allow-Origin"] == "*"
    etag = response["ETag"]
    again = client.get(url, {"at": WEDNESDAY_10H}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    # Another moment is another answer.
    other = client.get(url, {"at": "2026-06-10T19:00"}, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200


def test_list_queries_are_bounded(client, places, django_assert_max_num_queries):
    shops = [
        Place.objects.create(
            kind=PlaceKind.BUSINESS,
            name=f"Boutique {index}",
            slug=f"boutique-{index}",
            opening_hours="Mo-Sa 09:00-19:00",
            status=PlaceStatus.PUBLISHED,
        )
        for index in range(40)
    ]
    hours_index_refresh(places=shops)
    with django_assert_max_num_queries(6):
        response = client.get(
            "/api/v1/places", {"limit": 50, "open_now": "true", "at": WEDNESDAY_10H}
        )
    assert response.json()["count"] == 47  # all but the library


def test_docs_page_loads_nothing_from_elsewhere_and_keeps_the_csp(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html and "http://" not in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # The only <script> without src is a data block, which browsers never execute.
    scripts = html.split("<script")[1:]
    inline = [s for s in scripts if "src=" not in s.split(">", 1)[0]]
    assert all('type="application/json"' in s.split(">", 1)[0] for s in inline)
