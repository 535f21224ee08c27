"""The newsletter's public pages in a real Chromium: a resident subscribes by e-mail and
SMS (double opt-in: the SMS code, then the link of the confirmation e-mail, confirmed by a
button), changes their topics in the preference centre, stops everything, and uses the
one-click unsubscribe page. Every page passes axe-core with the site's
Content-Security-Policy enforced, error states included."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from .helpers import PageChecks, django_side, watch_csp

pytestmark = pytest.mark.browser

EMAIL = "lou.essai@example.org"
PHONE = "06 39 98 00 77"


def _sms_code() -> str:
    from parvis.newsletter import sms

    with sms.outbox_lock:
        texts = [message.text for message in sms.outbox]
    codes = [m.group(1) for text in texts if (m := re.search(r"\b(\d{6})\b", text))]
    assert codes, f"no confirmation code sent by SMS: {texts}"
    return codes[-1]


def _confirm_url() -> str:
    sent = [m for m in mail.outbox if EMAIL in m.to]
    assert sent, f"no confirmation e-mail to {EMAIL}: {[m.to for m in mail.outbox]}"
    match = re.search(r"https?://\S+/lettre/confirmation/\S+/", sent[-1].body)
    assert match, sent[-1].body
    return match.group(0)


def test_a_resident_subscribes_confirms_changes_and_stops(demo, open_context, settings):
    from parvis.newsletter import sms

    # The links of the messages and pages lead to the site itself (the live server here).
    settings.PARVIS_SITE_URL = demo.base_url
    with django_side():
        mail.outbox.clear()
        with sms.outbox_lock:
            sms.outbox.clear()
    visit = open_context(axe=True)
    watch_csp(visit)
    page = visit.page
    checks = PageChecks(visit)
    base = demo.base_url

    page.goto(f"{base}/lettre/", wait_until="load")
    assert page.locator("h1").inner_text() == "Recevoir les informations de la mairie"
    checks.check("subscribe form")

    # Sent empty: the errors are listed and the fields marked, nothing is recorded.
    with page.expect_navigation():
        page.get_by_role("button", name="M'inscrire").click()
    assert page.title().startswith("Erreur")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert "Choisissez au moins un thème." in summary.inner_text()
    assert "Cochez cette case" in page.locator("main").inner_text()
    # Each group of boxes in error is described by its message.
    for legend in ("Thèmes qui vous intéressent", "Recevoir les messages par"):
        group = page.get_by_role("group", name=re.compile(legend))
        described = group.get_attribute("aria-describedby")
        assert described and page.locator(f"#{described}").inner_text().strip(), legend
    checks.check("subscribe form with errors")

    # Two topics, both channels, the addresses and the consent.
    page.get_by_label("Actualités").check()
    page.get_by_label("Travaux et voirie").check()
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("SMS", exact=True).check()
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Numéro de mobile").fill(PHONE)
    page.get_by_label("Prénom (facultatif)").fill("Lou")
    page.locator("#id_consent").check()
    with page.expect_navigation():
        page.get_by_role("button", name="M'inscrire").click()
    assert page.url == f"{base}/lettre/sms/code/", page.url
    assert page.locator("h1").inner_text() == "Confirmer votre numéro de mobile"
    checks.check("SMS code")

    # A wrong code first: an error next to the field, then the code received.
    with django_side():
        code = _sms_code()
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label(re.compile("Code")).fill(wrong)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()
    assert page.locator('main [aria-invalid="true"]').count() == 1
    checks.check("SMS code with an error")
    page.get_by_label(re.compile("Code")).fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()
    assert page.url == f"{base}/lettre/merci/", page.url
    done = page.locator("main [role=status]").inner_text()
    assert "numéro de mobile est confirmé" in done and "confirmez votre inscription" in done
    checks.check("subscription recorded")

    # The e-mail's link shows a button (link scanners do not subscribe anyone).
    with django_side():
        confirm_url = _confirm_url()
    assert confirm_url.startswith(base), confirm_url
    page.goto(confirm_url, wait_until="load")
    assert page.locator("h1").inner_text() == "Confirmer votre inscription"
    checks.check("confirmation page")
    with page.expect_navigation():
        page.get_by_role("button", name="Je confirme mon inscription").click()
    assert page.locator("h1").inner_text() == "Inscription confirmée"
    checks.check("confirmed")

    # The preference centre: both channels, the chosen topics ticked.
    with page.expect_navigation():
        page.get_by_role("link", name="Gérer mes abonnements").click()
    assert re.search(r"/lettre/preferences/[^/]+/$", page.url), page.url
    preferences_url = page.url
    email_box = page.locator("fieldset", has_text="E-mail :")
    sms_box = page.locator("fieldset", has_text="SMS :")
    assert EMAIL in email_box.locator("legend").inner_text()
    assert "Actualités, Travaux et voirie" in email_box.inner_text()
    assert "Actualités, Travaux et voirie" in sms_box.inner_text()
    checks.check("preference centre")

    # No more works news by SMS.
    sms_box.get_by_label("Travaux et voirie").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer mes choix").click()
    assert "Vos choix sont enregistrés." in page.locator("main [role=status]").inner_text()
    assert "Vous recevez : Actualités." in sms_box.inner_text()
    assert "Actualités, Travaux et voirie" in email_box.inner_text()
    checks.check("preference centre saved")

    # The one-click unsubscribe page of a message (e-mail), then its button.
    with django_side():
        from parvis.newsletter.models import Contact
        from parvis.newsletter.services import consents

        unsubscribe_url = consents.unsubscribe_url(Contact.objects.get(email=EMAIL), "email")
    page.goto(unsubscribe_url, wait_until="load")
    assert page.locator("h1").inner_text() == "Se désinscrire"
    checks.check("one-click unsubscribe page")
    with page.expect_navigation():
        page.get_by_role("button", name="Me désinscrire").click()
    assert page.locator("h1").inner_text() == "Désinscription enregistrée"
    checks.check("unsubscribed")
    page.goto(preferences_url, wait_until="load")
    assert "Vous ne recevez rien par ce moyen." in email_box.inner_text()
    assert "Vous recevez : Actualités." in sms_box.inner_text()

    # Stop everything from the preference centre.
    with page.expect_navigation():
        page.get_by_role("button", name="Me désinscrire de tout").click()
    assert "Vous ne recevez rien par ce moyen." in email_box.inner_text()
    assert "Vous ne recevez rien par ce moyen." in sms_box.inner_text()
    checks.check("preference centre, everything stopped")

    checks.assert_clean()
