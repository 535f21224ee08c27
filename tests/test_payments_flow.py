"""The whole payment flow, against the development simulator and against a local HTTP
server standing for the PayFiP web service: creation, redirect, notification, status
query, errors and timeouts."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from parvis.payments.models import Invoice, Payment, PaymentExchange

from . import factories
from .payfip_server import (  # noqa: F401
    make_invoice,
    make_regie,
    payfip_fixture,
    signals_seen_fixture,
)

pytestmark = pytest.mark.django_db

RESIDENT = "camille.martin@example.org"


@pytest.fixture
def resident(client):
    user = factories.make_user(RESIDENT)
    client.force_login(user)
    return user


def _pay(client, *invoices, **extra):
    return client.post("/paiement/factures/payer/", {"invoices": [i.pk for i in invoices], **extra})


def test_dummy_simulator_flow_pays_the_invoice_and_mails_a_receipt(
    client, resident, signals_seen, django_capture_on_commit_callbacks
):
    regie = make_regie()
    invoice = make_invoice(regie, RESIDENT)

    page = client.get("/paiement/factures/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Payer en ligne" in html and "12,50\u00a0€" in html

    response = _pay(client, invoice)
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/paiement/simulateur/{payment.public_id}/"
    assert payment.status == "pending" and payment.amount == 1250
    invoice.refresh_from_db()
    assert invoice.held_by == payment

    simulator = client.get(response["Location"])
    assert "Simulateur de paiement" in simulator.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], {"outcome": "paid"})
    assert done.status_code == 302 and done["Location"] == f"/paiement/{payment.public_id}/"

    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "paid"
    assert invoice.status == "paid" and invoice.paid_by == payment and invoice.held_by is None
    assert len(signals_seen.paid) == 1
    assert payment.receipt.number == f"PERISCOLAIRE-{payment.paid_at.year}-000001"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [RESIDENT]
    assert payment.receipt.number in message.subject
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")

    detail = client.get(done["Location"]).content.decode()
    assert "Paiement enregistré" in detail
    pdf = client.get(f"/paiement/{payment.public_id}/quittance/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # Paid: the invoice is listed with its receipt, no longer payable.
    html = client.get("/paiement/factures/").content.decode()
    assert "Vous n'avez aucune facture à payer" in html
    assert payment.receipt.number in html


def test_simulated_refusal_releases_the_invoice(client, resident, signals_seen):
    regie = make_regie()
    invoice = make_invoice(regie, RESIDENT)
    response = _pay(client, invoice)
    client.post(response["Location"], {"outcome": "failed"})
    payment = Payment.objects.get()
    invoice.refresh_from_db()
    assert payment.status == "failed"
    assert invoice.status == "open" and invoice.held_by is None
    assert signals_seen.paid == [] and len(signals_seen.released) == 1
    detail = client.get(f"/paiement/{payment.public_id}/").content.decode()
    assert "n'a pas abouti" in detail and "Réessayer le paiement" in detail
    # The resident can try again at once.
    assert _pay(client, invoice).status_code == 302


def test_payfip_full_flow(client, resident, payfip, signals_seen):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT, amount=4280)

    # The pay form may send the browser to PayFiP: its origin is allowed in form-action.
    page = client.get("/paiement/factures/")
    assert "https://www.payfip.gouv.fr" in page["Content-Security-Policy"]

    response = _pay(client, invoice)
    payment = Payment.objects.get()
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.netloc, location.path) == ("www.payfip.gouv.fr", "/tpa/paiementws.web")
    idop = parse_qs(location.query)["idop"][0]
    assert payment.idop == idop and payment.status == "pending"

    name, sent = payfip.state.requests[0]
    assert name == "creerPaiementSecurise"
    assert sent["montant"] == "4280"
    assert sent["numcli"] == "123456" and sent["saisie"] == "T"
    assert sent["refdet"] == payment.refdet and sent["exer"] == str(payment.created_at.year)
    assert sent["mel"] == RESIDENT
    assert sent["urlnotif"].endswith("/paiement/notification/cantine/")
    assert sent["urlredirect"].endswith(f"/paiement/{payment.public_id}/")

    # Back from PayFiP before it settled: the server asks PayFiP (P5: in progress).
    detail = client.get(f"/paiement/{payment.public_id}/").content.decode()
    assert "en cours de vérification" in detail
    assert payfip.state.count("recupererDetailPaiementSecurise") == 1

    payfip.state.settle(idop, "P")
    notified = client.post("/paiement/notification/cantine/", {"idop": idop})
    assert notified.status_code == 200
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "paid" and invoice.status == "paid"
    assert len(signals_seen.paid) == 1
    exchange = payment.exchanges.filter(kind="notification").get()
    assert exchange.data["status"]["bank_data"]["resultrans"] == "P"
    assert "Paiement enregistré" in client.get(f"/paiement/{payment.public_id}/").content.decode()


@pytest.mark.parametrize("resultrans, status", [("R", "failed"), ("Z", "failed")])
def test_payfip_refusal(client, resident, payfip, resultrans, status):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT)
    _pay(client, invoice)
    payment = Payment.objects.get()
    payfip.state.settle(payment.idop, resultrans)
    assert client.post("/paiement/notification/cantine/", {"idop": payment.idop}).status_code == 200
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == status
    assert invoice.status == "open" and invoice.held_by is None


def test_payfip_cancellation_is_final_after_the_grace_period(client, resident, payfip):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT)
    _pay(client, invoice)
    payment = Payment.objects.get()
    # eopayment treats a fresh "A" as still in progress (the idop stays valid a while).
    payfip.state.settle(payment.idop, "A")
    client.post("/paiement/notification/cantine/", {"idop": payment.idop})
    payment.refresh_from_db()
    assert payment.status == "pending"
    payfip.state.settle(payment.idop, "A", minutes_ago=10)
    client.post("/paiement/notification/cantine/", {"idop": payment.idop})
    payment.refresh_from_db()
    assert payment.status == "cancelled"
    invoice.refresh_from_db()
    assert invoice.held_by is None


@pytest.mark.parametrize("failure", ["down", "timeout", "closed"])
def test_provider_down_at_start_loses_nothing_and_offers_a_retry(
    client, resident, payfip, settings, failure
):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT)
    if failure == "down":
        payfip.state.down = True
    elif failure == "timeout":
        settings.PARVIS_PAYMENTS_PROVIDER_TIMEOUT = 1
        payfip.state.delay = 2
    else:
        settings.PARVIS_PAYMENTS_PAYFIP_SERVICE_URL = "http://127.0.0.1:9/tpa/services/securite"

    response = _pay(client, invoice)
    assert response.status_code == 503
    html = response.content.decode()
    assert "ne répond pas" in html
    assert "Réessayer" in html
    assert f'value="{invoice.pk}" id="facture-{invoice.pk}" checked' in html  # kept selected
    payment = Payment.objects.get()
    invoice.refresh_from_db()
    assert payment.status == "failed"
    assert invoice.status == "open" and invoice.held_by is None
    assert payment.exchanges.get(kind="start").accepted is False

    payfip.state.down, payfip.state.delay = False, 0
    settings.PARVIS_PAYMENTS_PAYFIP_SERVICE_URL = payfip.url
    retry = _pay(client, invoice)
    assert retry.status_code == 302 and "payfip.gouv.fr" in retry["Location"]


def test_functional_refusal_at_start_is_explained(client, resident, payfip):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT)
    payfip.state.fault_code = "R3"
    response = _pay(client, invoice)
    assert response.status_code == 400
    assert "a refusé la demande" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.held_by is None


def test_amount_comes_from_the_invoices_not_from_the_browser(client, resident, payfip):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT, amount=9900)
    _pay(client, invoice, amount="1", montant="100")
    assert Payment.objects.get().amount == 9900
    assert payfip.state.requests[0][1]["montant"] == "9900"


def test_lost_notification_is_caught_by_the_status_query(client, resident, payfip, signals_seen):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT)
    _pay(client, invoice)
    payment = Payment.objects.get()
    payfip.state.settle(payment.idop, "V")
    call_command("check_pending_payments", stdout=io.StringIO())
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "paid" and invoice.status == "paid"
    call_command("check_pending_payments", stdout=io.StringIO())
    assert len(signals_seen.paid) == 1


def test_status_query_while_provider_is_down_keeps_the_payment_pending(client, resident, payfip):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT)
    _pay(client, invoice)
    payfip.state.down = True
    call_command("check_pending_payments", stdout=io.StringIO())
    payment = Payment.objects.get()
    assert payment.status == "pending"
    assert payment.exchanges.filter(kind="status", accepted=False).exists()
    # The return page still answers, with the pending state.
    page = client.get(f"/paiement/{payment.public_id}/")
    assert page.status_code == 200 and "en cours de vérification" in page.content.decode()
    invoice.refresh_from_db()
    assert invoice.held_by == payment


def test_expired_pending_payment_releases_what_it_held(client, resident, signals_seen):
    regie = make_regie()
    invoice = make_invoice(regie, RESIDENT)
    _pay(client, invoice)
    payment = Payment.objects.get()
    with time_machine.travel(dt.timedelta(hours=3)):
        call_command("check_pending_payments", stdout=io.StringIO())
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "expired"
    assert invoice.held_by is None and invoice.status == "open"
    assert len(signals_seen.released) == 1
    released_payment, payable, status = signals_seen.released[0]
    assert released_payment == payment.pk and status == "expired"
    assert list(payable.invoices.all()) == [invoice]


def test_payfip_unknown_idop_expires(client, resident, payfip):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT)
    _pay(client, invoice)
    payment = Payment.objects.get()
    payfip.state.payments.clear()  # PayFiP's nightly clean-up: the idop is unknown (P1)
    call_command("check_pending_payments", stdout=io.StringIO())
    payment.refresh_from_db()
    assert payment.status == "expired"
    invoice.refresh_from_db()
    assert invoice.held_by is None


def test_late_success_after_expiry_is_recorded(client, resident, payfip, signals_seen):
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, RESIDENT)
    _pay(client, invoice)
    payment = Payment.objects.get()
    from parvis.payments.services import payment_expire

    payment_expire(payment=payment)
    payfip.state.settle(payment.idop, "P")
    client.post("/paiement/notification/cantine/", {"idop": payment.idop})
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "paid" and invoice.status == "paid"
    assert len(signals_seen.paid) == 1


def test_exchanges_are_kept_for_audit(client, resident):
    regie = make_regie()
    invoice = make_invoice(regie, RESIDENT)
    response = _pay(client, invoice)
    client.post(response["Location"], {"outcome": "paid"})
    kinds = list(PaymentExchange.objects.values_list("kind", flat=True))
    assert kinds == ["start", "notification"]
    assert Invoice.objects.get().status == "paid"
