"""The requester's side of a request: the tracking page (status, answers, timeline,
messages, documents asked for, receipt, fee), and « Mes démarches » in the personal
space."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.accounts.email_proof import email_proof_token
from parvis.procedures.models import Attachment, RequestEvent, StatusKind
from parvis.procedures.services.definitions import draft_save
from parvis.procedures.services.requests import (
    request_ask_document,
    request_message,
    request_note,
    request_submit,
    request_transition,
)

from .payfip_server import make_regie
from .procedures_helpers import (
    field,
    make_agent,
    make_procedure,
    make_request,
    make_resident,
    make_service,
    private_media,  # noqa: F401  (fixture)
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

FIELDS = [
    field("text", "objet", "Objet de la demande"),
    field("choice", "motif", "Motif", choices=["Déménagement", "Travaux"]),
]


@pytest.fixture
def service():
    return make_service("État civil")


@pytest.fixture
def agent(service):
    return make_agent(service, email="agent.etat-civil@example.org")


@pytest.fixture
def resident():
    return make_resident("camille.martin@example.org")


@pytest.fixture
def procedure(service):
    return make_procedure(FIELDS, service=service, title="Demande de test")


@pytest.fixture
def submitted(procedure, resident):
    return request_submit(
        procedure=procedure,
        version=procedure.current_version,
        data={"objet": "Copie d'acte", "motif": "Travaux"},
        user=resident,
        email=resident.email,
    )


def _page_url(req) -> str:
    return reverse("procedures:request", args=[req.public_id])


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    """The visible text of the page's main content, whitespace collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", html_lib.unescape(main))


def _prove(client: Client, email: str) -> None:
    """Follow an e-mail proof link, as a guest does."""
    token = email_proof_token(email=email, next_url="/")
    response = client.get(reverse("accounts:email_proof_confirm", kwargs={"token": token}))
    assert response.status_code == 302


# --- the page ---------------------------------------------------------------------------------


def test_requester_sees_number_status_answers_and_timeline(submitted, resident, agent):
    request_transition(request=submitted, to_code="en-cours", actor=agent)
    request_message(request=submitted, text="Votre acte est en préparation.", actor=agent)
    response = _client_for(resident).get(_page_url(submitted))
    assert response.status_code == 200
    text = _text(response)
    assert f"Demande n° {submitted.number}" in text
    assert "Demande de test" in text
    assert "En cours de traitement" in text
    today = timezone.localdate()
    assert f"depuis le {today.day}" in text
    # Answers through the version's labels, and the timeline in order.
    assert "Objet de la demande" in text and "Copie d'acte" in text
    assert "Motif" in text and "Travaux" in text
    assert text.index("Demande déposée") < text.index("Nouvel état : En cours de traitement")
    assert text.index("Nouvel état") < text.index("Votre acte est en préparation.")
    assert "Réponse prévue" in text
    assert response["Cache-Control"].startswith("max-age=0")
    assert 'name="robots" content="noindex"' in response.content.decode()


def test_status_reason_of_a_refusal_is_shown(submitted, resident, agent):
    request_transition(
        request=submitted,
        to_code="refusee",
        actor=agent,
        reason="Acte détenu par une autre mairie.",
    )
    text = _text(_client_for(resident).get(_page_url(submitted)))
    assert "Refusée" in text
    assert "Motif : Acte détenu par une autre mairie." in text
    assert "Clôturée le" in text
    # A closed request takes no message any more.
    assert "Envoyer le message" not in text


def test_resident_replies_with_a_message(
    submitted, resident, agent, django_capture_on_commit_callbacks
):
    client = _client_for(resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("procedures:request_message", args=[submitted.public_id]),
            {"text": "Je peux passer en mairie mardi."},
        )
    assert response.status_code == 302 and response["Location"] == _page_url(submitted)
    event = submitted.events.get(kind=RequestEvent.Kind.MESSAGE_FROM_RESIDENT)
    assert event.text == "Je peux passer en mairie mardi." and event.actor == resident
    page = client.get(_page_url(submitted))
    text = _text(page)
    assert "Votre message a été envoyé au service." in text
    assert "Je peux passer en mairie mardi." in text
    # The service is told (the workflow's notification), not the resident.
    assert mail.outbox and all(resident.email not in m.to for m in mail.outbox)


def test_an_empty_message_is_refused_next_to_the_field(submitted, resident):
    response = _client_for(resident).post(
        reverse("procedures:request_message", args=[submitted.public_id]), {"text": "   "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_text_error"' in html and "Écrivez votre message." in html
    assert not submitted.events.filter(kind=RequestEvent.Kind.MESSAGE_FROM_RESIDENT).exists()


def test_requested_document_is_uploaded_from_the_page(submitted, resident, agent):
    request_transition(request=submitted, to_code="en-cours", actor=agent)
    asked = request_ask_document(
        request=submitted, text="Copie de votre pièce d'identité", actor=agent
    )
    submitted.refresh_from_db()
    assert submitted.status_kind == StatusKind.WAITING_RESIDENT
    client = _client_for(resident)
    page = client.get(_page_url(submitted))
    text = _text(page)
    assert "Le service attend une pièce de votre part." in text
    assert "Copie de votre pièce d'identité" in text
    action = reverse("procedures:request_document", args=[submitted.public_id, asked.pk])
    assert f'action="{action}"' in page.content.decode()

    response = client.post(action, {f"piece-{asked.pk}-file": upload("identite.pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get(request=submitted)
    assert attachment.original_name == "identite.pdf"
    assert attachment.content_type == "application/pdf"
    asked.refresh_from_db()
    submitted.refresh_from_db()
    assert asked.resolved
    assert submitted.status_kind == StatusKind.IN_PROGRESS
    text = _text(client.get(_page_url(submitted)))
    assert "Merci : la pièce a été transmise au service." in text
    assert "Le service attend" not in text
    assert "identite.pdf" in text


def test_a_refused_file_says_why_and_stores_nothing(submitted, resident, agent):
    asked = request_ask_document(request=submitted, text="Justificatif de domicile", actor=agent)
    response = _client_for(resident).post(
        reverse("procedures:request_document", args=[submitted.public_id, asked.pk]),
        {f"piece-{asked.pk}-file": upload("facture.pdf", b"<html><script>x</script></html>")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_piece-{asked.pk}-file_error"' in html
    assert "ni un PDF ni une photo" in html
    assert not Attachment.objects.filter(request=submitted).exists()
    asked.refresh_from_db()
    assert not asked.resolved


def test_a_document_already_given_is_not_asked_again(submitted, resident, agent):
    asked = request_ask_document(request=submitted, text="Justificatif", actor=agent)
    client = _client_for(resident)
    url = reverse("procedures:request_document", args=[submitted.public_id, asked.pk])
    assert client.post(url, {f"piece-{asked.pk}-file": upload()}).status_code == 302
    again = client.post(url, {f"piece-{asked.pk}-file": upload("autre.pdf")})
    assert again.status_code == 302
    assert Attachment.objects.filter(request=submitted).count() == 1


def test_resident_transition_button(submitted, resident, agent):
    request_transition(request=submitted, to_code="en-cours", actor=agent)
    request_transition(request=submitted, to_code="attente", actor=agent, reason="Précisez l'acte")
    client = _client_for(resident)
    page = client.get(_page_url(submitted))
    assert "J&#x27;ai complété ma demande" in page.content.decode()
    response = client.post(
        reverse("procedures:request_transition", args=[submitted.public_id]), {"to": "en-cours"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status_code == "en-cours"
    # A move the resident may not make is refused with a message, nothing changes.
    refused = client.post(
        reverse("procedures:request_transition", args=[submitted.public_id]), {"to": "acceptee"}
    )
    assert refused.status_code == 400
    assert "Ce changement d&#x27;état n&#x27;est pas possible." in refused.content.decode()
    submitted.refresh_from_db()
    assert submitted.status_code == "en-cours"


def test_receipt_pdf(submitted, resident):
    response = _client_for(resident).get(
        reverse("procedures:request_receipt", args=[submitted.public_id])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert submitted.number in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_request_page_queries_do_not_grow_with_the_timeline(
    submitted, resident, agent, django_assert_max_num_queries
):
    client = _client_for(resident)
    client.get(_page_url(submitted))  # session, warm-up
    with django_assert_max_num_queries(20) as few:
        client.get(_page_url(submitted))
    for number in range(15):
        request_message(request=submitted, text=f"Message {number}", actor=agent)
        request_note(request=submitted, text=f"Note {number}", actor=agent)
    request_ask_document(request=submitted, text="Pièce A", actor=agent)
    request_ask_document(request=submitted, text="Pièce B", actor=agent)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(_page_url(submitted))
    assert response.status_code == 200
    assert "Message 14" in _text(response)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- guests -----------------------------------------------------------------------------------


def test_guest_with_the_proven_address_follows_the_request(procedure):
    req = request_submit(
        procedure=procedure,
        version=procedure.current_version,
        data={"objet": "Extrait", "motif": "Travaux"},
        email="dominique.exemple@example.org",
    )
    client = Client()
    _prove(client, "Dominique.Exemple@example.org")
    response = client.get(_page_url(req))
    assert response.status_code == 200
    assert req.number in _text(response)
    response = client.post(
        reverse("procedures:request_message", args=[req.public_id]), {"text": "Merci !"}
    )
    assert response.status_code == 302
    event = req.events.get(kind=RequestEvent.Kind.MESSAGE_FROM_RESIDENT)
    assert event.actor is None and event.text == "Merci !"


def test_visitor_without_identity_is_offered_to_sign_in_or_prove_the_address(submitted):
    client = Client()
    known = client.get(_page_url(submitted))
    unknown = client.get(
        reverse("procedures:request", args=["0b5c3a4e-3f0b-4d59-9a55-1c2d3e4f5a6b"])
    )
    assert known.status_code == unknown.status_code == 403
    text = _text(known)
    assert "Me connecter à mon compte" in text and "Recevoir un lien" in text
    assert submitted.number not in known.content.decode()
    # The same page whatever the address names: nothing tells the request exists.
    assert _text(known).replace(str(submitted.public_id), "") == _text(unknown).replace(
        "0b5c3a4e-3f0b-4d59-9a55-1c2d3e4f5a6b", ""
    )
    login = reverse("accounts:login")
    assert f'href="{login}?next=%2Fdemarches%2Fsuivi%2F{submitted.public_id}%2F"' in (
        known.content.decode()
    )


# --- fee --------------------------------------------------------------------------------------


def test_fee_pay_button_starts_the_payment_then_shows_it_paid(service, resident):
    regie = make_regie(code="domaine-public")
    procedure = make_procedure(FIELDS, service=service, fee_cents=1500, regie=regie)
    req = request_submit(
        procedure=procedure,
        version=procedure.current_version,
        data={"objet": "Benne", "motif": "Travaux"},
        user=resident,
        email=resident.email,
    )
    client = _client_for(resident)
    text = _text(client.get(_page_url(req)))
    assert "Montant à payer : 15,00" in text
    assert "Payer 15,00" in text
    response = client.post(reverse("procedures:request_pay", args=[req.public_id]))
    assert response.status_code == 302
    assert "/paiement/simulateur/" in response["Location"]
    req.refresh_from_db()
    assert req.payment is not None and req.payment.amount == 1500
    # While the payment is open, no second one.
    text = _text(client.get(_page_url(req)))
    assert "Un paiement est en cours de vérification." in text
    assert "Payer 15,00" not in text
    simulator = client.post(response["Location"], {"outcome": "paid"})
    assert simulator.status_code == 302
    req.refresh_from_db()
    assert req.paid_at is not None
    text = _text(client.get(_page_url(req)))
    assert "payés le" in text and "Payer 15,00" not in text
    assert "Frais payés" in text  # the timeline's payment entry


def test_free_procedure_has_no_fee_block(submitted, resident):
    text = _text(_client_for(resident).get(_page_url(submitted)))
    assert "Frais de la démarche" not in text
    response = _client_for(resident).post(
        reverse("procedures:request_pay", args=[submitted.public_id])
    )
    assert response.status_code == 400
    assert "Il n&#x27;y a rien à payer pour cette demande." in response.content.decode()


# --- personal space ---------------------------------------------------------------------------


def _space_section(response) -> str:
    html = response.content.decode()
    match = re.search(
        r'<section class="space-section" aria-labelledby="space-procedures">(.*?)</section>',
        html,
        re.S,
    )
    assert match, "no « Mes démarches » section"
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", match.group(1))))


def test_space_lists_requests_with_expected_actions_and_drafts(service, resident, agent):
    procedure = make_procedure(FIELDS, service=service, title="Acte de naissance")
    waiting = make_request(procedure, user=resident, status="en-cours")
    request_ask_document(request=waiting, text="Livret de famille", actor=agent)
    message = make_request(procedure, user=resident, status="en-cours")
    request_message(request=message, text="Une question", actor=agent)
    answered = make_request(procedure, user=resident, status="en-cours")
    request_message(request=answered, text="Une question", actor=agent)
    request_message(request=answered, text="Ma réponse", actor=resident, as_role="resident")
    quiet = make_request(procedure, user=resident, status="acceptee")
    other = make_request(procedure, user=make_resident("autre@example.org"))
    draft_save(
        procedure=procedure,
        version=procedure.current_version,
        user=resident,
        page=0,
        page_input={"objet": ["Brouillon"]},
    )
    response = _client_for(resident).get(reverse("accounts:account"))
    assert response.status_code == 200
    section = _space_section(response)
    assert "2 demandes attendent une action de votre part." in section
    for req in (waiting, message, answered, quiet):
        assert req.number in section
    assert other.number not in section

    def line(req):
        start = section.index(req.number)
        following = [section.index(r.number) for r in (waiting, message, answered, quiet)]
        end = min([i for i in following if i > start] + [len(section)])
        return section[start:end]

    assert "Action attendue : pièce à fournir" in line(waiting)
    assert "Action attendue : message du service à lire" in line(message)
    assert "Action attendue" not in line(answered)
    assert "Action attendue" not in line(quiet) and "Acceptée" in line(quiet)
    assert "Reprendre « Acte de naissance »" in section


def test_space_shows_guest_requests_made_with_the_verified_address(procedure, resident):
    guest = request_submit(
        procedure=procedure,
        version=procedure.current_version,
        data={"objet": "Avant mon compte", "motif": "Travaux"},
        email=resident.email.upper(),
    )
    client = _client_for(resident)
    assert guest.number in _space_section(client.get(reverse("accounts:account")))
    assert client.get(_page_url(guest)).status_code == 200


def test_space_section_queries_are_bounded(service, resident, django_assert_max_num_queries):
    procedure = make_procedure(FIELDS, service=service)
    make_request(procedure, user=resident)
    client = _client_for(resident)
    client.get(reverse("accounts:account"))
    with django_assert_max_num_queries(60) as one:
        client.get(reverse("accounts:account"))
    for _number in range(12):
        make_request(procedure, user=resident, status="en-cours")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("accounts:account"))
    assert _space_section(response).count("déposée le") == 13


def test_personal_space_shows_every_module_section(resident, procedure):
    """One section per module, each with the resident's own data (payments shows its
    section once the resident has an invoice)."""
    from parvis.accounts import space

    from .payfip_server import make_invoice

    make_invoice(make_regie(code="periscolaire"), resident.email, number="F-ESPACE")
    req = make_request(procedure, user=resident)
    keys = [section.key for section in space.sections()]
    expected = {"procedures", "bookings", "payments", "directory", "newsletter"}
    assert expected <= set(keys), keys
    response = _client_for(resident).get(reverse("accounts:account"))
    assert response.status_code == 200
    html = response.content.decode()
    shown = re.findall(r'<section class="space-section" aria-labelledby="space-([\w-]+)">', html)
    assert expected <= set(shown), shown
    assert shown == [key for key in keys if key in shown]  # in the registry's order
    assert req.number in _space_section(response)
    assert "Vous avez 1 facture à payer" in html


def test_space_for_a_resident_without_requests(resident):
    section = _space_section(_client_for(resident).get(reverse("accounts:account")))
    assert "Vous n'avez fait aucune demande en ligne." in section
    assert "Faire une démarche en ligne" in section
