"""Resident pages of bookings through the Django test client: browsing availability,
booking each kind of agenda (for oneself, a family member, as a guest with a proven
address), paying through the development simulator, the engine's refusals shown next to
the form with every answer kept, a booking's page and its actions, permissions (404 for
anyone but the owner), the personal-space section and the family pages; bounded queries."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.accounts.email_proof import SESSION_KEY
from parvis.bookings.models import Booking, BookingStatus
from parvis.bookings.services import (
    booking_book_appointment,
    booking_book_session,
)
from parvis.bookings.views.common import instant_param
from parvis.payments.models import Payment

from .bookings_helpers import (
    OFFICE_HOURS,
    make_appointment_agenda,
    make_event_agenda,
    make_resident,
    make_resource_agenda,
    next_weekday_at,
    participants,
)

pytestmark = pytest.mark.django_db

CAMP_QUESTIONS = [
    {"key": "child_name", "label": "Prénom et nom de l'enfant", "kind": "text"},
    {"key": "age", "label": "Âge", "kind": "number", "min_value": 3, "max_value": 17},
    {"key": "allergies", "label": "Allergies", "kind": "long_text", "required": False},
]


def text(response) -> str:
    return unescape(response.content.decode())


def checked(page: str, value: str) -> bool:
    """Whether the radio button (or box) of ``value`` is checked in the page."""
    return bool(re.search(r'value="' + re.escape(value) + r'"[^>]*checked', page))


def book_url(agenda, **params) -> str:
    from django.utils.http import urlencode

    base = reverse("bookings:book", kwargs={"slug": agenda.slug})
    return base + ("?" + urlencode(params) if params else "")


def booking_page(booking) -> str:
    return reverse("bookings:booking", kwargs={"public_id": booking.public_id})


def prove(client, email: str) -> None:
    """What following the e-mailed proof link leaves in the session."""
    session = client.session
    session[SESSION_KEY] = {email: timezone.now().isoformat()}
    session.save()


def signed_in_resident(client):
    """The resident (two children) signed in on ``client``."""
    user = make_resident("camille.martin@example.org", children=2, phone="06 39 98 00 01")
    client.force_login(user)
    return user


def another_resident_client() -> Client:
    other = Client()
    other.force_login(make_resident("dominique.durand@example.org", first_name="Dominique"))
    return other


@pytest.fixture
def resident(client):
    return signed_in_resident(client)


@pytest.fixture
def other_client():
    return another_resident_client()


# --- browsing --------------------------------------------------------------------------------


def test_agenda_list_groups_published_agendas_with_their_next_availability(
    client, django_assert_max_num_queries
):
    passports = make_appointment_agenda(title="Passeports et cartes d'identité")
    courts = make_resource_agenda(title="Courts de tennis", resources=2)
    camp = make_event_agenda(title="Séjour d'été", sessions=2, capacity=3)
    make_event_agenda(title="Atelier brouillon", status="draft")

    client.get("/")  # the site's settings rows are created on the first page
    with django_assert_max_num_queries(30):
        response = client.get("/reservations/")
    assert response.status_code == 200
    page = text(response)
    headings = re.findall(r"<h2 id=\"groupe-[a-z]+\">([^<]+)</h2>", page)
    assert headings == ["Rendez-vous", "Équipements et salles", "Inscriptions et billetterie"]
    for agenda in (passports, courts, camp):
        assert f'href="/reservations/{agenda.slug}/"' in page
    assert "Atelier brouillon" not in page
    assert "Prochain créneau libre (Carte d'identité) : " in page
    assert page.count("Prochain créneau libre") == 2
    assert "6 places restantes ; prochaine séance avec des places le" in page
    # Hints are kept a minute, and events cost one query whatever their number.
    for index in range(3):
        make_event_agenda(title=f"Spectacle {index}")
    # Another address misses the anonymous page cache (not what is measured here) without
    # emptying it: with Redis, clearing one cache empties the whole database, hints too.
    with django_assert_max_num_queries(18):
        again = text(client.get("/reservations/", {"vue": "2"}))
    assert again.count("Spectacle") == 3


def test_appointment_agenda_shows_a_keyboard_calendar_and_the_day_slots(
    client, django_assert_max_num_queries
):
    agenda = make_appointment_agenda(hours=OFFICE_HOURS, desks=2)
    passport = agenda.appointment_types.get(name="Passeport")
    url = reverse("bookings:agenda", kwargs={"slug": agenda.slug})

    page = text(client.get(url))
    assert "Choisissez d'abord le motif" in page
    assert 'id="calendrier-titre"' not in page

    day = timezone.localtime(next_weekday_at(9)).date()
    with django_assert_max_num_queries(24):
        response = client.get(url, {"motif": passport.pk, "mois": f"{day:%Y-%m}", "jour": day})
    page = text(response)
    # The chosen day's link is named for screen readers: weekday, date, free slots.
    label = re.search(rf'aria-label="([^"]+)" data-date="{day}" aria-current="true"', page)
    assert label, "the chosen day is not a link marked current"
    # 08:30-12:00 and 13:30-17:00 in 30-minute appointments: 7 + 7 starts.
    assert label.group(1).endswith(", 14 créneaux libres"), label.group(1)
    slots = re.findall(r'<a class="slot" href="([^"]+)" aria-label="([^"]+)">([^<]+)</a>', page)
    assert [slot[2] for slot in slots][:3] == ["8 h 30", "9 h", "9 h 30"]
    assert len(slots) == 14
    first_href = slots[0][0]
    assert f"motif={passport.pk}" in first_href and "debut=" in first_href


def test_event_agenda_lists_sessions_with_places_and_the_waiting_list_when_full(client):
    camp = make_event_agenda(
        sessions=2,
        capacity=1,
        categories=[("Tarif habitant", 9000, None, True), ("Tarif extérieur", 12000, None, False)],
    )
    first = camp.sessions.order_by("start").first()
    user = make_resident()
    booking_book_session(session=first, participants=participants(first, 1), user=user)

    page = text(client.get(reverse("bookings:agenda", kwargs={"slug": camp.slug})))
    assert "Complet — s'inscrire sur la liste d'attente" in page
    assert "1 place restante" in page
    assert "Tarif habitant : 90,00\u00a0€ (habitants de la commune)" in page
    assert f"seance={first.pk}&amp;attente=1" in response_html(client, camp)


def response_html(client, agenda) -> str:
    return client.get(reverse("bookings:agenda", kwargs={"slug": agenda.slug})).content.decode()


# --- appointments ----------------------------------------------------------------------------


def _appointment_data(start, **extra) -> dict:
    data = {
        "start": instant_param(start),
        "ants_number": "ab12 cd34-ef",
        "first_name": "Camille",
        "last_name": "Martin",
        "phone": "06 39 98 00 01",
        "comment": "Premier passeport de ma fille",
    }
    data.update(extra)
    return data


def test_resident_books_an_appointment_for_a_child_with_the_ants_number(client, resident):
    agenda = make_appointment_agenda(hours=OFFICE_HOURS)
    passport = agenda.appointment_types.get(name="Passeport")
    child = resident.family_members.order_by("first_name").first()
    start = next_weekday_at(9)
    url = book_url(agenda, motif=passport.pk, debut=instant_param(start))

    page = text(client.get(url))
    assert "Numéro de pré-demande ANTS" in page
    assert '<a href="https://ants.gouv.fr" lang="fr">ants.gouv.fr</a>' in page
    assert "Photo d'identité, justificatif de domicile." in page  # documents to bring
    assert checked(page, instant_param(start))
    assert f"{child.full_name} (enfant)" in page

    response = client.post(url, _appointment_data(start, for_whom=f"fm-{child.pk}"))
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == booking_page(booking)
    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.user, booking.family_member, booking.ants_number) == (
        resident,
        child,
        "AB12CD34EF",
    )
    assert booking.start == start and booking.appointment_type == passport

    detail = text(client.get(booking_page(booking)))
    assert "Réservation confirmée." in detail
    assert child.full_name in detail and "AB12CD34EF" in detail
    assert "Photo d'identité" in detail
    for action in ("Ajouter à mon agenda", "Déplacer", "Annuler"):
        assert f">{action}</a>" in detail


def test_a_badly_typed_ants_number_is_shown_next_to_its_field_and_nothing_is_lost(client, resident):
    agenda = make_appointment_agenda(hours=OFFICE_HOURS)
    passport = agenda.appointment_types.get(name="Passeport")
    child = resident.family_members.order_by("first_name").first()
    start = next_weekday_at(9)
    url = book_url(agenda, motif=passport.pk, debut=instant_param(start))

    response = client.post(
        url, _appointment_data(start, ants_number="AB12", for_whom=f"fm-{child.pk}")
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()
    page = text(response)
    assert 'href="#id_ants_number"' in page  # the summary links to the field
    error = re.search(
        r'<div class="field__errors" id="id_ants_number_error">(.*?)</div>', page, re.S
    )
    assert error and "exactement 10 caractères" in error.group(1)
    assert re.search(r'<input[^>]*name="ants_number"[^>]*value="AB12"', page)
    assert re.search(r'name="ants_number"[^>]*aria-invalid="true"', page)
    assert "Premier passeport de ma fille</textarea>" in page
    assert checked(page, f"fm-{child.pk}")
    assert checked(page, instant_param(start))


def test_a_slot_taken_meanwhile_offers_the_day_other_slots_with_the_answers_kept(client, resident):
    agenda = make_appointment_agenda(hours=OFFICE_HOURS, desks=1)
    passport = agenda.appointment_types.get(name="Passeport")
    start = next_weekday_at(9)
    url = book_url(agenda, motif=passport.pk, debut=instant_param(start))
    assert client.get(url).status_code == 200
    # Someone else takes the 9 h slot while the form is open.
    booking_book_appointment(
        agenda=agenda,
        appointment_type=passport,
        start=start,
        user=make_resident(),
        ants_number="ZZ12CD34EF",
    )

    response = client.post(url, _appointment_data(start))
    assert response.status_code == 200
    page = text(response)
    assert "Ce créneau vient d'être pris" in page
    assert "choisissez un autre horaire ci-dessous" in page
    offered = re.findall(r'<label for="id_start_\d+">([^<]+)</label>', page)
    assert "9 h" not in offered and "8 h 30" in offered and "9 h 30" in offered
    assert re.search(r'name="ants_number"[^>]*value="ab12 cd34-ef"', page)  # as typed
    assert "Premier passeport de ma fille</textarea>" in page
    # Choosing another slot of the list books it.
    other = start + dt.timedelta(minutes=30)
    done = client.post(url, _appointment_data(other))
    assert done.status_code == 302
    assert Booking.objects.get(user=resident).start == other


def test_a_slot_gone_before_the_form_opens_is_said_and_others_are_offered(client, resident):
    agenda = make_appointment_agenda(hours=OFFICE_HOURS, desks=1)
    passport = agenda.appointment_types.get(name="Passeport")
    start = next_weekday_at(9)
    booking_book_appointment(
        agenda=agenda,
        appointment_type=passport,
        start=start,
        user=make_resident(),
        ants_number="ZZ12CD34EF",
    )
    page = text(client.get(book_url(agenda, motif=passport.pk, debut=instant_param(start))))
    assert "L'horaire de 9 h n'est plus libre" in page
    assert "9 h 30" in page


def test_guest_books_an_appointment_with_a_proven_address_and_only_they_see_it(client):
    agenda = make_appointment_agenda(hours=OFFICE_HOURS, allow_guests=True)
    card = agenda.appointment_types.get(name="Retrait")
    start = next_weekday_at(10)
    url = book_url(agenda, motif=card.pk, debut=instant_param(start))

    first = client.get(url)
    assert first.status_code == 302
    assert first["Location"].startswith(reverse("accounts:email_proof") + "?next=")

    prove(client, "claude.petit@example.org")
    page = text(client.get(url))
    assert (
        "Vous réservez sans compte : la confirmation sera envoyée à claude.petit@example.org"
        in (page)
    )
    assert "Pour qui ?" not in page and "ANTS" not in page
    response = client.post(
        url,
        {
            "start": instant_param(start),
            "first_name": "Claude",
            "last_name": "Petit",
            "phone": "",
            "comment": "",
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert booking.user is None and booking.email == "claude.petit@example.org"
    assert client.get(booking_page(booking)).status_code == 200

    stranger = Client()
    proof = stranger.get(booking_page(booking))
    assert proof.status_code == 302 and proof["Location"].startswith(
        reverse("accounts:email_proof")
    )
    prove(stranger, "someone.else@example.org")
    assert stranger.get(booking_page(booking)).status_code == 404
    signed_in = Client()
    signed_in.force_login(make_resident())
    assert signed_in.get(booking_page(booking)).status_code == 404


def test_agendas_without_guests_need_an_account(client):
    courts = make_resource_agenda()
    response = client.get(book_url(courts, ressource=courts.resources.get().pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    unverified = make_resident()
    unverified.email_verified_at = None
    unverified.save()
    client.force_login(unverified)
    assert client.get(book_url(courts)).status_code == 403


# --- resources and payment ------------------------------------------------------------------


def _court_data(start, **extra) -> dict:
    data = {
        "start": instant_param(start),
        "audience": "resident",
        "association_name": "",
        "first_name": "Camille",
        "last_name": "Martin",
        "phone": "",
        "comment": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def courts():
    return make_resource_agenda(
        resources=2, tariffs=[("resident", 800, "hour"), ("non_resident", 1200, "hour")]
    )


def _book_court(client, courts, start):
    court = courts.resources.order_by("sort_order").first()
    url = book_url(courts, ressource=court.pk, debut=instant_param(start))
    response = client.post(url, _court_data(start))
    assert response.status_code == 302, text(response)[:2000]
    return Booking.objects.get(public_id=response["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_paid_court_is_held_then_paid_again_after_a_refusal(
    client, resident, courts, django_capture_on_commit_callbacks
):
    court = courts.resources.order_by("sort_order").first()
    start = next_weekday_at(10)
    form = text(client.get(book_url(courts, ressource=court.pk, debut=instant_param(start))))
    assert "Habitant de la commune – 8,00\u00a0€ par heure" in form
    assert checked(form, instant_param(start))

    booking = _book_court(client, courts, start)
    assert booking.status == BookingStatus.HELD and booking.amount_cents == 800
    page = text(client.get(booking_page(booking)))
    until = timezone.localtime(booking.held_until)
    expected = f"{until.hour} h {until.minute:02d}" if until.minute else f"{until.hour} h"
    assert f"Place bloquée jusqu'à {expected}." in page
    assert "Payer 8,00\u00a0€" in page

    pay_url = reverse("bookings:pay", kwargs={"public_id": booking.public_id})
    to_simulator = client.post(pay_url)
    assert to_simulator.status_code == 302
    assert to_simulator["Location"].startswith("/paiement/simulateur/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(to_simulator["Location"], {"outcome": "failed"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    payment_page = text(client.get(f"/paiement/{booking.payment.public_id}/"))
    assert f'href="{booking_page(booking)}">Retour à ma réservation</a>' in payment_page
    page = text(client.get(booking_page(booking)))
    assert "Le paiement n'a pas abouti" in page and "Payer à nouveau 8,00\u00a0€" in page

    again = client.post(pay_url)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(again["Location"], {"outcome": "paid"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Payment.objects.filter(status="paid").count() == 1
    payment_page = text(client.get(done["Location"]))
    assert "Paiement enregistré" in payment_page and "Retour à ma réservation" in payment_page
    page = text(client.get(booking_page(booking)))
    assert "Réservation confirmée." in page and "Paiement reçu" in page
    assert "remboursés en totalité si vous annulez avant le" in page


def test_an_expired_hold_is_said_and_booking_again_keeps_the_answers(client, resident, courts):
    start = next_weekday_at(11)
    booking = _book_court(client, courts, start)
    with time_machine.travel(booking.held_until + dt.timedelta(minutes=1)):
        response = client.post(reverse("bookings:pay", kwargs={"public_id": booking.public_id}))
        assert response.status_code == 409
        page = text(response)
        assert "Le délai pour payer est dépassé" in page
        again = re.search(r'<a class="button" href="([^"]+)">Réserver à nouveau</a>', page)
        assert again and f"depuis={booking.public_id}" in again.group(1)
        form = text(client.get(again.group(1).replace("&amp;", "&")))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert checked(form, instant_param(start))
    assert checked(form, "resident")
    assert re.search(r'name="first_name"[^>]*value="Camille"', form)


def test_an_association_needs_its_name_and_the_rest_is_kept(client, resident, courts):
    court = courts.resources.order_by("sort_order").first()
    start = next_weekday_at(14)
    url = book_url(courts, ressource=court.pk, debut=instant_param(start))
    response = client.post(
        url, _court_data(start, audience="association", comment="Entraînement du club")
    )
    assert response.status_code == 200 and not Booking.objects.exists()
    page = text(response)
    assert "Indiquez le nom de l'association pour ce tarif." in page
    assert "Entraînement du club</textarea>" in page
    assert checked(page, "association")


def test_a_room_is_booked_by_free_range(client, resident):
    hall = make_resource_agenda(
        title="Salle des fêtes", slot_minutes=None, hours="Mo-Su 08:00-22:00", min_minutes=60
    )
    room = hall.resources.get()
    day = timezone.localtime(next_weekday_at(8)).date()
    url = book_url(hall, ressource=room.pk, jour=day.isoformat())
    page = text(client.get(url))
    assert "Libre</dt><dd>de 8 h à 22 h" in page
    start = next_weekday_at(18)
    end = start + dt.timedelta(hours=3)
    wrong = client.post(url, _court_data(end, end=instant_param(start)))
    assert "La fin doit être après le début." in text(wrong)
    response = client.post(url, _court_data(start, end=instant_param(end)))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.start, booking.end, booking.resource) == (start, end, room)


# --- sessions, waiting list, offers ----------------------------------------------------------


@pytest.fixture
def camp():
    return make_event_agenda(title="Séjour d'été", sessions=1, capacity=2, questions=CAMP_QUESTIONS)


def test_a_child_and_a_friend_are_registered_with_their_answers(client, resident, camp):
    session = camp.sessions.get()
    child = resident.family_members.order_by("first_name").first()
    url = book_url(camp, seance=session.pk)
    page = text(client.get(url))
    assert page.count('class="fieldset participant"') == 1
    assert "Prénom et nom de l'enfant" in page and "Allergies" in page

    # Two participants: the answers typed for the first one stay, nothing is flagged yet.
    first = {
        "places": "2",
        "phone": "06 39 98 00 01",
        "p1-who": f"fm-{child.pk}",
        "p1-category": str(session.categories.get().pk),
        "p1-q_child_name": child.full_name,
        "p1-q_age": "9",
        "p1-q_allergies": "Arachides",
    }
    more = text(client.post(url, {**first, "action": "places"}))
    assert more.count('class="fieldset participant"') == 2
    assert "error-summary" not in more
    assert re.search(r'name="p1-q_age"[^>]*value="9"', more)
    assert "Arachides</textarea>" in more and checked(more, f"fm-{child.pk}")

    incomplete = {**first, "action": "book", "p2-who": "other", "p2-q_age": "30"}
    response = client.post(url, incomplete)
    assert response.status_code == 200 and not Booking.objects.exists()
    page = text(response)
    assert "Participant 2, Prénom du participant : Indiquez le prénom et le nom" in page
    assert "Participant 2, Âge : " in page  # 30 is over the maximum of 17
    assert "Arachides</textarea>" in page

    complete = {
        **first,
        "action": "book",
        "p2-who": "other",
        "p2-first_name": "Noé",
        "p2-last_name": "Bernard",
        "p2-category": str(session.categories.get().pk),
        "p2-q_child_name": "Noé Bernard",
        "p2-q_age": "10",
    }
    response = client.post(url, complete)
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED and booking.places == 2
    rows = list(booking.participants.order_by("pk"))
    assert rows[0].family_member == child and rows[0].answers == {
        "child_name": child.full_name,
        "age": 9,
        "allergies": "Arachides",
    }
    assert (rows[1].first_name, rows[1].answers["age"]) == ("Noé", 10)
    detail = text(client.get(booking_page(booking)))
    assert "Allergies : Arachides" in detail and "Noé Bernard" in detail


def _fill(session, count=1):
    """Someone else takes ``count`` places."""
    answers = {"child_name": "Enfant", "age": 8} if session.agenda.questions.exists() else {}
    return booking_book_session(
        session=session,
        participants=participants(session, count, answers=answers),
        user=make_resident(),
    )


def test_a_full_session_offers_the_waiting_list_with_the_same_answers(client, resident, camp):
    session = camp.sessions.get()
    url = book_url(camp, seance=session.pk)
    data = {
        "places": "1",
        "phone": "",
        "action": "book",
        "p1-who": "me",
        "p1-category": str(session.categories.get().pk),
        "p1-q_child_name": "Camille Martin",
        "p1-q_age": "12",
        "p1-q_allergies": "Aucune",
    }
    assert client.get(url).status_code == 200
    _fill(session, 2)  # the last places go while the form is open

    response = client.post(url, data)
    assert response.status_code == 200 and not Booking.objects.filter(user=resident).exists()
    page = text(response)
    assert "Cette séance est complète." in page
    assert '<button type="submit" class="button" name="action" value="waiting_list">' in page
    assert "Aucune</textarea>" in page

    response = client.post(url, {**data, "action": "waiting_list"})
    assert response.status_code == 302
    booking = Booking.objects.get(user=resident)
    assert booking.status == BookingStatus.WAITING
    assert booking.participants.get().answers["allergies"] == "Aucune"
    detail = text(client.get(booking_page(booking)))
    assert "Vous êtes en position 1 sur la liste d'attente." in detail
    assert ">Quitter la liste d'attente</a>" in detail

    # Straight from the agenda page's « Complet » button: the waiting-list form.
    page = text(client.get(book_url(camp, seance=session.pk, attente=1)))
    assert "Inscription sur la liste d'attente" in page


def test_an_offered_place_is_accepted_or_declined(client, resident, other_client):
    camp = make_event_agenda(sessions=1, capacity=1)
    session = camp.sessions.get()
    holder = _fill(session)
    mine = booking_book_session(
        session=session, participants=participants(session), user=resident, join_waiting_list=True
    )
    from parvis.bookings.services import booking_cancel

    booking_cancel(booking=holder, actor=holder.user)
    mine.refresh_from_db()
    assert mine.status == BookingStatus.OFFERED
    page = text(client.get(booking_page(mine)))
    assert "Une place s'est libérée pour vous !" in page
    assert ">Accepter la place</button>" in page and ">Refuser</button>" in page

    space = text(client.get(reverse("accounts:account")))
    assert "Place proposée : à accepter avant le" in space

    accept = reverse("bookings:accept", kwargs={"public_id": mine.public_id})
    assert other_client.post(accept).status_code == 404
    response = client.post(accept)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == BookingStatus.CONFIRMED
    assert "Vous avez accepté la place proposée." in text(client.get(booking_page(mine)))
    # Accepting twice is refused with a message, not an error page.
    again = client.post(accept)
    assert again.status_code == 409
    assert "Cette action n'est pas possible" in text(again)


def test_declining_an_offer_passes_it_on(client, resident):
    camp = make_event_agenda(sessions=1, capacity=1)
    session = camp.sessions.get()
    holder = _fill(session)
    mine = booking_book_session(
        session=session, participants=participants(session), user=resident, join_waiting_list=True
    )
    from parvis.bookings.services import booking_cancel

    booking_cancel(booking=holder, actor=holder.user)
    response = client.post(reverse("bookings:decline", kwargs={"public_id": mine.public_id}))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == BookingStatus.CANCELLED


def test_event_and_room_pages_keep_their_queries_bounded(client, django_assert_max_num_queries):
    few = make_event_agenda(sessions=2, capacity=5)
    many = make_event_agenda(sessions=8, capacity=5)
    client.get("/")
    with django_assert_max_num_queries(30) as counted:
        client.get(reverse("bookings:agenda", kwargs={"slug": few.slug}))
    with django_assert_max_num_queries(len(counted)):
        page = text(client.get(reverse("bookings:agenda", kwargs={"slug": many.slug})))
    assert page.count('class="session-card"') == 8

    hall = make_resource_agenda(
        title="Salle des fêtes", slot_minutes=None, hours="Mo-Su 08:00-22:00", resources=1
    )
    day = timezone.localtime(next_weekday_at(8)).date()
    page = text(
        client.get(
            reverse("bookings:agenda", kwargs={"slug": hall.slug}),
            {"mois": f"{day:%Y-%m}", "jour": day.isoformat()},
        )
    )
    assert re.search(rf'aria-label="[^"]+, disponible" data-date="{day}"', page)
    assert "Libre de 8 h à 22 h." in page
    assert f"ressource={hall.resources.get().pk}&jour={day}" in page
