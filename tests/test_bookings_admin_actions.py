"""Bookings back office, the agents' work on bookings: booking for a resident at the
counter or by phone (account search, someone without account, paid at the desk or left
to pay online, children registered for a camp week), a booking's actions (cancel after
the delay, approve or refuse the village hall, attendance, move) and closing a period."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core import mail
from django.utils import timezone

from parvis.bookings.models import Booking, BookingEvent, BookingStatus, Closure, Participant

from . import test_bookings_admin as admin_tests
from .bookings_helpers import (
    make_appointment_agenda,
    make_event_agenda,
    make_resident,
    make_resource_agenda,
    next_weekday_at,
)

# The fixtures and builders of the back-office tests (staff groups' permissions, the
# agent's service and signed-in client).
_group_permissions = admin_tests._group_permissions
service = admin_tests.service
other_service = admin_tests.other_service
agent = admin_tests.agent
agent_client = admin_tests.agent_client
_booking = admin_tests._booking
_errors = admin_tests._errors

pytestmark = pytest.mark.django_db


# --- booking for a resident at the counter ----------------------------------------------------


def _person(**fields):
    data = {"person-channel": "counter", "person-comment": ""}
    data.update({f"person-{key}": value for key, value in fields.items()})
    return data


def test_search_an_account_and_book_an_appointment_at_the_counter(agent_client, agent, service):
    agenda = make_appointment_agenda(service=service, desks=1, hours="Mo-Fr 08:00-12:00")
    passport = agenda.appointment_types.get(name="Passeport")
    resident = make_resident("camille.martin@example.org", phone="06 39 98 00 02")
    start = next_weekday_at(9)
    day = timezone.localdate(start).isoformat()
    base = f"/admin/reservations/guichet/{agenda.pk}/"

    search = agent_client.get(f"{base}?q=camille.martin&type={passport.pk}&jour={day}")
    html = search.content.decode()
    assert "camille.martin@example.org" in html
    assert f"compte={resident.pk}" in html

    url = f"{base}?compte={resident.pk}&type={passport.pk}&jour={day}"
    page = agent_client.get(url).content.decode()
    assert "09:00" in page and "Numéro de pré-demande ANTS" in page
    missing = agent_client.post(
        url, {**_person(account=str(resident.pk)), "booking-slot": start.isoformat()}
    )
    assert missing.status_code == 200
    assert not Booking.objects.exists()  # the ANTS number is required for a passport

    response = agent_client.post(
        url,
        {
            **_person(account=str(resident.pk), channel="phone"),
            "booking-slot": start.isoformat(),
            "booking-ants_number": "ab12cd34ef",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    booking = Booking.objects.get()
    assert (booking.user, booking.channel, booking.created_by) == (resident, "phone", agent)
    assert booking.status == BookingStatus.CONFIRMED and booking.start == start
    assert booking.ants_number == "AB12CD34EF"
    assert response["Location"] == f"/admin/reservations/reservations/inspect/{booking.pk}/"
    # The slot is gone from the page.
    again = agent_client.get(url).content.decode()
    assert start.isoformat() not in again


def test_book_for_someone_without_account_by_phone(agent_client, agent, service):
    agenda = make_appointment_agenda(
        service=service, desks=1, types=(("Remise de titre", 10, False),)
    )
    start = next_weekday_at(11)
    kind = agenda.appointment_types.get()
    url = (
        f"/admin/reservations/guichet/{agenda.pk}/?type={kind.pk}"
        f"&jour={timezone.localdate(start).isoformat()}"
    )
    nobody = agent_client.post(url, {**_person(), "booking-slot": start.isoformat()})
    html = nobody.content.decode()
    assert "Indiquez le nom de la personne." in html
    assert "Indiquez un téléphone ou une adresse e-mail" in html
    response = agent_client.post(
        url,
        {
            **_person(
                first_name="Jean", last_name="Dupont", phone="01 99 00 12 34", channel="phone"
            ),
            "booking-slot": start.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    booking = Booking.objects.get()
    assert booking.user is None and booking.last_name == "Dupont"
    assert booking.phone == "01 99 00 12 34" and booking.channel == "phone"


def _tennis(service):
    from .bookings_helpers import make_paid_regie

    return make_resource_agenda(
        service=service,
        hours="Mo-Su 08:00-21:00",
        tariffs=[("resident", 800, "hour"), ("non_resident", 1200, "hour")],
        regie=make_paid_regie(),
    )


def test_paid_court_settled_at_the_desk_is_confirmed_with_a_receipt(agent_client, agent, service):
    agenda = _tennis(service)
    court = agenda.resources.get()
    start = next_weekday_at(10)
    url = (
        f"/admin/reservations/guichet/{agenda.pk}/?ressource={court.pk}"
        f"&jour={timezone.localdate(start).isoformat()}"
    )
    data = {
        **_person(first_name="Léa", last_name="Garcia", email="lea.garcia@example.org"),
        "booking-slot": start.isoformat(),
        "booking-audience": "non_resident",
        "booking-association_name": "",
        "payment-settle": "desk",
        "payment-means": "",
        "payment-reference": "",
    }
    refused = agent_client.post(url, data)
    assert "Choisissez le moyen de paiement." in refused.content.decode()
    assert not Booking.objects.exists()

    response = agent_client.post(
        url, {**data, "payment-means": "cheque", "payment-reference": "CHQ 1234567"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.amount_cents == 1200
    payment = booking.payment
    assert payment.is_offline and payment.is_paid and payment.amount == 1200
    detail = agent_client.get(response["Location"]).content.decode()
    assert payment.refdet in detail and "Confirmée" in detail.replace("confirmée", "Confirmée")


def test_paid_court_left_held_for_online_payment(
    agent_client, service, django_capture_on_commit_callbacks
):
    agenda = _tennis(service)
    court = agenda.resources.get()
    start = next_weekday_at(15)
    url = (
        f"/admin/reservations/guichet/{agenda.pk}/?ressource={court.pk}"
        f"&jour={timezone.localdate(start).isoformat()}"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            url,
            {
                **_person(first_name="Léa", last_name="Garcia", email="lea.garcia@example.org"),
                "booking-slot": start.isoformat(),
                "booking-audience": "resident",
                "payment-settle": "online",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.HELD and booking.payment is None
    # The person gets the link to pay online.
    assert [message.to for message in mail.outbox] == [["lea.garcia@example.org"]]
    assert str(booking.public_id) in mail.outbox[0].body
    # Later the person comes to the desk and pays there.
    settle = agent_client.post(
        f"/admin/reservations/reservations/{booking.pk}/regler/",
        {"settle-means": "cash", "settle-reference": "Reçu 42"},
        follow=True,
    )
    assert "la réservation est confirmée" in settle.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment.is_offline


def test_register_children_for_a_camp_week_at_the_counter(agent_client, agent, service):
    agenda = make_event_agenda(
        service=service,
        capacity=24,
        questions=[
            {"key": "age", "label": "Âge", "kind": "number", "min_value": 3, "max_value": 11},
            {
                "key": "allergies",
                "label": "Allergies",
                "kind": "text",
                "required": False,
                "sensitive": True,
            },
        ],
    )
    session = agenda.sessions.get()
    resident = make_resident("famille.roux@example.org", last_name="Roux", children=1)
    child = resident.family_members.get()
    url = (
        f"/admin/reservations/guichet/{agenda.pk}/?compte={resident.pk}"
        f"&seance={session.pk}&places=2"
    )
    page = agent_client.get(url).content.decode()
    assert "Participant 2" in page and child.first_name in page
    data = {
        **_person(account=str(resident.pk)),
        "p0-family_member": str(child.pk),
        "p0-q_age": "7",
        "p0-q_allergies": "gluten",
        "p1-first_name": "Hugo",
        "p1-last_name": "Roux",
        "p1-q_age": "14",
        "waiting-join_waiting_list": "on",
    }
    too_old = agent_client.post(url, data)
    assert too_old.status_code == 200
    assert not Booking.objects.exists()
    response = agent_client.post(url, {**data, "p1-q_age": "9"})
    assert response.status_code == 302, _errors(response)
    booking = Booking.objects.get()
    assert booking.places == 2 and booking.status == BookingStatus.CONFIRMED
    people = list(booking.participants.order_by("id"))
    assert people[0].family_member == child and people[0].answers["allergies"] == "gluten"
    assert people[1].first_name == "Hugo" and people[1].answers["age"] == 9
    session.refresh_from_db()
    assert session.taken == 2


# --- a booking's actions ----------------------------------------------------------------------


def test_agent_cancels_after_the_delay_with_a_reason(agent_client, service):
    agenda = make_appointment_agenda(service=service, cancel_until_hours=48)
    start = timezone.now() + dt.timedelta(hours=3)
    booking = _booking(agenda, start=start, user=make_resident())
    url = f"/admin/reservations/reservations/{booking.pk}/annuler/"
    no_reason = agent_client.post(url, {"cancel-reason": ""})
    assert no_reason.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    response = agent_client.post(url, {"cancel-reason": "Agent absent"}, follow=True)
    assert "Réservation annulée" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Agent absent"
    assert BookingEvent.objects.filter(booking=booking, kind="cancelled").exists()
    # Nothing more to cancel.
    again = agent_client.get(url, follow=True)
    assert "Cette action n'est pas possible" in html.unescape(again.content.decode())


def test_village_hall_request_approved_or_refused(agent_client, service):
    hall = make_resource_agenda(
        service=service,
        requires_approval=True,
        deposit_cents=50000,
        slot_minutes=None,
        title="Salle des fêtes",
    )
    first = _booking(
        hall,
        start=next_weekday_at(14),
        status=BookingStatus.PENDING_APPROVAL,
        last_name="Assoc",
        end=next_weekday_at(18),
        deposit_cents=50000,
    )
    second = _booking(
        hall,
        start=next_weekday_at(14, days_ahead=9),
        status=BookingStatus.PENDING_APPROVAL,
        last_name="Autre",
        end=next_weekday_at(18, days_ahead=9),
    )
    detail = agent_client.get(f"/admin/reservations/reservations/inspect/{first.pk}/")
    html = detail.content.decode()
    assert "500,00" in html and "Valider" in html and "Refuser" in html
    approved = agent_client.post(
        f"/admin/reservations/reservations/{first.pk}/valider/", follow=True
    )
    assert "Demande validée" in approved.content.decode()
    first.refresh_from_db()
    assert first.status == BookingStatus.CONFIRMED
    no_reason = agent_client.post(
        f"/admin/reservations/reservations/{second.pk}/refuser/", {"refuse-reason": ""}
    )
    assert no_reason.status_code == 200
    agent_client.post(
        f"/admin/reservations/reservations/{second.pk}/refuser/",
        {"refuse-reason": "Salle déjà prêtée à la mairie"},
    )
    second.refresh_from_db()
    assert second.status == BookingStatus.REFUSED


def test_attendance_per_booking_and_per_participant(agent_client, service):
    agenda = make_event_agenda(service=service)
    session = agenda.sessions.get()
    booking = _booking(agenda, start=session.start, end=session.end, session=session, places=2)
    leo = Participant.objects.create(booking=booking, first_name="Léo", last_name="Martin")
    jade = Participant.objects.create(booking=booking, first_name="Jade", last_name="Martin")
    url = f"/admin/reservations/reservations/{booking.pk}/presence/"
    agent_client.post(url, {"attendance-attended": "1", "attendance-participant": str(leo.pk)})
    agent_client.post(url, {"attendance-attended": "0", "attendance-participant": str(jade.pk)})
    leo.refresh_from_db()
    jade.refresh_from_db()
    booking.refresh_from_db()
    assert (leo.attended, jade.attended, booking.attended) == (True, False, True)
    # A no-show marked from the day's planning, which the agent gets back to.
    appointments = make_appointment_agenda(service=service)
    no_show = _booking(appointments, start=next_weekday_at(9))
    day = timezone.localdate(no_show.start).isoformat()
    planning_url = f"/admin/reservations/planning/{appointments.pk}/?jour={day}"
    attendance_url = f"/admin/reservations/reservations/{no_show.pk}/presence/"
    assert attendance_url in agent_client.get(planning_url).content.decode()
    response = agent_client.post(attendance_url, {"attendance-attended": "0", "next": planning_url})
    assert response["Location"] == planning_url
    no_show.refresh_from_db()
    assert no_show.attended is False
    assert "absent" in agent_client.get(planning_url).content.decode()
    elsewhere = agent_client.post(
        attendance_url, {"attendance-attended": "1", "next": "https://example.org/admin/"}
    )
    assert elsewhere["Location"] == f"/admin/reservations/reservations/inspect/{no_show.pk}/"


def test_move_an_appointment(agent_client, service):
    agenda = make_appointment_agenda(service=service, desks=1)
    start = next_weekday_at(9)
    booking = _booking(agenda, start=start, user=make_resident())
    new_start = start + dt.timedelta(hours=2)
    local = timezone.localtime(new_start).strftime("%Y-%m-%dT%H:%M")
    response = agent_client.post(
        f"/admin/reservations/reservations/{booking.pk}/deplacer/",
        {"move-start": local},
        follow=True,
    )
    assert "Réservation déplacée" in response.content.decode(), response.content.decode()[:3000]
    booking.refresh_from_db()
    assert booking.start == new_start


# --- closing a period -------------------------------------------------------------------------


def test_close_a_period_says_how_many_bookings_are_cancelled(
    agent_client, service, django_capture_on_commit_callbacks
):
    agenda = make_appointment_agenda(service=service, desks=2)
    start = next_weekday_at(9)
    for index in range(3):
        _booking(agenda, start=start + dt.timedelta(minutes=30 * index), user=make_resident())
    outside = _booking(agenda, start=start + dt.timedelta(days=1), user=make_resident())
    mail.outbox.clear()
    day = timezone.localtime(start).date()
    data = {
        "agenda": str(agenda.pk),
        "start": f"{day.isoformat()}T00:00",
        "end": f"{(day + dt.timedelta(days=1)).isoformat()}T00:00",
        "reason": "Grève",
        "message": "Reprenez rendez-vous en ligne.",
    }
    check = agent_client.post("/admin/reservations/fermetures/new/", {**data, "check": "1"})
    assert "Cette fermeture annulera 3 réservations" in check.content.decode()
    assert not Closure.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = agent_client.post(
            "/admin/reservations/fermetures/new/", {**data, "confirm": "1"}, follow=True
        )
    assert "3 réservations annulées" in done.content.decode()
    closure = Closure.objects.get()
    assert (
        closure.cancelled_bookings == 3 and closure.created_by.email == "nadia.benali@example.org"
    )
    assert Booking.objects.filter(status=BookingStatus.CANCELLED).count() == 3
    outside.refresh_from_db()
    assert outside.status == BookingStatus.CONFIRMED
    assert len(mail.outbox) == 3
    assert any("Reprenez rendez-vous en ligne." in message.body for message in mail.outbox)


def test_closure_of_another_service_is_refused(agent_client, other_service):
    theirs = make_appointment_agenda(service=other_service)
    response = agent_client.post(
        "/admin/reservations/fermetures/new/",
        {
            "agenda": str(theirs.pk),
            "start": "2027-03-01T00:00",
            "end": "2027-03-02T00:00",
            "reason": "Grève",
            "confirm": "1",
        },
    )
    assert response.status_code == 200  # the agenda is not a valid choice
    assert not Closure.objects.exists()
