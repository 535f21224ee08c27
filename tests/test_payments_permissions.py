"""Who may do what in the payments back office: the « Régie » group manages invoices,
refunds and reconciliation; Accueil only looks invoices and payments up; Communication
and Élus see nothing of payments. Refusals are a 403 or a redirect, and change nothing."""

import pytest
from django.utils import timezone

from parvis.payments.models import Invoice, Payment, Refund
from parvis.payments.services import invoice_pay, payment_mark_paid, payment_start

from . import factories
from .conftest import verified_login
from .payfip_server import make_invoice, make_regie

pytestmark = pytest.mark.django_db

GROUPS = ("Régie", "Accueil", "Communication", "Élus")
DENIED = (302, 403)


@pytest.fixture
def objects():
    """A régie, a paid invoice (and its payment) and an open invoice."""
    regie = make_regie()
    resident = factories.make_user("camille.martin@example.org")
    paid = make_invoice(regie, resident.email, number="F1", amount=2000)
    payment = invoice_pay(user=resident, invoice_ids=[paid.pk])
    payment_start(payment=payment)
    payment, _changed = payment_mark_paid(payment=payment, source="test")
    open_invoice = make_invoice(regie, resident.email, number="F2", amount=1250)
    return {"regie": regie, "payment": payment, "invoice": open_invoice}


EMAILS = {
    "Régie": "regie.agent@example.org",
    "Accueil": "accueil.agent@example.org",
    "Communication": "communication.agent@example.org",
    "Élus": "elu.agent@example.org",
}


def _client(client, group):
    user = factories.make_user(EMAILS[group], groups=[group])
    return verified_login(client, user)


def _pages(objects):
    payment, invoice, regie = objects["payment"], objects["invoice"], objects["regie"]
    return {
        "payments": "/admin/paiements/paiements/",
        "payment": f"/admin/paiements/paiements/inspect/{payment.pk}/",
        "invoices": "/admin/paiements/factures/",
        "invoice": f"/admin/paiements/factures/inspect/{invoice.pk}/",
        "invoice_add": "/admin/paiements/factures/new/",
        "invoice_edit": f"/admin/paiements/factures/edit/{invoice.pk}/",
        "invoice_cancel": f"/admin/paiements/factures/annuler/{invoice.pk}/",
        "invoice_settle": f"/admin/paiements/factures/regler/{invoice.pk}/",
        "import": "/admin/paiements/import-factures/",
        "refund": f"/admin/paiements/rembourser/{payment.pk}/",
        "reconciliation": "/admin/paiements/rapprochement/",
        "regies": "/admin/paiements/regies/",
        "regie_edit": f"/admin/paiements/regies/edit/{regie.pk}/",
        "payment_edit": f"/admin/paiements/paiements/edit/{payment.pk}/",
    }


ALLOWED = {
    "Régie": {
        "payments",
        "payment",
        "invoices",
        "invoice",
        "invoice_add",
        "invoice_edit",
        "invoice_cancel",
        "invoice_settle",
        "import",
        "refund",
        "reconciliation",
        "regies",
    },
    "Accueil": {"payments", "payment", "invoices", "invoice"},
    "Communication": set(),
    "Élus": set(),
}


@pytest.mark.parametrize("group", GROUPS)
def test_each_group_reaches_exactly_its_pages(client, objects, group):
    staff = _client(client, group)
    for name, url in _pages(objects).items():
        status = staff.get(url).status_code
        if name in ALLOWED[group]:
            assert status == 200, (group, name, status)
        else:
            assert status in DENIED, (group, name, status)


MENU = {
    "payments": "/admin/paiements/paiements/",
    "invoices": "/admin/paiements/factures/",
    "regies": "/admin/paiements/regies/",
    "reconciliation": "/admin/paiements/rapprochement/",
    "import": "/admin/paiements/import-factures/",
}


@pytest.mark.parametrize("group", GROUPS)
def test_the_payments_menu_shows_only_what_the_user_may_do(client, group):
    html = _client(client, group).get("/admin/").content.decode()
    for name, url in MENU.items():
        assert (url in html) == (name in ALLOWED[group]), (group, name)
    if not ALLOWED[group]:
        assert "/admin/paiements/" not in html


def test_desk_agent_reads_but_is_offered_and_allowed_no_change(client, objects):
    invoice, payment = objects["invoice"], objects["payment"]
    desk = _client(client, "Accueil")
    page = desk.get(f"/admin/paiements/factures/inspect/{invoice.pk}/").content.decode()
    assert invoice.payer_email in page and "12,50" in page
    for action in ("annuler", "regler", "edit"):
        assert f"/admin/paiements/factures/{action}/{invoice.pk}/" not in page
    payment_page = desk.get(f"/admin/paiements/paiements/inspect/{payment.pk}/").content.decode()
    assert payment.refdet in payment_page
    assert "Enregistrer un remboursement" not in payment_page

    assert (
        desk.post(
            f"/admin/paiements/factures/regler/{invoice.pk}/",
            {"means": "cash", "reference": "R1"},
        ).status_code
        in DENIED
    )
    assert (
        desk.post(
            f"/admin/paiements/factures/annuler/{invoice.pk}/", {"reason": "erreur"}
        ).status_code
        in DENIED
    )
    desk.post(
        f"/admin/paiements/factures/edit/{invoice.pk}/",
        {
            "payer_name": "Autre",
            "payer_email": invoice.payer_email,
            "service": invoice.service,
            "label": invoice.label,
            "issued_on": invoice.issued_on.isoformat(),
            "due_date": invoice.due_date.isoformat(),
            "amount_euros": "1",
        },
    )
    assert (
        desk.post(
            f"/admin/paiements/rembourser/{payment.pk}/", {"amount": "5", "reason": "r"}
        ).status_code
        in DENIED
    )
    invoice.refresh_from_db()
    assert invoice.status == "open" and invoice.amount == 1250 and invoice.payer_name != "Autre"
    assert not Refund.objects.exists()
    assert not Payment.objects.filter(provider="offline").exists()


def test_regisseur_settles_refunds_cancels_and_exports(client, objects):
    invoice, payment = objects["invoice"], objects["payment"]
    regisseur = _client(client, "Régie")
    regisseur.post(
        f"/admin/paiements/factures/regler/{invoice.pk}/", {"means": "cash", "reference": "R7"}
    )
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.paid_by.provider == "offline"
    regisseur.post(f"/admin/paiements/rembourser/{payment.pk}/", {"amount": "5", "reason": "r"})
    assert Refund.objects.get().amount == 500
    other = make_invoice(objects["regie"], "famille@example.org", number="F3")
    regisseur.post(f"/admin/paiements/factures/annuler/{other.pk}/", {"reason": "Doublon"})
    assert Invoice.objects.get(pk=other.pk).status == "cancelled"
    day = timezone.localdate().isoformat()
    export = regisseur.get(f"/admin/paiements/rapprochement/?date={day}")
    assert export["Content-Type"].startswith("text/csv")
    assert len(export.content.decode().splitlines()) == 3  # header, online, at the desk
    # A régisseur still never deletes an invoice nor edits a payment or a régie by hand.
    assert regisseur.post(f"/admin/paiements/factures/delete/{other.pk}/").status_code in DENIED
    assert Invoice.objects.filter(pk=other.pk).exists()
