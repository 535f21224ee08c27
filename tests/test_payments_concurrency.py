"""Concurrency with real threads, each on its own database connection (SQLite file
database, or PostgreSQL with DATABASE_URL): notifications arriving together pay once,
receipt numbers have no gap and no duplicate."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from parvis.payments.models import Payment, Receipt
from parvis.payments.services import invoice_pay, payment_mark_paid, payment_start

from . import factories
from .payfip_server import (  # noqa: F401
    make_invoice,
    make_regie,
    payfip_fixture,
    signals_seen_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(count, target):
    """Start ``count`` threads at the same instant; return their exceptions."""
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            target(index)
        except Exception as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_the_test_database_allows_real_concurrency():
    assert connection.vendor == "postgresql" or connection.settings_dict["NAME"] != ":memory:"
    if connection.vendor == "sqlite":
        assert "memory" not in str(connection.settings_dict["NAME"])


def test_two_notifications_at_the_same_time_pay_once(payfip, signals_seen):
    user = factories.make_user("camille.martin@example.org")
    regie = make_regie(code="cantine", backend="payfip_ws")
    invoice = make_invoice(regie, user.email)
    payment = invoice_pay(user=user, invoice_ids=[invoice.pk])
    payment_start(payment=payment)
    payment.refresh_from_db()
    payfip.state.settle(payment.idop, "P")
    statuses = []

    def notify(_index):
        response = Client().post("/paiement/notification/cantine/", {"idop": payment.idop})
        statuses.append(response.status_code)

    assert _run_together(2, notify) == []
    assert statuses == [200, 200]
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "paid" and invoice.paid_by_id == payment.pk
    assert len(signals_seen.paid) == 1
    assert Receipt.objects.count() == 1
    assert payfip.state.count("recupererDetailPaiementSecurise") == 2


def test_receipt_numbers_have_no_gap_under_concurrent_payments(signals_seen):
    regie = make_regie()
    other = make_regie(code="transport")
    users = [factories.make_user(f"famille{i}@example.org") for i in range(8)]
    payments = []
    for i, user in enumerate(users):
        invoice = make_invoice(regie if i % 4 else other, user.email, number=f"F{i}")
        payment = invoice_pay(user=user, invoice_ids=[invoice.pk])
        payment_start(payment=payment)
        payments.append(payment)

    def pay(index):
        # Each payment twice at once: still one receipt per payment.
        payment_mark_paid(payment=payments[index // 2], source="test")

    assert _run_together(16, pay) == []
    assert Payment.objects.filter(status="paid").count() == 8
    assert len(signals_seen.paid) == 8
    for each, expected in ((regie, 6), (other, 2)):
        sequences = sorted(Receipt.objects.filter(regie=each).values_list("sequence", flat=True))
        assert sequences == list(range(1, expected + 1))
    numbers = list(Receipt.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 8
