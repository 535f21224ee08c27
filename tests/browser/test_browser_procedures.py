"""The full path of an online procedure in a real Chromium: the demo resident, on a phone,
asks for a birth certificate with an identity document attached; an agent of the civil
status service (signed in with the second factor) asks for a missing document from the
inbox; the resident adds it from the personal space; the agent accepts. The resident
gets an e-mail at each step. The form pages (with and without errors), the personal
space and the request page pass axe-core with the site's Content-Security-Policy
enforced; a typed value survives a reload (local copy of the form's script)."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from PIL import Image

from .conftest import DESKTOP, PHONE
from .helpers import RESIDENT, PageChecks, django_side, sign_in, sign_in_staff, watch_csp

pytestmark = pytest.mark.browser

AGENT = "accueil@example.org"
SLUG = "acte-etat-civil"
ASKED = "Copie du livret de famille (page des parents)"
REQUEST_PAGE = re.compile(r"/demarches/suivi/[0-9a-f-]{36}/$")


def _pdf(title: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), (255, 255, 255)).save(buffer, "PDF", title=title)
    return buffer.getvalue()


def _file(name: str, content: bytes, mime: str = "application/pdf") -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def _mails_to(email: str) -> list:
    return [message for message in mail.outbox if email in message.to]


def _next(page, label: str = "Suivant") -> None:
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name=label, exact=True).last.click()


def _fill_civil_status_form(page, checks: PageChecks) -> None:
    """The four steps of the civil-status request, checking the pages on the way."""
    main = page.locator("main")
    assert "Étape 1 sur 4" in main.inner_text()
    checks.check("form step 1 (empty)")

    # Nothing chosen: errors next to the fields, summary at the top, nothing lost.
    page.get_by_label("Nombre d'exemplaires").fill("2")
    _next(page)
    assert page.locator(".error-summary").is_visible()
    assert page.locator(".field--error, [aria-invalid=true]").count() >= 2
    assert page.get_by_label("Nombre d'exemplaires").input_value() == "2"
    checks.check("form step 1 (errors)")

    # A value typed and not sent survives a reload (the form script's local copy): the
    # page comes back with what the server saved (« 2 ») and the copy puts back « 1 ».
    page.goto(page.url.split("?")[0], wait_until="load")
    assert page.get_by_label("Nombre d'exemplaires").input_value() == "2"
    page.get_by_label("Nombre d'exemplaires").fill("1")
    page.get_by_label("Date de l'événement (naissance, mariage ou décès)").fill("1988-04-12")
    page.reload(wait_until="load")
    note = page.locator("[data-restored-note]")
    note.wait_for(state="visible")
    assert page.get_by_label("Nombre d'exemplaires").input_value() == "1"
    assert page.get_by_label("Date de l'événement (naissance, mariage ou décès)").input_value() == (
        "1988-04-12"
    )
    checks.check("form step 1 (restored)")

    page.get_by_label("Acte de naissance", exact=True).check()
    page.get_by_label("Copie intégrale", exact=True).check()
    _next(page)

    assert "Étape 2 sur 4" in main.inner_text()
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Prénoms", exact=True).fill("Camille Louise")
    page.get_by_label("Nom et prénoms du premier parent").fill("Martin Bernard")
    page.get_by_label("Nom et prénoms du second parent").fill("Durand Hélène")
    checks.check("form step 2")
    _next(page)

    assert "Étape 3 sur 4" in main.inner_text()
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Prénoms", exact=True).fill("Camille")
    page.get_by_label("La personne elle-même", exact=True).check()
    page.get_by_label("Téléphone").fill("06 39 98 00 12")
    checks.check("form step 3")
    _next(page)

    assert "Étape 4 sur 4" in main.inner_text()
    assert "jamais envoyés par e-mail" in main.inner_text()
    page.get_by_label("Par courrier postal", exact=True).check()
    page.get_by_label("Numéro et voie").fill("12 rue des Exemples")
    page.get_by_label("Code postal").fill("13850")
    page.get_by_label("Commune", exact=True).fill("Gréasque")
    page.get_by_label("Copie de votre pièce d'identité").set_input_files(
        _file("carte-identite.pdf", _pdf("Carte d'identite"))
    )
    checks.check("form step 4")
    _next(page, "Vérifier mes réponses")

    assert page.locator("h1").inner_text() == "Vérifier et envoyer"
    review = main.inner_text()
    assert "Camille Louise" in review and "carte-identite.pdf" in review
    checks.check("review")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma demande").click()
    assert page.locator("h1").inner_text() == "Votre demande est envoyée"
    checks.check("sent")


def test_civil_status_request_from_submission_to_acceptance(demo, open_context):
    with django_side():
        from parvis.procedures.demo import load_procedures_demo

        load_procedures_demo()  # idempotent: the demo loader may already have run it
        mail.outbox.clear()

    resident = open_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    watch_csp(resident)
    page = resident.page
    checks = PageChecks(resident)
    base = demo.base_url

    # 1. The resident submits the request with an attachment.
    sign_in(page, base, RESIDENT, next_url=f"/demarches/{SLUG}/")
    assert page.locator("h1").inner_text() == "Demande d'acte d'état civil"
    checks.check("procedure page")
    with page.expect_navigation():
        page.get_by_role("link", name="Faire la demande en ligne").click()
    _fill_civil_status_form(page, checks)
    number = re.search(r"\d{4}-\d{6}", page.locator("main").inner_text())[0]
    with page.expect_navigation(url=REQUEST_PAGE):
        page.get_by_role("link", name="Suivre ma demande").click()
    request_url = page.url
    assert page.locator("h1").inner_text() == f"Demande n° {number}"
    assert "Reçue" in page.locator("[data-request-status]").inner_text()
    assert "carte-identite.pdf" in page.locator("main").inner_text()
    checks.check("request page (received)")

    with django_side():
        from parvis.procedures.models import Request

        request = Request.objects.get(number=number)
        assert request.user.email == RESIDENT
        assert request.attachments.get().original_name == "carte-identite.pdf"
        receipts = _mails_to(RESIDENT)
        assert len(receipts) == 1, [m.subject for m in mail.outbox]
        assert number in receipts[0].subject
        assert any(name.endswith(".pdf") for name, *_rest in receipts[0].attachments)

    # 2. The agent asks for a missing document from the inbox.
    agent = open_context(viewport=DESKTOP)
    desk = agent.page
    sign_in_staff(desk, base, AGENT, next_url="/admin/demarches/demandes/")
    inbox = desk.locator("main").inner_text()
    assert number in inbox, inbox[:3000]
    with desk.expect_navigation():
        desk.get_by_role("link", name=number).first.click()
    desk.locator("#action-ask-document textarea").fill(ASKED)
    with desk.expect_navigation():
        desk.locator("#action-ask-document").get_by_role("button").click()
    detail_url = desk.url

    with django_side():
        request.refresh_from_db()
        assert request.status_kind == "waiting_resident"
        asked = [m for m in _mails_to(RESIDENT) if "une pièce est demandée" in m.subject]
        assert len(asked) == 1 and ASKED in asked[0].body
        assert request_url.removeprefix(base) in asked[0].body

    # 3. The resident sees it in the personal space and adds the document.
    page.goto(f"{base}/comptes/", wait_until="load")
    section = page.locator("main section.space-section", has_text="Mes démarches")
    line = section.locator("li", has_text=number)
    assert "Action attendue : pièce à fournir" in line.inner_text()
    checks.check("personal space")
    with page.expect_navigation(url=request_url):
        line.get_by_role("link").click()
    assert ASKED in page.locator("#pieces-demandees").locator("..").inner_text()
    checks.check("request page (document asked)")

    upload = page.get_by_label("Fichier à joindre")
    # A file that is not what it says is refused, with the reason next to the field.
    upload.set_input_files(_file("livret.pdf", b"<html><script>alert(1)</script></html>"))
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer cette pièce").click()
    error = page.locator(".field__errors").inner_text()
    assert "ni un PDF ni une photo" in error
    checks.check("request page (refused file)")
    page.get_by_label("Fichier à joindre").set_input_files(
        _file("livret-famille.pdf", _pdf("Livret de famille"))
    )
    with page.expect_navigation(url=request_url):
        page.get_by_role("button", name="Envoyer cette pièce").click()
    assert "la pièce a été transmise au service" in page.get_by_role("status").inner_text()
    assert not page.locator("#pieces-demandees").count()
    checks.check("request page (document given)")

    # 4. The agent accepts.
    desk.goto(detail_url, wait_until="load")
    assert "livret-famille.pdf" in desk.locator("main").inner_text()
    desk.locator("#action-transition select").select_option("acceptee")
    with desk.expect_navigation():
        desk.locator("#action-transition").get_by_role("button", name="Changer l'état").click()

    with django_side():
        request.refresh_from_db()
        assert request.status_kind == "accepted" and request.closed_at is not None
        subjects = [m.subject for m in _mails_to(RESIDENT)]
        assert len(subjects) == 3, subjects
        assert any(subject.endswith(": Acceptée") for subject in subjects), subjects

    page.goto(request_url, wait_until="load")
    assert "Acceptée" in page.locator("[data-request-status]").inner_text()
    assert "Clôturée le" in page.locator("main").inner_text()
    checks.check("request page (accepted)")
    checks.assert_clean()
