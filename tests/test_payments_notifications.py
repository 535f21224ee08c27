"""Notifications: session-free, idempotent whatever the number and order; unknown or
forged ones are refused and logged."""

import itertools
import logging

import pytest
from django.test import Client

from parvis.payments import providers
from parvis.payments.models import Payment, PaymentExchange
from parvis.payments.services import invoice_pay, payment_start

from . import factories
from .payfip_server import (  # noqa: F401
    make_invoice,
    make_regie,
    payfip_fixture,
    signals_seen_fixture,
)

pytestmark = pytest.mark.django_db

RESIDENT = "camille.martin@example.org"


def _pending_payment(regie, user, number="F1"):
    invoice = make_invoice(regie, user.email, number=number)
    payment = invoice_pay(user=user, invoice_ids=[invoice.pk])
    payment_start(payment=payment)
    payment.refresh_from_db()
    return payment, invoice


def _dummy_query(payment, outcome):
    return providers.dummy_notification(
        regie=payment.regie, transaction_id=payment.provider_reference, outcome=outcome
    )


@pytest.mark.parametrize(
    "order", sorted(set(itertools.permutations(["paid", "paid", "paid", "cancelled"])))
)
def test_replayed_notifications_in_any_order_pay_once(order, signals_seen):
    user = factories.make_user(RESIDENT)
    regie = make_regie()
    payment, invoice = _pending_payment(regie, user)
    bank = Client(enforce_csrf_checks=True)  # the provider has no session and no CSRF token
    for outcome in order:
        response = bank.get(
            f"/paiement/notification/{regie.code}/?{_dummy_query(payment, outcome)}"
        )
        assert response.status_code == 200
        assert "sessionid" not in response.cookies
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "paid"
    assert invoice.status == "paid" and invoice.paid_by == payment
    assert [pk for pk, _payable in signals_seen.paid] == [payment.pk]
    assert payment.receipt.sequence == 1
    assert PaymentExchange.objects.filter(payment=payment, kind="notification").count() == 4


def test_payfip_notification_replayed_three_times_pays_once(payfip, signals_seen):
    user = factories.make_user(RESIDENT)
    regie = make_regie(code="cantine", backend="payfip_ws")
    payment, invoice = _pending_payment(regie, user)
    bank = Client(enforce_csrf_checks=True)
    # One before PayFiP settled (still in progress), then three after, in that order.
    assert bank.post("/paiement/notification/cantine/", {"idop": payment.idop}).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "pending"
    payfip.state.settle(payment.idop, "P")
    for _ in range(3):
        assert (
            bank.post("/paiement/notification/cantine/", {"idop": payment.idop}).status_code == 200
        )
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert len(signals_seen.paid) == 1
    assert Payment.objects.get().receipt.sequence == 1


def test_forged_dummy_notification_is_refused_and_logged(caplog, signals_seen):
    user = factories.make_user(RESIDENT)
    regie = make_regie()
    payment, invoice = _pending_payment(regie, user)
    forged = _dummy_query(payment, "paid").replace("outcome=paid", "outcome=paid&x=1")
    forged = forged.split("&sig=")[0] + "&sig=" + "0" * 64
    with caplog.at_level(logging.WARNING, logger="parvis.payments"):
        response = Client().get(f"/paiement/notification/{regie.code}/?{forged}")
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending" and signals_seen.paid == []
    refused = PaymentExchange.objects.get(accepted=False)
    assert refused.payment is None and refused.regie == regie
    assert "refused notification" in caplog.text


def test_signature_of_another_outcome_does_not_apply():
    user = factories.make_user(RESIDENT)
    regie = make_regie()
    payment, _invoice = _pending_payment(regie, user)
    cancelled = _dummy_query(payment, "cancelled")
    tampered = cancelled.replace("outcome=cancelled", "outcome=paid") + "&ok=1"
    assert Client().get(f"/paiement/notification/{regie.code}/?{tampered}").status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_unknown_reference_is_refused(caplog):
    regie = make_regie()
    query = providers.dummy_notification(regie=regie, transaction_id="inconnu", outcome="paid")
    with caplog.at_level(logging.WARNING, logger="parvis.payments"):
        response = Client().get(f"/paiement/notification/{regie.code}/?{query}")
    assert response.status_code == 400
    assert "unknown reference" in caplog.text
    assert PaymentExchange.objects.get().message == "unknown reference"


def test_payfip_notification_for_an_unknown_idop_is_refused(payfip):
    make_regie(code="cantine", backend="payfip_ws")
    response = Client().post("/paiement/notification/cantine/", {"idop": "0000ffffffffffff"})
    assert response.status_code == 400
    assert PaymentExchange.objects.get().accepted is False


def test_payfip_notification_without_idop_is_refused(payfip):
    make_regie(code="cantine", backend="payfip_ws")
    assert Client().post("/paiement/notification/cantine/", {"x": "1"}).status_code == 400
    assert payfip.state.requests == []  # nothing asked to PayFiP


def test_notification_while_payfip_is_down_asks_for_a_retry(payfip):
    user = factories.make_user(RESIDENT)
    regie = make_regie(code="cantine", backend="payfip_ws")
    payment, _invoice = _pending_payment(regie, user)
    payfip.state.down = True
    response = Client().post("/paiement/notification/cantine/", {"idop": payment.idop})
    assert response.status_code == 503
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_unknown_regie_is_not_found():
    assert Client().post("/paiement/notification/inconnue/", {"idop": "1"}).status_code == 404


def test_dummy_backend_is_refused_when_not_allowed(settings):
    user = factories.make_user(RESIDENT)
    regie = make_regie()
    payment, _invoice = _pending_payment(regie, user)
    settings.PARVIS_PAYMENTS_ALLOW_DUMMY = False
    query = _dummy_query(payment, "paid")
    assert Client().get(f"/paiement/notification/{regie.code}/?{query}").status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending"
    client = Client()
    client.force_login(user)
    assert client.get(f"/paiement/simulateur/{payment.public_id}/").status_code == 404
