"""Back office: payments with filters, totals and audit trail, refunds, invoice import,
staff-created invoices, reconciliation export."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parvis.payments.models import Invoice, Payment, Refund
from parvis.payments.services import invoice_pay, payment_mark_paid, payment_start

from . import factories
from .conftest import verified_login
from .payfip_server import make_invoice, make_regie, payfip_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = factories.make_user("regisseur@example.org", staff=True, superuser=True)
    return verified_login(client, user)


def _paid_payment(regie, email="camille.martin@example.org", number="F1", amount=1250):
    user = factories.make_user(email)
    invoice = make_invoice(regie, email, number=number, amount=amount)
    payment = invoice_pay(user=user, invoice_ids=[invoice.pk])
    payment_start(payment=payment)
    payment, _changed = payment_mark_paid(payment=payment, source="test")
    return payment


def test_payment_list_filters_and_totals(admin_client):
    regie = make_regie()
    paid = _paid_payment(regie)
    user = factories.make_user("autre@example.org")
    other = make_invoice(regie, user.email, number="F2", amount=3000)
    invoice_pay(user=user, invoice_ids=[other.pk])  # stays created
    response = admin_client.get("/admin/paiements/paiements/?status=paid")
    html = response.content.decode()
    assert response.status_code == 200
    assert paid.refdet in html
    assert "1 paiement(s) – montant total 12,50\u00a0€ – encaissé 12,50\u00a0€" in html
    everything = admin_client.get("/admin/paiements/paiements/").content.decode()
    assert "2 paiement(s) – montant total 42,50\u00a0€ – encaissé 12,50\u00a0€" in everything


def test_payment_inspect_shows_the_audit_trail(admin_client):
    payment = _paid_payment(make_regie())
    html = admin_client.get(f"/admin/paiements/paiements/inspect/{payment.pk}/").content.decode()
    for action in ("payment.create", "payment.start", "payment.paid"):
        assert action in html
    assert "Enregistrer un remboursement" in html
    # Nobody edits a payment by hand.
    assert admin_client.get(f"/admin/paiements/paiements/edit/{payment.pk}/").status_code in (
        302,
        403,
    )


def test_refund_larger_than_paid_is_refused_then_partial_refunds(admin_client, payfip):
    payment = _paid_payment(make_regie(code="cantine", backend="payfip_ws"), amount=2000)
    url = f"/admin/paiements/rembourser/{payment.pk}/"
    too_much = admin_client.post(url, {"amount": "20,01", "reason": "Erreur de facturation"})
    assert too_much.status_code == 200
    assert "dépasse le montant payé restant" in too_much.content.decode()
    assert not Refund.objects.exists()
    no_reason = admin_client.post(url, {"amount": "5", "reason": ""})
    assert not Refund.objects.exists() and no_reason.status_code == 200

    done = admin_client.post(url, {"amount": "5,00", "reason": "Repas non pris"}, follow=True)
    assert "comptable public" in done.content.decode()
    payment.refresh_from_db()
    assert payment.status == "partially_refunded" and payment.refunded_amount == 500
    assert Refund.objects.get().executed_online is False  # PayFiP: the accountant pays back
    admin_client.post(url, {"amount": "15,00", "reason": "Départ de la commune"})
    payment.refresh_from_db()
    assert payment.status == "refunded" and payment.refundable_amount == 0
    again = admin_client.post(url, {"amount": "0,01", "reason": "x"})
    assert Refund.objects.count() == 2 and again.status_code == 200


def test_dummy_backend_refund_goes_through_the_provider(admin_client):
    payment = _paid_payment(make_regie())
    admin_client.post(f"/admin/paiements/rembourser/{payment.pk}/", {"amount": "2", "reason": "r"})
    assert Refund.objects.get().executed_online is True


GOOD_CSV = (
    "numero;reference_famille;nom;email;service;libelle;date_emission;echeance;montant\n"
    "C2026001;FAM12;Famille Exemple;camille.martin@example.org;cantine;Cantine janvier;"
    "01/02/2026;28/02/2026;42,80\n"
    "P2026001;FAM12;Famille Exemple;camille.martin@example.org;périscolaire;Garderie janvier;"
    "01/02/2026;28/02/2026;18\n"
)
BAD_ROW = "T2026001;FAM13;Famille Test;pas-une-adresse;transport;Car;01/02/2026;31/02/2026;-3\n"


def _upload(text):
    return SimpleUploadedFile("factures.csv", text.encode("cp1252"), content_type="text/csv")


def test_csv_import_reports_bad_rows_and_imports_nothing(admin_client):
    regie = make_regie()
    response = admin_client.post(
        "/admin/paiements/import-factures/",
        {"regie": regie.pk, "file": _upload(GOOD_CSV + BAD_ROW)},
    )
    html = response.content.decode()
    assert "Aucune facture n'a été importée" in html
    assert "<td>4</td><td>email</td>" in html
    assert "<td>4</td><td>echeance</td>" in html
    assert "<td>4</td><td>montant</td>" in html
    assert Invoice.objects.count() == 0

    skipped = admin_client.post(
        "/admin/paiements/import-factures/",
        {"regie": regie.pk, "file": _upload(GOOD_CSV + BAD_ROW), "skip_invalid": "on"},
    )
    assert "2 facture(s) importée(s)" in skipped.content.decode()
    imported = Invoice.objects.order_by("number")
    assert [(i.number, i.amount, i.service) for i in imported] == [
        ("C2026001", 4280, "canteen"),
        ("P2026001", 1800, "after_school"),
    ]
    assert imported[0].due_date == dt.date(2026, 2, 28)
    # The same file again: duplicates are reported, nothing doubled.
    again = admin_client.post(
        "/admin/paiements/import-factures/", {"regie": regie.pk, "file": _upload(GOOD_CSV)}
    )
    assert "Cette facture existe déjà" in again.content.decode()
    assert Invoice.objects.count() == 2


def test_staff_create_an_invoice_in_euros(admin_client):
    regie = make_regie()
    resident = factories.make_user("camille.martin@example.org")
    due = timezone.localdate() + dt.timedelta(days=20)
    response = admin_client.post(
        "/admin/paiements/factures/new/",
        {
            "regie": regie.pk,
            "number": "T2026009",
            "family_reference": "FAM1",
            "payer_name": "Famille Martin",
            "payer_email": "Camille.Martin@example.org",
            "service": "transport",
            "label": "Transport scolaire – trimestre",
            "issued_on": timezone.localdate().isoformat(),
            "due_date": due.isoformat(),
            "amount_euros": "35,50",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    invoice = Invoice.objects.get()
    assert invoice.amount == 3550 and invoice.user == resident


def test_reconciliation_export(admin_client):
    payment = _paid_payment(make_regie())
    day = timezone.localdate()
    response = admin_client.get(f"/admin/paiements/rapprochement/?date={day.isoformat()}")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("date;heure;regie;refdet;idop")
    assert len(lines) == 2 and payment.refdet in lines[1] and ";12,50;1250;" in lines[1]


def test_resident_cannot_reach_the_payment_admin(client):
    user = factories.make_user("camille.martin@example.org")
    client.force_login(user)
    assert client.get("/admin/paiements/paiements/").status_code in (302, 403)
    assert client.get("/admin/paiements/rapprochement/").status_code in (302, 403)
    assert Payment.objects.count() == 0
