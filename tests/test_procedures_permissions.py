"""Nobody reads or acts on someone else's request by changing an id or an address: another
resident, a guest who proved another address, an agent of another service all get a 404
(the same as for an unknown id) and change nothing. Internal notes never reach the
requester's page."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.accounts.email_proof import email_proof_token
from parvis.procedures.models import Attachment, RequestEvent
from parvis.procedures.services.definitions import draft_save
from parvis.procedures.services.requests import (
    request_ask_document,
    request_assign,
    request_message,
    request_note,
    request_submit,
)

from .conftest import verified_login
from .procedures_helpers import (
    field,
    make_agent,
    make_attachment,
    make_procedure,
    make_resident,
    make_service,
    private_media,  # noqa: F401  (fixture)
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

NOTE = "Note interne : vérifier l'identité au guichet"


@pytest.fixture
def world():
    """Two services with an agent each, two residents with a request each (Camille's has
    an attachment, an internal note, an assignment and a document asked for)."""
    civil = make_service("État civil")
    works = make_service("Services techniques")
    civil_agent = make_agent(civil, email="agent.civil@example.org")
    works_agent = make_agent(works, email="agent.travaux@example.org")
    procedure = make_procedure([field("text", "objet", "Objet")], service=civil)
    camille = make_resident("camille.martin@example.org")
    dominique = make_resident("dominique.exemple@example.org", first_name="Dominique")

    def submit(user):
        return request_submit(
            procedure=procedure,
            version=procedure.current_version,
            data={"objet": f"Demande de {user.first_name}"},
            user=user,
            email=user.email,
        )

    mine, theirs = submit(camille), submit(dominique)
    attachment = make_attachment(request=mine, name="livret.pdf", user=camille)
    request_note(request=mine, text=NOTE, actor=civil_agent)
    request_assign(requests=[mine], agent=civil_agent, actor=civil_agent)
    asked = request_ask_document(request=mine, text="Justificatif de domicile", actor=civil_agent)
    request_message(request=mine, text="Message visible", actor=civil_agent)
    return {
        "civil": civil,
        "civil_agent": civil_agent,
        "works_agent": works_agent,
        "camille": camille,
        "dominique": dominique,
        "mine": mine,
        "theirs": theirs,
        "attachment": attachment,
        "asked": asked,
        "procedure": procedure,
    }


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _agent(user) -> Client:
    return verified_login(Client(), user)


def _urls(req, asked) -> dict[str, tuple[str, str, dict]]:
    pid = req.public_id
    return {
        "page": ("get", reverse("procedures:request", args=[pid]), {}),
        "receipt": ("get", reverse("procedures:request_receipt", args=[pid]), {}),
        "message": ("post", reverse("procedures:request_message", args=[pid]), {"text": "Intrus"}),
        "document": (
            "post",
            reverse("procedures:request_document", args=[pid, asked.pk]),
            {f"piece-{asked.pk}-file": upload("intrus.pdf")},
        ),
        "transition": (
            "post",
            reverse("procedures:request_transition", args=[pid]),
            {"to": "en-cours"},
        ),
        "pay": ("post", reverse("procedures:request_pay", args=[pid]), {}),
    }


def _fresh(data: dict) -> dict:
    """Uploaded files can be read once: a new one for each attempt."""
    return {
        key: upload(value.name) if hasattr(value, "read") else value for key, value in data.items()
    }


def _assert_nothing_changed(world, before_events: int) -> None:
    mine = world["mine"]
    assert mine.events.count() == before_events
    assert not mine.events.filter(text="Intrus").exists()
    assert Attachment.objects.filter(request=mine).count() == 1
    mine.refresh_from_db()
    assert mine.payment_id is None


def test_another_resident_gets_404_everywhere(world):
    client = _login(world["dominique"])
    before = world["mine"].events.count()
    for name, (method, url, data) in _urls(world["mine"], world["asked"]).items():
        response = getattr(client, method)(url, _fresh(data))
        assert response.status_code == 404, name
        assert world["mine"].number not in response.content.decode(), name
    _assert_nothing_changed(world, before)
    # Dominique's own page works.
    own = client.get(reverse("procedures:request", args=[world["theirs"].public_id]))
    assert own.status_code == 200


def test_an_unknown_id_and_a_foreign_one_answer_alike(world):
    client = _login(world["dominique"])
    foreign = client.get(reverse("procedures:request", args=[world["mine"].public_id]))
    unknown = client.get(reverse("procedures:request", args=[uuid.uuid4()]))
    assert foreign.status_code == unknown.status_code == 404


def test_a_document_request_of_another_request_cannot_be_answered_from_mine(world):
    """Changing the event id in the upload address: the event must belong to the page's
    request."""
    other_asked = request_ask_document(
        request=world["theirs"], text="Pièce pour Dominique", actor=world["civil_agent"]
    )
    client = _login(world["camille"])
    url = reverse("procedures:request_document", args=[world["mine"].public_id, other_asked.pk])
    response = client.post(url, {f"piece-{other_asked.pk}-file": upload()})
    assert response.status_code == 404
    other_asked.refresh_from_db()
    assert not other_asked.resolved
    assert not Attachment.objects.filter(request=world["theirs"]).exists()


def test_a_guest_who_proved_another_address_gets_404(world):
    guest_request = request_submit(
        procedure=world["procedure"],
        version=world["procedure"].current_version,
        data={"objet": "Demande sans compte"},
        email="invite@example.org",
    )
    client = Client()
    token = email_proof_token(email="quelquun.dautre@example.org", next_url="/")
    client.get(reverse("accounts:email_proof_confirm", kwargs={"token": token}))
    for req in (guest_request, world["mine"]):
        assert client.get(reverse("procedures:request", args=[req.public_id])).status_code == 404
    att = make_attachment(request=guest_request, name="invite.pdf")
    assert client.get(reverse("procedures:attachment", args=[att.public_id])).status_code == 404


def test_a_request_made_from_an_account_needs_that_account(world):
    """Proving the address by e-mail is not enough for a request made from an account:
    sign in."""
    client = Client()
    token = email_proof_token(email=world["camille"].email, next_url="/")
    client.get(reverse("accounts:email_proof_confirm", kwargs={"token": token}))
    assert (
        client.get(reverse("procedures:request", args=[world["mine"].public_id])).status_code == 404
    )


def test_an_unverified_account_with_the_same_address_cannot_read_a_guest_request(world):
    guest_request = request_submit(
        procedure=world["procedure"],
        version=world["procedure"].current_version,
        data={"objet": "Demande sans compte"},
        email="sans.compte@example.org",
    )
    squatter = make_resident("sans.compte@example.org", verified=False)
    response = _login(squatter).get(reverse("procedures:request", args=[guest_request.public_id]))
    assert response.status_code == 404


def test_internal_notes_and_assignments_never_reach_the_requester(world):
    response = _login(world["camille"]).get(
        reverse("procedures:request", args=[world["mine"].public_id])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Message visible" in html
    assert "Justificatif de domicile" in html
    assert "vérifier l&#x27;identité" not in html and "Note interne" not in html
    agent = world["civil_agent"]
    assert agent.email not in html and (agent.get_full_name() not in html)
    assert "attribution" not in html.lower()
    # Even a note wrongly flagged visible is not shown (the timeline drops internal kinds).
    RequestEvent.objects.filter(kind=RequestEvent.Kind.NOTE).update(visible_to_resident=True)
    html = (
        _login(world["camille"])
        .get(reverse("procedures:request", args=[world["mine"].public_id]))
        .content.decode()
    )
    assert "Note interne" not in html


# --- attachments ------------------------------------------------------------------------------


def _download(client, attachment):
    return client.get(reverse("procedures:attachment", args=[attachment.public_id]))


def test_requester_downloads_an_attachment_with_safe_headers(world):
    response = _download(_login(world["camille"]), world["attachment"])
    assert response.status_code == 200
    with world["attachment"].file.open("rb") as stored:
        original = stored.read()
    assert original.startswith(b"%PDF-")
    assert b"".join(response.streaming_content) == original
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "livret.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_attachment_files_are_not_under_media(world, settings):
    path = Path(world["attachment"].file.path).resolve()
    private_root = Path(world["attachment"].file.storage.location).resolve()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    assert path.is_relative_to(private_root)
    assert not path.is_relative_to(media_root) and not private_root.is_relative_to(media_root)
    # The page links to the checking view, never to a storage path.
    html = (
        _login(world["camille"])
        .get(reverse("procedures:request", args=[world["mine"].public_id]))
        .content.decode()
    )
    assert reverse("procedures:attachment", args=[world["attachment"].public_id]) in html
    assert world["attachment"].file.name not in html
    assert settings.MEDIA_URL + "procedures" not in html


def test_attachment_refused_to_others(world):
    attachment = world["attachment"]
    assert _download(Client(), attachment).status_code == 404
    assert _download(_login(world["dominique"]), attachment).status_code == 404
    assert _download(_agent(world["works_agent"]), attachment).status_code == 404
    assert _download(_login(world["camille"]), attachment).status_code == 200
    unknown = Client().get(reverse("procedures:attachment", args=[uuid.uuid4()]))
    assert unknown.status_code == 404


def test_agent_of_the_service_downloads_only_with_the_second_factor(world):
    attachment = world["attachment"]
    assert _download(_agent(world["civil_agent"]), attachment).status_code == 200
    # Password only (no verified second factor): refused, as the back office is.
    assert _download(_login(world["civil_agent"]), attachment).status_code == 404


def test_superuser_with_second_factor_downloads(world):
    admin = make_resident("admin.test@example.org", is_superuser=True, is_staff=True)
    assert _download(_agent(admin), world["attachment"]).status_code == 200


def test_anonymised_request_attachments_are_gone(world):
    mine = world["mine"]
    mine.anonymised_at = timezone.now()
    mine.save(update_fields=["anonymised_at"])
    client = _login(world["camille"])
    assert _download(client, world["attachment"]).status_code == 404
    assert client.get(reverse("procedures:request", args=[mine.public_id])).status_code == 404


def test_draft_attachments_only_for_their_account(world):
    procedure = world["procedure"]
    draft = draft_save(
        procedure=procedure,
        version=procedure.current_version,
        user=world["camille"],
        page=0,
        page_input={"objet": ["En cours"]},
    )
    attachment = make_attachment(draft=draft, name="brouillon.pdf")
    assert _download(_login(world["camille"]), attachment).status_code == 200
    assert _download(_login(world["dominique"]), attachment).status_code == 404
    assert _download(_agent(world["civil_agent"]), attachment).status_code == 404
    assert _download(Client(), attachment).status_code == 404
