"""The public agendas API: published agendas only, their details and availability,
answers that match their own OpenAPI description, bounded windows and queries, HTTP
caching, and never a holder's personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec

from parvis.bookings.models import Agenda, Booking, BookingStatus, Closure, Session
from parvis.core import hours
from parvis.directory.models import Place, PlaceKind, PlaceStatus

from .bookings_helpers import (
    make_appointment_agenda,
    make_event_agenda,
    make_resource_agenda,
)

PARIS = hours.PARIS
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=PARIS)  # a Wednesday
PRIVATE = ("Camille", "Fictive", "camille.fictive@example.org", "06 39 98 00 01", "Léo")


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


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


def _private_booking(agenda, **fields) -> Booking:
    return Booking.objects.create(
        agenda=agenda,
        status=BookingStatus.CONFIRMED,
        first_name="Camille",
        last_name="Fictive",
        email="camille.fictive@example.org",
        phone="06 39 98 00 01",
        comment="Léo viendra aussi",
        **fields,
    )


@pytest.fixture
def agendas(db):
    place = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Courts de tennis",
        slug="courts",
        opening_hours="Mo-Su 08:00-12:00",
        status=PlaceStatus.PUBLISHED,
    )
    passports = make_appointment_agenda(
        desks=2,
        hours="Mo-Fr 08:30-10:00; PH off",
        title="Passeports",
        summary="Cartes d'identité et passeports",
        max_delay_days=60,
    )
    passports.slug = "passeports"
    passports.save()
    tennis = make_resource_agenda(
        resources=2,
        hours="",
        title="Tennis",
        place=place,
        tariffs=[("resident", 800, "hour"), ("non_resident", 1200, "hour")],
        max_delay_days=30,
    )
    tennis.slug = "tennis"
    tennis.save()
    camp = make_event_agenda(
        sessions=2,
        capacity=10,
        title="Séjour d'été",
        starts=paris(2026, 7, 20, 9),
        categories=[("Plein tarif", 12000, None, False), ("Tarif réduit", 6000, 3, True)],
    )
    camp.slug = "sejour"
    camp.save()
    draft = make_appointment_agenda(title="Brouillon", status=Agenda.Status.DRAFT)
    draft.slug = "brouillon"
    draft.save()
    return {"passports": passports, "tennis": tennis, "camp": camp, "draft": draft}


def test_openapi_description_is_valid(openapi):
    validate_spec(openapi)
    for path in (
        "/api/v1/agendas",
        "/api/v1/agendas/{slug}",
        "/api/v1/agendas/{slug}/availability",
    ):
        assert path in openapi["paths"]


def test_list_of_published_agendas(client, agendas, openapi):
    response = client.get("/api/v1/agendas")
    assert response.status_code == 200
    data = response.json()
    _validator(openapi, "/api/v1/agendas").validate(data)
    assert [item["slug"] for item in data["results"]] == ["passeports", "sejour", "tennis"]
    assert data["count"] == 3
    tennis = data["results"][2]
    assert tennis["kind"] == "resource"
    assert tennis["place_id"] == agendas["tennis"].place_id
    assert tennis["url"] == "http://testserver/reservations/tennis/"
    assert tennis["api_url"] == "http://testserver/api/v1/agendas/tennis"
    assert tennis["service"]["name"] == agendas["tennis"].service.name
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response["Cache-Control"]
    only = client.get("/api/v1/agendas", {"kind": "event"}).json()
    assert [item["slug"] for item in only["results"]] == ["sejour"]
    assert client.get("/api/v1/agendas", {"kind": "autre"}).status_code == 422


def test_details_of_each_kind(client, agendas, openapi):
    validator = _validator(openapi, "/api/v1/agendas/{slug}")
    passports = client.get("/api/v1/agendas/passeports").json()
    validator.validate(passports)
    assert [t["name"] for t in passports["appointment_types"]] == [
        "Carte d'identité",
        "Passeport",
        "Retrait",
    ]
    assert passports["appointment_types"][0]["ants_required"] is True
    assert "Photo d'identité" in passports["appointment_types"][0]["documents"]
    assert passports["resources"] == [] and passports["sessions"] == []
    assert passports["availability_url"].endswith("/api/v1/agendas/passeports/availability")

    tennis = client.get("/api/v1/agendas/tennis").json()
    validator.validate(tennis)
    assert [r["opening_hours"] for r in tennis["resources"]] == ["Mo-Su 08:00-12:00"] * 2
    assert tennis["resources"][0]["booking"] == "slot"
    assert [(t["audience"], t["amount_cents"], t["unit"]) for t in tennis["tariffs"]] == [
        ("resident", 800, "hour"),
        ("non_resident", 1200, "hour"),
    ]

    first = agendas["camp"].sessions.order_by("start").first()
    Session.objects.filter(pk=first.pk).update(taken=4)
    camp = client.get("/api/v1/agendas/sejour").json()
    validator.validate(camp)
    session = camp["sessions"][0]
    assert (session["remaining"], session["state"], session["registration_open"]) == (
        6,
        "open",
        True,
    )
    assert [(c["name"], c["remaining"]) for c in session["categories"]] == [
        ("Plein tarif", 6),
        ("Tarif réduit", 3),
    ]
    assert session["start"] == "2026-07-20T09:00:00+02:00"

    missing = client.get("/api/v1/agendas/brouillon")
    assert missing.status_code == 404
    _validator(openapi, "/api/v1/agendas/{slug}", 404).validate(missing.json())
    assert client.get("/api/v1/agendas/inconnu").status_code == 404


def test_appointment_availability(client, agendas, openapi):
    passports = agendas["passports"]
    passport = passports.appointment_types.get(name="Passeport")
    desk = passports.desks.order_by("sort_order").first()
    _private_booking(
        passports,
        desk=desk,
        appointment_type=passport,
        start=paris(2026, 7, 2, 9),
        end=paris(2026, 7, 2, 9, 30),
    )
    response = client.get(
        "/api/v1/agendas/passeports/availability",
        {"from": "2026-07-02", "to": "2026-07-03", "type": passport.pk},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    _validator(openapi, "/api/v1/agendas/{slug}/availability").validate(data)
    assert (data["from"], data["to"], data["appointment_type_id"]) == (
        "2026-07-02",
        "2026-07-03",
        passport.pk,
    )
    assert [(slot["start"], slot["free"]) for slot in data["slots"][:3]] == [
        ("2026-07-02T08:30:00+02:00", 2),
        ("2026-07-02T09:00:00+02:00", 1),
        ("2026-07-02T09:30:00+02:00", 2),
    ]
    assert data["slots"][0]["end"] == "2026-07-02T09:00:00+02:00"
    assert len(data["slots"]) == 6
    body = response.content.decode()
    for private in PRIVATE:
        assert private not in body


def test_availability_of_resources_and_sessions(client, agendas, openapi):
    validator = _validator(openapi, "/api/v1/agendas/{slug}/availability")
    tennis = agendas["tennis"]
    court = tennis.resources.order_by("sort_order").first()
    _private_booking(tennis, resource=court, start=paris(2026, 7, 2, 9), end=paris(2026, 7, 2, 10))
    Closure.objects.create(
        agenda=tennis, start=paris(2026, 7, 2, 11), end=paris(2026, 7, 2, 12), reason="Tournoi"
    )
    data = client.get(
        "/api/v1/agendas/tennis/availability",
        {"from": "2026-07-02", "to": "2026-07-02", "resource": court.pk},
    ).json()
    validator.validate(data)
    assert [(slot["start"][11:16], slot["free"]) for slot in data["slots"]] == [
        ("08:00", 1),
        ("09:00", 0),
        ("10:00", 1),
        ("11:00", 0),
    ]
    # Two courts: the resource must be named.
    response = client.get("/api/v1/agendas/tennis/availability", {"from": "2026-07-02"})
    assert response.status_code == 422
    assert "resource" in response.json()["detail"]

    first = agendas["camp"].sessions.order_by("start").first()
    Session.objects.filter(pk=first.pk).update(taken=10)
    data = client.get(
        "/api/v1/agendas/sejour/availability", {"from": "2026-07-15", "to": "2026-08-14"}
    ).json()
    validator.validate(data)
    assert [(slot["session_id"], slot["free"]) for slot in data["slots"]] == [
        (first.pk, 0),
        (agendas["camp"].sessions.order_by("start").last().pk, 10),
    ]


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"from": "2026-07-01", "to": "2026-08-01"}, "31 jours"),
        ({"from": "2026-07-10", "to": "2026-07-01"}, "« to »"),
        ({"from": "demain"}, "« from » invalide"),
        ({"from": "2026-07-01", "to": "2026-13-01"}, "« to » invalide"),
        ({"type": 999999}, "type"),
        ({}, "« type » requis"),
    ],
)
def test_bad_parameters_are_422_in_french(client, agendas, openapi, params, fragment):
    response = client.get("/api/v1/agendas/passeports/availability", params)
    assert response.status_code == 422
    _validator(openapi, "/api/v1/agendas/{slug}/availability", 422).validate(response.json())
    assert fragment in str(response.json()["detail"])


def test_thirty_one_days_are_accepted_with_bounded_queries(
    client, agendas, django_assert_max_num_queries
):
    passports = agendas["passports"]
    passport = passports.appointment_types.get(name="Passeport")
    desk = passports.desks.order_by("sort_order").first()
    for day in range(2, 31):
        _private_booking(
            passports,
            desk=desk,
            start=paris(2026, 7, day, 9),
            end=paris(2026, 7, day, 9, 30),
        )
    with django_assert_max_num_queries(8):
        response = client.get(
            "/api/v1/agendas/passeports/availability",
            {"from": "2026-07-01", "to": "2026-07-31", "type": passport.pk},
        )
    assert response.status_code == 200
    assert len(response.json()["slots"]) > 40
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/agendas/sejour").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/agendas/tennis").status_code == 200
    for index in range(5):
        make_event_agenda(title=f"Atelier {index}")
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/agendas").json()["count"] == 8


def test_etag_gives_304(client, agendas):
    court = agendas["tennis"].resources.order_by("sort_order").first()
    url = f"/api/v1/agendas/tennis/availability?resource={court.pk}"
    for path in ("/api/v1/agendas/tennis", url):
        response = client.get(path)
        etag = response["ETag"]
        assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(path, HTTP_IF_NONE_MATCH='"autre"').status_code == 200


def test_no_personal_data_anywhere(client, agendas):
    camp = agendas["camp"]
    session = camp.sessions.order_by("start").first()
    booking = _private_booking(camp, session=session, start=session.start, end=session.end)
    booking.participants.create(first_name="Léo", last_name="Fictive")
    Booking.objects.create(
        agenda=camp,
        session=session,
        start=session.start,
        end=session.end,
        status=BookingStatus.WAITING,
        first_name="Camille",
        email="camille.fictive@example.org",
    )
    for url in (
        "/api/v1/agendas",
        "/api/v1/agendas/sejour",
        "/api/v1/agendas/sejour/availability?from=2026-07-15&to=2026-08-14",
    ):
        body = client.get(url).content.decode()
        for private in PRIVATE:
            assert private not in body, (url, private)
    detail = client.get("/api/v1/agendas/sejour").json()
    assert detail["sessions"][0]["waiting_list_length"] == 1
