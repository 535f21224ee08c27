"""The demo resident pays school invoices on a phone, in a real Chromium, through the
development payment simulator: a refused payment leaves the invoices payable, an accepted
one marks them paid with a PDF receipt. Every page on the way passes axe-core with the
site's Content-Security-Policy enforced."""

from __future__ import annotations

import re

import pytest

from parvis.payments.demo import INVOICES

from .conftest import PHONE
from .helpers import RESIDENT, PageChecks, django_side, sign_in, watch_csp

pytestmark = pytest.mark.browser

# Two invoices of the demo resident that are still payable online.
CANTEEN, AFTER_SCHOOL = INVOICES[0], INVOICES[1]
SIMULATOR = re.compile(r"/paiement/simulateur/[0-9a-f-]{36}/$")
RETURN_PAGE = re.compile(r"/paiement/[0-9a-f-]{36}/$")


def _select_two_and_pay(page, checks: PageChecks, label: str) -> None:
    for number, _service, title, _amount, _due in (CANTEEN, AFTER_SCHOOL):
        box = page.get_by_role("checkbox", name=re.compile(re.escape(title)))
        assert box.count() == 1, f"{number} is not payable"
        box.check()
    with page.expect_navigation(url=SIMULATOR):
        page.get_by_role("button", name="Payer la sélection").click()
    assert page.locator("h1").inner_text() == "Simulateur de paiement"
    # One payment for both invoices: 42,80 € + 18,60 €.
    assert "61,40" in page.locator("main").inner_text()
    checks.check(f"simulator ({label})")


def _payable_numbers(page) -> set[str]:
    texts = page.locator("main .invoice-form label.invoice__label").all_inner_texts()
    return {number for number, *_ in INVOICES if any(number in text for text in texts)}


def test_resident_pays_two_invoices_on_a_phone(demo, open_context):
    visit = open_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    watch_csp(visit)
    page = visit.page
    checks = PageChecks(visit)
    base = demo.base_url

    sign_in(page, base, RESIDENT, next_url="/comptes/")
    assert page.locator("h1").inner_text() == "Mon compte"
    section = page.locator("main section.space-section", has_text="facture")
    assert section.count() == 1
    # The four open invoices, the one now payable at the Treasury only included.
    assert "4 factures à payer" in section.inner_text()
    checks.check("personal space")
    with page.expect_navigation():
        section.get_by_role("link", name="Voir mes factures et payer en ligne").click()
    assert page.url == f"{base}/paiement/factures/"
    payable = _payable_numbers(page)
    assert payable == {number for number, *_rest in INVOICES[:3]}, payable
    # The old invoice has gone to the Treasury: shown with the reason, no checkbox.
    assert "Trésor public" in page.locator("main .invoice--blocked").inner_text()
    checks.check("invoices")

    # 1. A refused payment: nothing is paid, the invoices are payable again.
    _select_two_and_pay(page, checks, "refused")
    with page.expect_navigation(url=RETURN_PAGE):
        page.get_by_role("button", name="Simuler un paiement refusé").click()
    status = page.get_by_role("status")
    assert "Le paiement n'a pas abouti." in status.inner_text()
    assert "Aucune somme n'a été prélevée" in status.inner_text()
    assert not page.get_by_role("link", name=re.compile("quittance", re.I)).count()
    checks.check("return page (refused)")
    with page.expect_navigation():
        page.get_by_role("link", name="Réessayer le paiement").click()
    assert _payable_numbers(page) == payable
    assert not page.locator("main .invoice-paid").count()

    # 2. An accepted payment: the server says « payé », the invoices move to « payées ».
    _select_two_and_pay(page, checks, "accepted")
    with page.expect_navigation(url=RETURN_PAGE):
        page.get_by_role("button", name="Simuler un paiement accepté").click()
    payment_url = page.url
    page.wait_for_function(
        "() => document.querySelector('[role=status]').innerText.includes('Paiement enregistré')"
    )
    receipt_link = page.get_by_role("link", name="Télécharger la quittance (PDF)")
    assert receipt_link.is_visible()
    checks.check("return page (paid)")

    with page.expect_download() as download_info:
        receipt_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    response = visit.context.request.get(base + receipt_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    page.goto(f"{base}/paiement/factures/", wait_until="load")
    assert _payable_numbers(page) == payable - {CANTEEN[0], AFTER_SCHOOL[0]}
    paid = page.locator("main .invoice-paid").inner_text()
    assert CANTEEN[0] in paid and AFTER_SCHOOL[0] in paid
    assert page.locator("main .invoice-paid a", has_text="quittance").count() == 2
    checks.check("invoices after payment")

    page.goto(f"{base}/comptes/", wait_until="load")
    space = page.locator("main section.space-section", has_text="facture").inner_text()
    assert "2 factures à payer" in space
    # The latest payments: the accepted one first, the refused one after.
    lines = [line for line in space.splitlines() if "61,40" in line]
    assert len(lines) == 2 and "payé" in lines[0] and "échoué" in lines[1], lines
    assert "quittance (PDF)" in lines[0]
    checks.check("personal space after payment")
    checks.assert_clean()

    with django_side():
        from parvis.payments.models import Invoice, Payment

        payment = Payment.objects.get(public_id=payment_url.rstrip("/").rsplit("/", 1)[1])
        assert payment.is_paid and payment.amount == CANTEEN[3] + AFTER_SCHOOL[3]
        statuses = dict(Invoice.objects.values_list("number", "status"))
        assert statuses[CANTEEN[0]] == statuses[AFTER_SCHOOL[0]] == Invoice.Status.PAID
        assert statuses[INVOICES[2][0]] == Invoice.Status.OPEN
