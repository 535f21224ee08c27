"""Invoices in the resident's space: only one's own, pay one or several, never twice,
not after the legal deadline, reminders before the due date."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from parvis.payments.models import Invoice, Payment
from parvis.payments.services import invoice_pay, invoices_send_reminders

from . import factories
from .payfip_server import make_invoice, make_regie

pytestmark = pytest.mark.django_db

RESIDENT = "camille.martin@example.org"
NEIGHBOUR = "dominique.exemple@example.org"


@pytest.fixture
def resident(client):
    user = factories.make_user(RESIDENT)
    client.force_login(user)
    return user


def test_resident_sees_only_their_own_invoices_and_payments(client, resident):
    regie = make_regie()
    mine = make_invoice(regie, RESIDENT, number="F1", label="Cantine de Camille")
    neighbour = factories.make_user(NEIGHBOUR)
    theirs = make_invoice(regie, NEIGHBOUR, number="F2", label="Cantine du voisin")
    their_payment = invoice_pay(user=neighbour, invoice_ids=[theirs.pk])

    html = client.get("/paiement/factures/").content.decode()
    assert "Cantine de Camille" in html and "Cantine du voisin" not in html

    # Someone else's invoice id, alone or with one's own: refused, nothing created.
    for ids in ([theirs.pk], [mine.pk, theirs.pk], [999999]):
        response = client.post("/paiement/factures/payer/", {"invoices": ids})
        assert response.status_code == 400
        assert "Facture introuvable" in response.content.decode()
    assert Payment.objects.count() == 1
    assert client.post("/paiement/factures/payer/", {"invoices": ["abc"]}).status_code == 400

    # Someone else's payment: not found on every page.
    for url in (
        f"/paiement/{their_payment.public_id}/",
        f"/paiement/{their_payment.public_id}/etat/",
        f"/paiement/{their_payment.public_id}/quittance/",
        f"/paiement/simulateur/{their_payment.public_id}/",
    ):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/paiement/factures/")
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_invoice_addressed_to_a_verified_email_is_visible_before_linking(client, resident):
    regie = make_regie()
    invoice = Invoice.objects.create(
        regie=regie,
        number="F9",
        payer_name="Famille Martin",
        payer_email=RESIDENT,
        label="Transport",
        due_date=timezone.localdate() + dt.timedelta(days=5),
        amount=900,
    )
    assert "Transport" not in client.get("/paiement/factures/").content.decode()
    resident.email_verified_at = timezone.now()
    resident.save()
    assert "Transport" in client.get("/paiement/factures/").content.decode()
    assert client.post("/paiement/factures/payer/", {"invoices": [invoice.pk]}).status_code == 302


def test_pay_several_invoices_at_once(client, resident):
    regie = make_regie()
    first = make_invoice(regie, RESIDENT, number="F1", amount=1250)
    second = make_invoice(regie, RESIDENT, number="F2", amount=2080)
    page = client.get("/paiement/factures/").content.decode()
    assert "Payer la sélection" in page
    response = client.post("/paiement/factures/payer/", {"invoices": [first.pk, second.pk]})
    payment = Payment.objects.get()
    assert payment.amount == 3330 and payment.label == "Factures F1, F2"
    client.post(response["Location"], {"outcome": "paid"})
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid"}
    assert set(Invoice.objects.values_list("paid_by", flat=True)) == {payment.pk}


def test_a_paid_invoice_cannot_be_paid_again(client, resident):
    regie = make_regie()
    invoice = make_invoice(regie, RESIDENT)
    response = client.post("/paiement/factures/payer/", {"invoices": [invoice.pk]})
    client.post(response["Location"], {"outcome": "paid"})
    again = client.post("/paiement/factures/payer/", {"invoices": [invoice.pk]})
    assert again.status_code == 400
    assert "déjà payée" in again.content.decode()
    assert Payment.objects.count() == 1


def test_an_invoice_in_a_payment_in_progress_cannot_be_paid_twice(client, resident):
    regie = make_regie()
    invoice = make_invoice(regie, RESIDENT)
    client.post("/paiement/factures/payer/", {"invoices": [invoice.pk]})
    page = client.get("/paiement/factures/").content.decode()
    assert "Un paiement de cette facture est en cours" in page
    assert "Voir l'état du paiement" in page
    again = client.post("/paiement/factures/payer/", {"invoices": [invoice.pk]})
    assert again.status_code == 400 and "déjà en cours" in again.content.decode()
    assert Payment.objects.count() == 1


def test_overdue_invoice_is_not_payable_online_and_says_why(client, resident):
    regie = make_regie(online_payment_grace_days=30)
    late = make_invoice(regie, RESIDENT, number="F1", due_in_days=-31)
    still_ok = make_invoice(regie, RESIDENT, number="F2", due_in_days=-30)
    html = client.get("/paiement/factures/").content.decode()
    assert "transmise au Trésor public" in html
    assert "Service de gestion comptable, 01 99 00 00 00" in html
    assert f'id="facture-{late.pk}"' not in html
    assert f'id="facture-{still_ok.pk}"' in html
    response = client.post("/paiement/factures/payer/", {"invoices": [late.pk]})
    assert response.status_code == 400
    assert "réglez-la auprès du service de gestion comptable" in response.content.decode()
    assert client.post("/paiement/factures/payer/", {"invoices": [still_ok.pk]}).status_code == 302


def test_invoices_page_queries_are_bounded(client, resident, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    regie = make_regie()
    make_invoice(regie, RESIDENT, number="F0")
    client.get("/paiement/factures/")  # the site's settings rows are created once
    with CaptureQueriesContext(connection) as few:
        client.get("/paiement/factures/")
    for i in range(1, 13):
        make_invoice(regie, RESIDENT, number=f"F{i}")
    for invoice in Invoice.objects.all()[:4]:
        invoice_pay(user=resident, invoice_ids=[invoice.pk])
    with django_assert_max_num_queries(len(few)):
        assert client.get("/paiement/factures/").status_code == 200


def test_personal_space_has_the_invoices_section(client, resident):
    make_invoice(make_regie(), RESIDENT, amount=1250)
    html = client.get("/comptes/").content.decode()
    assert "Mes factures et paiements" in html
    assert "Vous avez 1 facture à payer (12,50\u00a0€)" in html


def test_reminders_before_the_due_date_are_sent_once(resident):
    regie = make_regie(reminder_days_before=7)
    make_invoice(regie, RESIDENT, number="F1", due_in_days=5)
    make_invoice(regie, RESIDENT, number="F2", due_in_days=20)  # too early
    paid = make_invoice(regie, RESIDENT, number="F3", due_in_days=3)
    Invoice.objects.filter(pk=paid.pk).update(status="paid")
    assert invoices_send_reminders() == 1
    assert invoices_send_reminders() == 0
    assert len(mail.outbox) == 1
    assert "F1" in mail.outbox[0].subject and mail.outbox[0].to == [RESIDENT]
    assert "/paiement/factures/" in mail.outbox[0].body
