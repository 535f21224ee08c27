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


# --- invoices: edit through the services, explicit actions, audit trail -------------------

from parvis.core.models import AuditLogEntry  # noqa: E402
from parvis.payments.exceptions import InvoiceNotEditable  # noqa: E402
from parvis.payments.models import Receipt  # noqa: E402
from parvis.payments.services import (  # noqa: E402
    invoice_cancel,
    invoice_settle_offline,
    invoice_update,
)

from .payfip_server import signals_seen_fixture  # noqa: E402, F401


def _edit_data(invoice, **changes):
    data = {
        "family_reference": invoice.family_reference,
        "payer_name": invoice.payer_name,
        "payer_email": invoice.payer_email,
        "service": invoice.service,
        "label": invoice.label,
        "issued_on": invoice.issued_on.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "amount_euros": "12,50",
    }
    data.update(changes)
    return data


def _audit(invoice, action):
    return AuditLogEntry.objects.filter(
        action=action, object_id=str(invoice.pk), content_type__model="invoice"
    )


def test_edit_form_goes_through_the_service_and_never_sets_the_status(admin_client):
    regie = make_regie()
    invoice = make_invoice(regie, "famille@example.org", number="F1", amount=1250)
    resident = factories.make_user("camille.martin@example.org")
    url = f"/admin/paiements/factures/edit/{invoice.pk}/"
    form = admin_client.get(url).content.decode()
    assert 'name="amount_euros"' in form and 'value="12,50"' in form
    assert 'name="status"' not in form

    response = admin_client.post(
        url,
        _edit_data(
            invoice,
            amount_euros="15,80",
            payer_email="Camille.Martin@example.org",
            status="paid",  # not a field: ignored
        ),
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.amount == 1580 and invoice.status == "open"
    assert invoice.payer_email == "camille.martin@example.org" and invoice.user == resident
    entry = _audit(invoice, "invoice.update").get()
    assert entry.actor.email == "regisseur@example.org"
    assert entry.data["changes"]["amount"] == [1250, 1580]
    assert entry.data["changes"]["payer_email"] == [
        "famille@example.org",
        "camille.martin@example.org",
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12,5x", "Montant invalide : indiquez des euros et des centimes, par exemple 12,50."),
        ("0,00", "Le montant doit être supérieur à zéro."),
        ("", "Champ requis."),
    ],
)
def test_bad_amount_is_refused_next_to_the_field_and_nothing_changes(admin_client, typed, message):
    invoice = make_invoice(make_regie(), "famille@example.org", amount=1250)
    response = admin_client.post(
        f"/admin/paiements/factures/edit/{invoice.pk}/",
        _edit_data(invoice, amount_euros=typed, label="Nouveau libellé"),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.amount == 1250 and invoice.label == "Cantine – janvier"
    assert not _audit(invoice, "invoice.update").exists()


def test_due_date_before_issue_date_is_refused(admin_client):
    invoice = make_invoice(make_regie(), "famille@example.org")
    response = admin_client.post(
        f"/admin/paiements/factures/edit/{invoice.pk}/",
        _edit_data(invoice, due_date=(invoice.issued_on - dt.timedelta(days=1)).isoformat()),
    )
    assert "L&#x27;échéance ne peut pas précéder la date d&#x27;émission." in (
        response.content.decode()
    )
    assert not _audit(invoice, "invoice.update").exists()


def test_create_refuses_a_bad_amount_and_keeps_the_form(admin_client):
    regie = make_regie()
    response = admin_client.post(
        "/admin/paiements/factures/new/",
        {
            "regie": regie.pk,
            "number": "T2026010",
            "payer_name": "Famille Martin",
            "payer_email": "famille@example.org",
            "service": "transport",
            "label": "Transport scolaire",
            "issued_on": timezone.localdate().isoformat(),
            "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
            "amount_euros": "trente euros",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "par exemple 12,50" in html
    assert 'value="Famille Martin"' in html
    assert not Invoice.objects.exists()


def test_created_invoice_is_audited_with_its_author(admin_client):
    regie = make_regie()
    admin_client.post(
        "/admin/paiements/factures/new/",
        {
            "regie": regie.pk,
            "number": "T2026011",
            "payer_name": "Famille Martin",
            "payer_email": "famille@example.org",
            "service": "canteen",
            "label": "Cantine",
            "issued_on": timezone.localdate().isoformat(),
            "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
            "amount_euros": "8",
        },
    )
    invoice = Invoice.objects.get()
    assert invoice.amount == 800
    assert _audit(invoice, "invoice.create").get().actor.email == "regisseur@example.org"


def test_paid_invoice_cannot_be_edited_and_says_why(admin_client):
    payment = _paid_payment(make_regie())
    invoice = payment.paid_invoices.get()
    url = f"/admin/paiements/factures/edit/{invoice.pk}/"
    response = admin_client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/paiements/factures/inspect/{invoice.pk}/"
    assert "Cette facture est réglée" in response.content.decode()
    admin_client.post(url, _edit_data(invoice, amount_euros="1,00", payer_name="Autre"))
    invoice.refresh_from_db()
    assert invoice.amount == 1250 and invoice.payer_name == "Famille Exemple"
    with pytest.raises(InvoiceNotEditable):
        invoice_update(
            invoice=invoice,
            payer_name="Autre",
            payer_email=invoice.payer_email,
            label=invoice.label,
            due_date=invoice.due_date,
            amount=100,
            service=invoice.service,
            issued_on=invoice.issued_on,
        )
    # The list does not offer to edit it either.
    listing = admin_client.get("/admin/paiements/factures/").content.decode()
    assert url not in listing


def test_invoice_is_never_deleted(admin_client):
    invoice = make_invoice(make_regie(), "famille@example.org")
    response = admin_client.post(f"/admin/paiements/factures/delete/{invoice.pk}/")
    assert response.status_code in (302, 403)
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_cancel_needs_a_reason_and_is_audited(admin_client):
    invoice = make_invoice(make_regie(), "famille@example.org")
    url = f"/admin/paiements/factures/annuler/{invoice.pk}/"
    no_reason = admin_client.post(url, {"reason": "  "})
    assert no_reason.status_code == 200 and "Champ requis." in (no_reason.content.decode())
    invoice.refresh_from_db()
    assert invoice.status == "open"

    done = admin_client.post(url, {"reason": "Émise en double"}, follow=True)
    assert "annulée" in done.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == "cancelled"
    assert _audit(invoice, "invoice.cancel").get().data == {"reason": "Émise en double"}
    # A cancelled invoice is not cancelled again, nor edited, nor settled.
    again = admin_client.post(url, {"reason": "encore"}, follow=True)
    assert "Cette facture est annulée" in again.content.decode()
    assert _audit(invoice, "invoice.cancel").count() == 1
    admin_client.post(
        f"/admin/paiements/factures/regler/{invoice.pk}/",
        {"means": "cash", "reference": "R12"},
    )
    assert not Payment.objects.exists()


def test_paid_or_held_invoice_cannot_be_cancelled(admin_client):
    regie = make_regie()
    paid = _paid_payment(regie).paid_invoices.get()
    with pytest.raises(InvoiceNotEditable, match="remboursement"):
        invoice_cancel(invoice=paid, reason="erreur", actor=None)
    resident = factories.make_user("autre@example.org")
    held = make_invoice(regie, resident.email, number="F2")
    pending = invoice_pay(user=resident, invoice_ids=[held.pk])
    response = admin_client.post(
        f"/admin/paiements/factures/annuler/{held.pk}/", {"reason": "erreur"}, follow=True
    )
    assert "Un paiement en ligne de cette facture est en cours" in response.content.decode()
    assert pending.refdet in response.content.decode()
    held.refresh_from_db()
    paid.refresh_from_db()
    assert held.status == "open" and paid.status == "paid"


def test_offline_settlement_goes_through_payment_mark_paid_once(
    admin_client, payfip, signals_seen, django_capture_on_commit_callbacks, mailoutbox
):
    regie = make_regie(code="cantine", backend="payfip_ws")
    online = _paid_payment(regie, number="F1")
    invoice = make_invoice(regie, "famille@example.org", number="F2", amount=4280)
    url = f"/admin/paiements/factures/regler/{invoice.pk}/"
    form = admin_client.get(url).content.decode()
    assert "42,80" in form and "Chèque" in form.replace("chèque", "Chèque")

    missing = admin_client.post(url, {"means": "cheque", "reference": ""})
    assert missing.status_code == 200 and not invoice.settlements.exists()

    requests_before = len(payfip.state.requests)
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(url, {"means": "cheque", "reference": "CHQ 0012345"}, follow=True)
    html = done.content.decode()
    assert "quittance n° CANTINE-" in html
    invoice.refresh_from_db()
    payment = invoice.paid_by
    assert invoice.status == "paid" and invoice.held_by is None
    assert payment.provider == "offline" and payment.status == "paid"
    assert payment.amount == 4280 and payment.provider_reference == "CHQ 0012345"
    assert "chèque" in payment.label
    # Same receipt sequence as online payments: the next number.
    assert online.receipt.sequence == 1 and payment.receipt.sequence == 2
    assert Receipt.objects.count() == 2
    # The payable was told exactly once; the provider was never called.
    assert [pk for pk, _payable in signals_seen.paid].count(payment.pk) == 1
    assert len(payfip.state.requests) == requests_before
    # The family gets its receipt by e-mail.
    assert [m.to for m in mailoutbox] == [["famille@example.org"]]
    assert payment.receipt.number in mailoutbox[0].subject + mailoutbox[0].body
    settle = _audit(invoice, "invoice.settle_offline").get()
    assert settle.actor.email == "regisseur@example.org"
    assert settle.data["means"] == "cheque" and settle.data["receipt"] == payment.receipt.number
    assert AuditLogEntry.objects.filter(
        action="payment.paid", object_id=str(payment.pk), data__source="offline"
    ).exists()

    # Settling again is refused and creates nothing.
    again = admin_client.post(url, {"means": "cash", "reference": "R1"}, follow=True)
    assert "Cette facture est réglée" in again.content.decode()
    with pytest.raises(InvoiceNotEditable):
        invoice_settle_offline(invoice=invoice, means="cash", reference="R2", actor=None)
    assert Payment.objects.filter(provider="offline").count() == 1
    assert len(signals_seen.paid) == 2  # the online payment and the offline one


def test_offline_settlement_refused_while_an_online_payment_holds_the_invoice(admin_client):
    regie = make_regie()
    resident = factories.make_user("camille.martin@example.org")
    invoice = make_invoice(regie, resident.email)
    invoice_pay(user=resident, invoice_ids=[invoice.pk])
    response = admin_client.post(
        f"/admin/paiements/factures/regler/{invoice.pk}/",
        {"means": "cash", "reference": "R1"},
        follow=True,
    )
    assert "Un paiement en ligne de cette facture est en cours" in response.content.decode()
    assert not Payment.objects.filter(provider="offline").exists()
    invoice.refresh_from_db()
    assert invoice.status == "open"


def test_invoice_page_shows_its_payments_and_audit_trail(
    admin_client, django_assert_max_num_queries
):
    regie = make_regie()
    resident = factories.make_user("camille.martin@example.org")
    invoice = make_invoice(regie, resident.email, number="F1")
    failed = invoice_pay(user=resident, invoice_ids=[invoice.pk])
    from parvis.payments.services import payment_close

    payment_close(payment=failed, status="failed", reason="refusé")
    offline = invoice_settle_offline(invoice=invoice, means="cash", reference="R-0042", actor=None)
    with django_assert_max_num_queries(14):
        html = admin_client.get(f"/admin/paiements/factures/inspect/{invoice.pk}/").content
    html = html.decode()
    assert failed.refdet in html and offline.refdet in html
    assert offline.receipt.number in html and "à la régie (R-0042)" in html
    for label in ("Facture créée", "Réglée à la régie", "Facture payée", "moyen : espèces"):
        assert label in html
    # Once paid, no action is offered any more.
    assert "Annuler la facture" not in html and "Marquer comme réglée hors ligne" not in html
    # The payment's page links back to the invoice.
    payment_page = admin_client.get(f"/admin/paiements/paiements/inspect/{offline.pk}/")
    assert f"/admin/paiements/factures/inspect/{invoice.pk}/" in payment_page.content.decode()


def test_open_invoice_page_offers_the_actions(admin_client):
    invoice = make_invoice(make_regie(), "famille@example.org")
    html = admin_client.get(f"/admin/paiements/factures/inspect/{invoice.pk}/").content.decode()
    assert f"/admin/paiements/factures/annuler/{invoice.pk}/" in html
    assert f"/admin/paiements/factures/regler/{invoice.pk}/" in html
    assert f"/admin/paiements/factures/edit/{invoice.pk}/" in html


def test_refund_of_a_desk_payment_never_calls_a_provider(admin_client):
    invoice = make_invoice(make_regie(), "famille@example.org", amount=2000)  # dummy backend
    payment = invoice_settle_offline(invoice=invoice, means="cash", reference="R1", actor=None)
    done = admin_client.post(
        f"/admin/paiements/rembourser/{payment.pk}/",
        {"amount": "5", "reason": "Repas non pris"},
        follow=True,
    )
    assert "reçu à la régie" in done.content.decode()
    refund = Refund.objects.get()
    assert refund.executed_online is False and not payment.exchanges.filter(kind="refund")
    payment.refresh_from_db()
    assert payment.status == "partially_refunded" and payment.refunded_amount == 500


def test_reconciliation_lists_desk_payments_with_their_reference(admin_client):
    invoice = make_invoice(make_regie(), "famille@example.org", amount=1860)
    payment = invoice_settle_offline(invoice=invoice, means="cheque", reference="CHQ77", actor=None)
    day = timezone.localdate().isoformat()
    lines = admin_client.get(f"/admin/paiements/rapprochement/?date={day}").content.decode()
    lines = lines.splitlines()
    assert lines[0].endswith(";libelle;prestataire")
    assert len(lines) == 2 and payment.refdet in lines[1]
    assert ";CHQ77;18,60;1860;" in lines[1] and lines[1].endswith(";offline")
