"""A booking's page and what is done from it (cancel with the refund policy, move,
calendar file), permissions (404 for anyone but the owner, whatever the action), bounded
queries, the « Mes réservations » section of the personal space and the family pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.accounts.models import FamilyMember
from parvis.bookings.models import BookingStatus
from parvis.bookings.services import booking_book_appointment, booking_book_session
from parvis.bookings.views.common import instant_param

from .bookings_helpers import (
    OFFICE_HOURS,
    make_appointment_agenda,
    make_event_agenda,
    next_weekday_at,
    participants,
)
from .test_bookings_views import (
    CAMP_QUESTIONS,
    _fill,
    another_resident_client,
    booking_page,
    prove,
    signed_in_resident,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(client):
    return signed_in_resident(client)


@pytest.fixture
def other_client():
    return another_resident_client()


# --- a booking's page: cancel, move, calendar file, permissions -------------------------------


def _my_appointment(resident, *, hour=9, **agenda_fields):
    agenda = make_appointment_agenda(hours=OFFICE_HOURS, desks=1, **agenda_fields)
    passport = agenda.appointment_types.get(name="Passeport")
    return booking_book_appointment(
        agenda=agenda,
        appointment_type=passport,
        start=next_weekday_at(hour),
        user=resident,
        ants_number="AB12CD34EF",
    )


def test_cancelling_asks_for_confirmation_and_states_the_refund_policy(client, resident):
    booking = _my_appointment(resident)
    url = reverse("bookings:cancel", kwargs={"public_id": booking.public_id})
    page = text(client.get(url))
    assert "Cette réservation est gratuite ou n'a pas été payée : rien à rembourser." in page
    assert ">Confirmer l'annulation</button>" in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # nothing happens on GET

    response = client.post(url, {"reason": "Empêchement"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Empêchement"
    page = text(client.get(booking_page(booking)))
    assert "Votre réservation est annulée." in page and "Réserver à nouveau" in page


def test_cancelling_too_late_is_refused_with_the_reason(client, resident):
    booking = _my_appointment(resident, cancel_until_hours=48)
    url = reverse("bookings:cancel", kwargs={"public_id": booking.public_id})
    with time_machine.travel(booking.start - dt.timedelta(hours=3)):
        client.force_login(resident)  # sessions last eight hours
        page = text(client.get(url))
        assert "ne peut plus être annulée en ligne" in page
        response = client.post(url, {"reason": ""})
    assert response.status_code == 409
    assert "Le délai d'annulation est dépassé" in text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_an_appointment_is_moved_to_another_slot(client, resident):
    booking = _my_appointment(resident)
    day = timezone.localtime(booking.start).date()
    url = reverse("bookings:move", kwargs={"public_id": booking.public_id})
    page = text(client.get(url, {"mois": f"{day:%Y-%m}", "jour": day.isoformat()}))
    assert 'id="calendrier"' in page and "Horaires libres le" in page
    labels = re.findall(r'<label for="id_start_\d+">([^<]+)</label>', page)
    assert "9 h – 9 h 30" not in labels and "10 h – 10 h 30" in labels
    new_start = booking.start + dt.timedelta(hours=1)
    response = client.post(
        f"{url}?mois={day:%Y-%m}&jour={day.isoformat()}", {"start": instant_param(new_start)}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == new_start
    assert "Votre réservation est déplacée au" in text(client.get(booking_page(booking)))


def test_the_calendar_file_describes_the_booking(client, resident):
    booking = _my_appointment(resident)
    response = client.get(reverse("bookings:ics", kwargs={"public_id": booking.public_id}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment;" in response["Content-Disposition"]
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Passeport" in body
    assert f"DTSTART:{booking.start:%Y%m%dT%H%M%S}Z" in body


def test_nobody_else_reads_or_changes_a_booking(client, resident, other_client):
    booking = _my_appointment(resident)
    for name, method in (
        ("booking", "get"),
        ("cancel", "get"),
        ("cancel", "post"),
        ("move", "get"),
        ("move", "post"),
        ("pay", "post"),
        ("accept", "post"),
        ("decline", "post"),
        ("ics", "get"),
    ):
        url = reverse(f"bookings:{name}", kwargs={"public_id": booking.public_id})
        response = getattr(other_client, method)(url, {"start": instant_param(booking.start)})
        assert response.status_code == 404, (name, method)
        unknown = reverse(f"bookings:{name}", kwargs={"public_id": uuid.uuid4()})
        assert getattr(client, method)(unknown).status_code == 404, (name, method)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    # The owner, signed out, is asked to sign in or prove an address, then sees it.
    anonymous = Client()
    response = anonymous.get(booking_page(booking))
    assert response.status_code == 302
    prove(anonymous, resident.email)
    assert anonymous.get(booking_page(booking)).status_code == 404  # an account's booking


def test_booking_page_queries_are_bounded(client, resident, django_assert_max_num_queries):
    camp = make_event_agenda(sessions=1, capacity=10, questions=CAMP_QUESTIONS)
    session = camp.sessions.get()
    answers = {"child_name": "Léo", "age": 8}
    small = booking_book_session(
        session=session, participants=participants(session, 1, answers=answers), user=resident
    )
    large = booking_book_session(
        session=session, participants=participants(session, 4, answers=answers), user=resident
    )
    client.get(booking_page(small))
    with django_assert_max_num_queries(20) as few:
        client.get(booking_page(small))
    with django_assert_max_num_queries(len(few)):
        assert "Enfant 4" in text(client.get(booking_page(large)))


# --- personal space and family ---------------------------------------------------------------


def test_personal_space_lists_upcoming_waiting_and_past_bookings(
    client, resident, django_assert_max_num_queries
):
    appointment = _my_appointment(resident)
    camp = make_event_agenda(title="Stage de théâtre", sessions=1, capacity=1)
    session = camp.sessions.get()
    _fill(session)
    booking_book_session(
        session=session, participants=participants(session), user=resident, join_waiting_list=True
    )
    cancelled = _my_appointment(resident, hour=11)
    from parvis.bookings.services import booking_cancel

    booking_cancel(booking=cancelled, actor=resident)
    make_appointment_agenda(desks=1)  # someone else's agenda: nothing of it shows

    client.get(reverse("accounts:account"))
    with django_assert_max_num_queries(40) as counted:
        response = client.get(reverse("accounts:account"))
    page = text(response)
    section = page[page.index('id="space-bookings"') :]
    assert "Mes réservations" in page
    upcoming = section[section.index("À venir") : section.index("Passées ou annulées")]
    assert booking_page(appointment) in upcoming
    assert "Stage de théâtre" in upcoming and "Position 1 sur la liste d'attente" in upcoming
    past = section[section.index("Passées ou annulées") :]
    assert booking_page(cancelled) in past
    assert "2 personnes enregistrées" in section
    assert 'href="/comptes/famille/"' in section
    # More bookings of every kind: the same number of queries.
    _my_appointment(resident, hour=14)
    other_session = make_event_agenda(sessions=1, capacity=1).sessions.get()
    _fill(other_session)
    booking_book_session(
        session=other_session,
        participants=participants(other_session),
        user=resident,
        join_waiting_list=True,
    )
    with django_assert_max_num_queries(len(counted)):
        page = text(client.get(reverse("accounts:account")))
    assert page.count("Position 1 sur la liste d'attente") == 2


def test_family_members_are_managed_by_their_account_only(client, resident, other_client):
    response = client.post(
        reverse("accounts:family_add"),
        {
            "first_name": "Lou",
            "last_name": "Martin",
            "birth_date": "2019-03-02",
            "relation": "child",
            "notes": "Allergie aux arachides",
        },
    )
    assert response.status_code == 302
    member = FamilyMember.objects.get(first_name="Lou")
    assert member.user == resident
    page = text(client.get(reverse("accounts:family")))
    assert "Lou Martin" in page and "né(e) le 2 mars 2019" in page

    bad = client.post(
        reverse("accounts:family_edit", args=[member.pk]),
        {
            "first_name": "",
            "last_name": "Martin",
            "birth_date": "2999-01-01",
            "relation": "child",
            "notes": "Allergie aux arachides",
        },
    )
    assert bad.status_code == 200
    assert "La date de naissance ne peut pas être dans le futur." in text(bad)
    assert 'value="Allergie aux arachides"' in text(bad)

    for name, method in (
        ("family_edit", "get"),
        ("family_edit", "post"),
        ("family_delete", "get"),
        ("family_delete", "post"),
    ):
        url = reverse(f"accounts:{name}", args=[member.pk])
        assert getattr(other_client, method)(url).status_code == 404
    assert FamilyMember.objects.filter(pk=member.pk).exists()

    assert client.post(reverse("accounts:family_delete", args=[member.pk])).status_code == 302
    assert not FamilyMember.objects.filter(pk=member.pk).exists()
    from parvis.core.models import AuditLogEntry

    actions = set(AuditLogEntry.objects.filter(actor=resident).values_list("action", flat=True))
    assert {"accounts.family_member_added", "accounts.family_member_removed"} <= actions
