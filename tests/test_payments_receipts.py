"""Receipts (numbering, PDF), reconciliation command, refunds, RGPD, money formatting."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from parvis.core import retention
from parvis.payments.exceptions import InvalidTransition, RefundTooLarge
from parvis.payments.formatting import euros, parse_euros
from parvis.payments.models import Invoice, Payment
from parvis.payments.pdf import receipt_pdf
from parvis.payments.services import (
    invoice_pay,
    payment_mark_paid,
    payment_refund,
    payment_start,
)

from . import factories
from .payfip_server import make_invoice, make_regie

pytestmark = pytest.mark.django_db


def _paid(regie, user, number, amount=1250):
    invoice = make_invoice(regie, user.email, number=number, amount=amount)
    payment = invoice_pay(user=user, invoice_ids=[invoice.pk])
    payment_start(payment=payment)
    return payment_mark_paid(payment=payment, source="test")[0]


def test_receipt_numbers_follow_each_other_per_regie_and_restart_each_year():
    user = factories.make_user("camille.martin@example.org")
    canteen, transport = make_regie(code="cantine"), make_regie(code="transport")
    with time_machine.travel(dt.datetime(2025, 12, 31, 22, 0, tzinfo=dt.UTC)):
        numbers = [_paid(canteen, user, f"A{i}").receipt.number for i in range(3)]
        numbers.append(_paid(transport, user, "T1").receipt.number)
    # 23:00 UTC on 31 December is already 2026 in Gréasque.
    with time_machine.travel(dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)):
        numbers.append(_paid(canteen, user, "B1").receipt.number)
    assert numbers == [
        "CANTINE-2025-000001",
        "CANTINE-2025-000002",
        "CANTINE-2025-000003",
        "TRANSPORT-2025-000001",
        "CANTINE-2026-000001",
    ]


def test_marking_paid_twice_keeps_one_receipt():
    user = factories.make_user("camille.martin@example.org")
    payment = _paid(make_regie(), user, "F1")
    again, changed = payment_mark_paid(payment=payment, source="test")
    assert changed is False and again.receipt == payment.receipt


def test_receipt_pdf_names_the_payment():
    user = factories.make_user("camille.martin@example.org")
    payment = _paid(make_regie(), user, "F1", amount=4280)
    pdf = receipt_pdf(payment.receipt, commune_name="Gréasque")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_reconciliation_command_lists_the_day_payments(tmp_path):
    user = factories.make_user("camille.martin@example.org")
    regie = make_regie()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)):
        first = _paid(regie, user, "F1", amount=1250)
        Payment.objects.filter(pk=first.pk).update(idop="0001abc")
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)):
        _paid(regie, user, "F2", amount=999)
    output = tmp_path / "rapprochement.csv"
    call_command("payments_reconciliation", date="2026-03-02", output=str(output))
    lines = output.read_text().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("2026-03-02;10:00:00;periscolaire;" + first.refdet + ";0001abc;")
    assert ";12,50;1250;0;paid;PERISCOLAIRE-2026-000001;" in lines[1]
    stdout = io.StringIO()
    call_command("payments_reconciliation", date="2026-03-04", stdout=stdout)
    assert stdout.getvalue().count("\n") == 1  # the header only


def test_refund_rules():
    user = factories.make_user("camille.martin@example.org")
    payment = _paid(make_regie(), user, "F1", amount=1000)
    with pytest.raises(RefundTooLarge):
        payment_refund(payment=payment, amount=1001, reason="trop", actor=None)
    payment_refund(payment=payment, amount=400, reason="Repas non pris", actor=None)
    with pytest.raises(RefundTooLarge):
        payment_refund(payment=payment, amount=601, reason="trop", actor=None)
    payment_refund(payment=payment, amount=600, reason="Solde", actor=None)
    payment.refresh_from_db()
    assert payment.status == "refunded"
    unpaid = invoice_pay(
        user=user, invoice_ids=[make_invoice(payment.regie, user.email, number="F2").pk]
    )
    with pytest.raises(InvalidTransition):
        payment_refund(payment=unpaid, amount=1, reason="x", actor=None)


def test_rgpd_erase_anonymises_and_keeps_the_accounts():
    user = factories.make_user("camille.martin@example.org")
    payment = _paid(make_regie(), user, "F1")
    exported = retention.export_person("camille.martin@example.org")["payments"]
    assert {row["type"] for row in exported} == {"paiement", "facture"}
    retention.erase_person("camille.martin@example.org")
    payment.refresh_from_db()
    invoice = Invoice.objects.get()
    assert payment.email == "" and payment.user is None and payment.amount == 1250
    assert invoice.payer_email == "" and invoice.status == "paid"
    assert payment.receipt.number
    assert retention.export_person("camille.martin@example.org")["payments"] == []


def test_money_formatting():
    assert euros(1250) == "12,50\u00a0€"
    assert euros(123456789) == "1\u202f234\u202f567,89\u00a0€"
    assert parse_euros("12,50") == 1250 and parse_euros("12.5") == 1250
    assert parse_euros("18") == 1800 and parse_euros("1 234,50 €") == 123450
    assert parse_euros("-3") is None and parse_euros("douze") is None
