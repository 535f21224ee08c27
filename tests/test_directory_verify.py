"""« À vérifier »: the list, the request e-mail with its signed link, and the public
verification page (confirm, report changes, replay, expiry, forgery)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from parvis.core.models import AuditLogEntry, CommuneSettings
from parvis.directory.models import Place, PlaceProposal
from parvis.directory.services.places import place_create, place_update
from parvis.directory.services.verification import verification_token_make

from . import factories
from .conftest import verified_login

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/annuaire/a-verifier/"
OLD = dt.date(2024, 1, 15)


def make_place(name, **fields):
    fields.setdefault("kind", "association")
    fields.setdefault("status", "published")
    return place_create(actor=None, data={"name": name, **fields})


@pytest.fixture
def old_place(db):
    return make_place(
        "Club de pétanque",
        last_verified=OLD,
        email="petanque@example.org",
        contact_name="Alix Exemple",
        contact_email="alix@example.org",
        street="cours Ferrer",
        postcode="13850",
        city="Gréasque",
        phone="01 99 00 40 40",
    )


def link_from(message) -> str:
    match = re.search(r"http://\S+/annuaire/verification/(\S+)/", message.body)
    assert match, message.body
    return f"/annuaire/verification/{match.group(1)}/"


def request_link(client, user, place, capture):
    verified_login(client, user)
    with capture(execute=True):
        response = client.post(LIST_URL, {"place": str(place.pk)})
    assert response.status_code == 302
    client.logout()
    return link_from(mail.outbox[-1])


# --- list and request ----------------------------------------------------------------------
def test_list_shows_entries_not_verified_for_a_year(
    client, communication, old_place, django_assert_max_num_queries
):
    make_place("Jamais vérifiée", email="jamais@example.org")
    make_place("Vérifiée récemment", last_verified=timezone.localdate())
    make_place("Brouillon ancien", last_verified=OLD, status="draft")
    make_place("Sans adresse", last_verified=OLD)
    verified_login(client, communication)
    with django_assert_max_num_queries(30):
        response = client.get(LIST_URL)
    html = response.content.decode()
    assert "Club de pétanque" in html and "Jamais vérifiée" in html
    assert "Vérifiée récemment" not in html
    assert "Brouillon ancien" not in html
    assert "Aucune adresse e-mail" in html
    assert "Demander une vérification" in html


def test_one_click_request_emails_the_private_contact(
    client, communication, old_place, django_capture_on_commit_callbacks
):
    link = request_link(client, communication, old_place, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.to == ["alix@example.org"]
    assert "Club de pétanque" in message.subject
    assert "30 jours" in message.body
    assert message.alternatives and link in message.alternatives[0][0]
    entry = AuditLogEntry.objects.get(action="directory.place.verification_request")
    assert entry.actor == communication
    assert link.startswith("/annuaire/verification/")


def test_bulk_request_falls_back_to_public_email_and_reports_missing(
    client, communication, old_place, django_capture_on_commit_callbacks
):
    public_only = make_place("Chorale", last_verified=OLD, email="chorale@example.org")
    nothing = make_place("Sans adresse", last_verified=OLD)
    verified_login(client, communication)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST_URL,
            {"bulk": "1", "selected": [str(old_place.pk), str(public_only.pk), str(nothing.pk)]},
            follow=True,
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["alix@example.org", "chorale@example.org"]
    assert "Aucune adresse e-mail pour : Sans adresse" in response.content.decode()


def test_elus_cannot_send_requests(client, old_place):
    elu = factories.make_user("elu@example.org", groups=["Élus"])
    verified_login(client, elu)
    assert "Demander une vérification" not in client.get(LIST_URL).content.decode()
    response = client.post(LIST_URL, {"place": str(old_place.pk)})
    assert response.status_code in (302, 403)
    assert not mail.outbox


# --- the public page -------------------------------------------------------------------------
def test_link_shows_public_data_only(client, old_place):
    response = client.get(f"/annuaire/verification/{verification_token_make(place=old_place)}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Club de pétanque" in html
    assert "01 99 00 40 40" in html
    assert "Alix" not in html and "alix@example.org" not in html
    assert "Tout est exact" in html and "Je signale des changements" in html
    assert "<script>" not in html and 'style="' not in html


def test_confirm_sets_last_verified_and_the_link_cannot_be_replayed(
    client, communication, old_place, django_capture_on_commit_callbacks
):
    link = request_link(client, communication, old_place, django_capture_on_commit_callbacks)
    response = client.post(link, {"action": "confirm"})
    assert response.status_code == 200
    assert "est confirmée" in response.content.decode()
    old_place.refresh_from_db()
    assert old_place.last_verified == timezone.localdate()
    entry = AuditLogEntry.objects.get(action="directory.place.verify")
    assert entry.actor is None and entry.data["via"] == "email-link"

    replay = client.post(link, {"action": "confirm"})
    assert replay.status_code == 410
    assert "a déjà servi" in replay.content.decode()
    assert client.get(link).status_code == 410
    assert AuditLogEntry.objects.filter(action="directory.place.verify").count() == 1


def test_link_expires_after_thirty_days(client, old_place):
    token = verification_token_make(place=old_place)
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert client.get(f"/annuaire/verification/{token}/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        response = client.post(f"/annuaire/verification/{token}/", {"action": "confirm"})
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    old_place.refresh_from_db()
    assert old_place.last_verified == OLD


def test_link_dies_when_staff_edit_the_entry(client, old_place):
    token = verification_token_make(place=old_place)
    place_update(actor=None, place=old_place, data={"phone": "01 99 00 41 41"})
    assert client.get(f"/annuaire/verification/{token}/").status_code == 410


@pytest.mark.parametrize("mangle", ["swap-id", "tamper", "garbage"])
def test_forged_links_are_refused(client, old_place, mangle):
    other = make_place("Autre", last_verified=OLD, email="autre@example.org")
    token = verification_token_make(place=old_place)
    if mangle == "swap-id":
        forged = verification_token_make(place=other).split(":")[0] + ":" + token.split(":", 1)[1]
    elif mangle == "tamper":
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        forged = "bonjour"
    response = client.post(f"/annuaire/verification/{forged}/", {"action": "confirm"})
    assert response.status_code == 400
    assert "n'est pas valide" in response.content.decode().replace("&#x27;", "'")
    assert not AuditLogEntry.objects.filter(action="directory.place.verify").exists()


def test_anonymous_changes_are_emailed_to_the_town_hall(
    client, old_place, django_capture_on_commit_callbacks
):
    settings_ = CommuneSettings.load()
    settings_.email = "mairie@example.org"
    settings_.save()
    token = verification_token_make(place=old_place)
    data = {
        "action": "changes",
        "name": "Club de pétanque",
        "street_number": "",
        "street": "cours Ferrer",
        "postcode": "13850",
        "city": "Gréasque",
        "phone": "01 99 00 42 42",
        "email": "petanque@example.org",
        "website": "",
        "opening_hours": "",
        "message": "Nouveau numéro depuis janvier.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/annuaire/verification/{token}/", data)
    assert response.status_code == 200
    assert "transmis à la mairie" in response.content.decode()
    message = mail.outbox[0]
    assert message.to == ["mairie@example.org"]
    assert "01 99 00 42 42" in message.body and "Nouveau numéro" in message.body
    assert message.reply_to == ["alix@example.org"]
    old_place.refresh_from_db()
    assert old_place.phone == "01 99 00 40 40"
    assert old_place.last_verified == OLD
    assert not PlaceProposal.objects.exists()


def test_representative_changes_become_a_proposal(client, old_place):
    resident = factories.make_user("resident@example.org")
    old_place.representatives.add(resident)
    client.force_login(resident)
    token = verification_token_make(place=old_place)
    response = client.post(
        f"/annuaire/verification/{token}/",
        {
            "action": "changes",
            "name": "Club de pétanque gréasquéen",
            "street": "cours Ferrer",
            "postcode": "13850",
            "city": "Gréasque",
            "phone": "01 99 00 40 40",
            "email": "petanque@example.org",
            "message": "Nouveau nom voté en assemblée.",
        },
    )
    assert response.status_code == 200
    proposal = PlaceProposal.objects.get()
    assert proposal.kind == "change" and proposal.proposer == resident
    assert proposal.data["name"] == "Club de pétanque gréasquéen"
    assert Place.objects.get(pk=old_place.pk).name == "Club de pétanque"


def test_bad_change_form_shows_errors_and_sends_nothing(client, old_place):
    token = verification_token_make(place=old_place)
    response = client.post(
        f"/annuaire/verification/{token}/",
        {
            "action": "changes",
            "name": "Club",
            "postcode": "138",
            "message": "",
            "opening_hours": "tous les jours",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un code postal a 5 chiffres." in html
    assert "Horaires illisibles" in html
    assert not mail.outbox
