"""The campaign composer of the admin in a real Chromium, used by a Communication staff
member signed in with a second factor: the live SMS counter and recipient count agree
with the server, the saved campaign shows the server's figures, and the e-mail preview
frames render the message."""

from __future__ import annotations

import re

import pytest

from .helpers import STAFF, django_side, sign_in_staff

pytestmark = pytest.mark.browser

CAMPAIGNS = "/admin/diffusion/campagnes/"
# Only GSM-7 characters, extension ones included (€ { } cost two septets each): with the
# STOP mention it no longer fits in one SMS.
GSM_TEXT = (
    "Fete du village samedi 14 juin des 18 h place du Marche : concert, repas partage "
    "(5 €) et bal. Navette gratuite {aller-retour} depuis la gare."
)
# « ê » is outside GSM-7: the whole message switches to UCS-2.
UCS2_TAIL = " Bonne fête !"
EMAIL_INTRO = "La médiathèque rouvre ses portes mardi avec un nouvel espace jeunesse."


def _counter_text(text: str) -> str:
    """The live counter's wording for ``text``, figures from the server's own count."""
    from parvis.newsletter.services.campaigns import sms_full_text
    from parvis.newsletter.sms.encoding import segments

    count = segments(sms_full_text(text))
    return (
        f"{count.encoding} : {count.length} caractères, {count.segments} segment(s) par SMS "
        "(estimation, mention STOP comprise)."
    )


def _open_composer(page, base_url: str) -> None:
    """« Diffusion › Campagnes » from the admin menu, then the add button."""
    page.get_by_role("button", name="Diffusion").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Campagnes").click()
    assert page.url == base_url + CAMPAIGNS, page.url
    with page.expect_navigation():
        page.locator(f"main a[href='{CAMPAIGNS}new/']").first.click()
    page.locator("[data-newsletter-composer]").wait_for()


def _save(page) -> None:
    with page.expect_navigation():
        page.locator("#w-editor-form footer button[type=submit]").click()
    assert not page.locator(".error-message, .help-critical").count(), page.inner_text("main")
    assert re.search(r"/admin/diffusion/campagnes/inspect/\d+/$", page.url), page.url


def test_staff_composes_an_sms_and_an_email_campaign(demo, open_context):
    from parvis.newsletter.audience import audience_recipients
    from parvis.newsletter.models import Campaign, Channel, Topic
    from parvis.newsletter.services.campaigns import sms_estimate

    topic = Topic.objects.get(slug="actualites")
    recipients = audience_recipients(channel=Channel.SMS, topics=[topic.pk]).count()
    assert recipients > 0, "the demo needs SMS subscribers to « Actualités »"
    gsm_counter = _counter_text(GSM_TEXT)
    ucs2_counter = _counter_text(GSM_TEXT + UCS2_TAIL)
    assert gsm_counter.startswith("GSM-7 : ") and ", 2 segment(s)" in gsm_counter
    assert ucs2_counter.startswith("UCS-2 : ") and ", 3 segment(s)" in ucs2_counter
    estimate = sms_estimate(GSM_TEXT + UCS2_TAIL, recipients=recipients)
    live_count = (
        f"Nombre de destinataires : {recipients}. Coût : {estimate.total} segments SMS, "
        f"il en reste {estimate.remaining} sur {estimate.limit} ce mois-ci."
    )
    server_figures = (
        f"SMS {estimate.encoding} : {estimate.segments} segment(s) par message, "
        f"mention STOP comprise ; coût total "
        f"{estimate.total} segments ; il reste {estimate.remaining} segments sur "
        f"{estimate.limit} ce mois-ci."
    )

    visit = open_context()
    page = visit.page
    sign_in_staff(page, demo.base_url, STAFF)
    _open_composer(page, demo.base_url)

    # --- An SMS campaign -------------------------------------------------------------
    # Two channels to choose from, e-mail to begin with (no blank « --------- » choice).
    channels = page.locator("input[name=channel]")
    assert channels.count() == 2
    assert page.get_by_label("E-mail", exact=True).is_checked()
    sms_part = page.locator("[data-channel-part=sms]")
    assert sms_part.is_hidden()
    page.get_by_label("SMS", exact=True).check()
    sms_part.wait_for()
    assert page.locator("[data-channel-part=email]").is_hidden()
    page.get_by_label("Titre").fill("Fête du village")
    counter = page.locator("[data-sms-count]")
    box = page.locator("#id_sms_text")
    box.fill(GSM_TEXT)
    assert counter.inner_text() == gsm_counter
    box.press("End")
    box.press_sequentially(UCS2_TAIL)
    assert counter.inner_text() == ucs2_counter

    live = page.locator("[data-recipient-count]")
    page.get_by_label(topic.name, exact=True).check()
    page.wait_for_function(
        "(expected) => document.querySelector('[data-recipient-count]')"
        ".textContent.trim() === expected",
        arg=live_count,
    )
    assert live.inner_text() == live_count

    _save(page)
    main = page.locator("main")
    assert page.locator("[data-recipients]").inner_text() == str(recipients)
    assert server_figures in " ".join(main.inner_text().split())
    with django_side():
        campaign = Campaign.objects.get(title="Fête du village")
        assert campaign.channel == Channel.SMS
        assert campaign.sms_text == GSM_TEXT + UCS2_TAIL
        assert list(campaign.topics.all()) == [topic]

    # --- An e-mail campaign with a text block ----------------------------------------
    page.goto(demo.base_url + "/admin/", wait_until="load")
    _open_composer(page, demo.base_url)
    page.get_by_label("E-mail", exact=True).check()
    page.locator("[data-channel-part=email]").wait_for()
    assert page.locator("[data-channel-part=sms]").is_hidden()
    page.get_by_label("Titre").fill("Réouverture de la médiathèque")
    page.get_by_label("Objet").fill("La médiathèque rouvre")
    page.get_by_label("Texte d'introduction").fill(EMAIL_INTRO)
    page.get_by_label(topic.name, exact=True).check()
    _save(page)

    for name, width in (("desktop", 600), ("phone", 360)):
        frame = page.locator(f"iframe.newsletter-preview--{name}")
        frame.scroll_into_view_if_needed()
        assert round(frame.bounding_box()["width"]) == width
        body = page.frame_locator(f"iframe.newsletter-preview--{name}").locator("body")
        body.get_by_text(EMAIL_INTRO).wait_for()
        # The message fits the frame: nothing wider than it, no horizontal scrolling.
        assert body.evaluate("b => b.scrollWidth <= b.ownerDocument.defaultView.innerWidth")

    assert not visit.page_errors, visit.page_errors
    failed = [f"{r.status} {r.url}" for r in visit.responses if r.status >= 400]
    assert not failed, failed
