"""Resident accounts in a real Chromium: the sign-up, password-reset and login pages, the
personal space and the directory self-service pages pass axe-core with the site's
Content-Security-Policy enforced, and a new resident signs up, follows the link of the
verification e-mail and reaches the self-service form."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from .helpers import RESIDENT, PageChecks, django_side, sign_in, watch_csp

pytestmark = pytest.mark.browser


def _focused(page, selector: str) -> bool:
    return page.evaluate(
        "(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector
    )


def test_account_pages_pass_axe_and_keep_the_policy(demo, open_context):
    visit = open_context(axe=True)
    watch_csp(visit)
    page = visit.page
    checks = PageChecks(visit)
    base = demo.base_url

    # Anonymous pages: login (with its new links), sign-up, password reset.
    page.goto(f"{base}/comptes/connexion/", wait_until="load")
    assert page.get_by_role("link", name="Mot de passe oublié ?").is_visible()
    assert page.get_by_role("link", name="Créer un compte").is_visible()
    checks.check("login")
    with page.expect_navigation():
        page.get_by_role("link", name="Créer un compte").click()
    assert page.url == f"{base}/comptes/inscription/"
    checks.check("sign-up")

    # Sign-up sent empty: errors listed, the summary takes the focus, fields marked.
    page.get_by_label("Prénom").fill("Lou")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer mon compte").click()
    assert page.title().startswith("Erreur")
    assert _focused(page, "[data-error-summary]")
    assert page.get_by_label("Prénom").input_value() == "Lou"
    assert page.locator('main [aria-invalid="true"]').count() >= 3
    checks.check("sign-up with errors")

    page.goto(f"{base}/comptes/connexion/", wait_until="load")
    with page.expect_navigation():
        page.get_by_role("link", name="Mot de passe oublié ?").click()
    assert page.url == f"{base}/comptes/mot-de-passe-oublie/"
    checks.check("password reset")
    page.get_by_label("Adresse e-mail de votre compte").fill(RESIDENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Recevoir le lien").click()
    assert page.url == f"{base}/comptes/mot-de-passe-oublie/envoye/"
    checks.check("password reset sent")

    # The demo resident, as if she had not yet followed her verification link.
    with django_side():
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(email=RESIDENT).update(email_verified_at=None)
    sign_in(page, base, RESIDENT, next_url="/comptes/")
    assert page.url == f"{base}/comptes/"
    sections = page.locator("main section.space-section h2").all_inner_texts()
    assert len(sections) >= 2, sections
    assert page.get_by_role("link", name="Voir mes factures et payer en ligne").is_visible()
    checks.check("personal space (address not verified)")

    # Self-service needs a verified address: the page says so and offers a new link.
    response = page.goto(f"{base}/annuaire/mon-association/", wait_until="load")
    assert response.status == 403
    assert page.get_by_role("button", name="Recevoir un nouveau lien de vérification").count()
    checks.check("self-service, address not verified")

    with django_side():
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        get_user_model().objects.filter(email=RESIDENT).update(email_verified_at=timezone.now())

    page.goto(f"{base}/comptes/", wait_until="load")
    assert page.get_by_role("link", name="Proposer une nouvelle fiche").is_visible()
    checks.check("personal space")

    with page.expect_navigation():
        page.get_by_role("link", name="Revendiquer une fiche existante").first.click()
    assert page.url == f"{base}/annuaire/mon-association/"
    checks.check("self-service home")
    page.get_by_label("Nom de la structure").fill("boulangerie")
    with page.expect_navigation():
        page.get_by_role("button", name="Chercher", exact=True).click()
    claim = page.get_by_role("link", name=re.compile("Revendiquer « Boulangerie"))
    assert claim.count() == 1
    checks.check("self-service search")
    with page.expect_navigation():
        claim.click()
    checks.check("claim form")

    page.goto(f"{base}/annuaire/mon-association/proposer/", wait_until="load")
    checks.check("propose form")
    # Sent without the type: errors announced, what was typed is kept.
    page.locator("#id_name").fill("Chorale des Galibots")
    description = page.get_by_label("Présentation")
    description.fill("Chants du bassin minier, répétitions le jeudi.")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma proposition").click()
    assert page.title().startswith("Erreur")
    assert _focused(page, "[data-error-summary]")
    summary = page.locator("[data-error-summary]")
    assert "erreur" in summary.inner_text().lower()
    assert page.locator("#id_name").input_value() == "Chorale des Galibots"
    assert description.input_value() == "Chants du bassin minier, répétitions le jeudi."
    invalid = page.locator('main form [aria-invalid="true"]')
    assert invalid.count() >= 1
    # Each error link of the summary leads to its field.
    for link in summary.locator("a").all():
        target = link.get_attribute("href")
        assert page.locator(target).count() == 1, target
    checks.check("propose form with errors")

    checks.assert_clean()


def test_new_resident_signs_up_verifies_the_address_and_reaches_self_service(demo, open_context):
    mail.outbox.clear()
    visit = open_context(axe=True)
    watch_csp(visit)
    page = visit.page
    checks = PageChecks(visit)
    base = demo.base_url
    email = "lou.garnier@example.org"
    password = "Chevalement-Puits-2026"

    page.goto(f"{base}/comptes/inscription/", wait_until="load")
    page.locator("#id_email").fill(email)
    page.locator("#id_first_name").fill("Lou")
    page.locator("#id_last_name").fill("Garnier")
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    page.locator("#id_terms").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Créer mon compte").click()
    assert page.url == f"{base}/comptes/inscription/envoyee/"
    assert email in page.locator("main [role=status]").inner_text()
    checks.check("sign-up sent")

    messages = [message for message in mail.outbox if email in message.to]
    assert len(messages) == 1, [m.subject for m in mail.outbox]
    links = re.findall(r"https?://\S+/comptes/verification/[^/\s]+/", messages[0].body)
    assert links, messages[0].body
    # The link is built for the site's address; follow it on the live server.
    path = re.sub(r"^https?://[^/]+", "", links[0])

    # Signed in but not verified yet: self-service is refused.
    page.goto(f"{base}/comptes/connexion/?next=/annuaire/mon-association/proposer/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("h1").inner_text().startswith("Vérifiez d'abord")

    page.goto(base + path, wait_until="load")
    assert page.locator("h1").inner_text() == "Adresse e-mail vérifiée"
    assert email in page.locator("main [role=status]").inner_text()
    checks.check("address verified")
    with page.expect_navigation():
        page.get_by_role("link", name="Mes fiches de l'annuaire").click()
    assert page.url == f"{base}/annuaire/mon-association/"
    with page.expect_navigation():
        page.get_by_role("link", name="Proposer une nouvelle fiche").first.click()
    assert page.url == f"{base}/annuaire/mon-association/proposer/"
    assert page.get_by_role("button", name="Envoyer ma proposition").is_visible()

    with django_side():
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(email=email)
        assert user.email_verified_at is not None
        assert user.first_name == "Lou" and not user.is_staff
    checks.assert_clean()
