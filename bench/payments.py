"""Payments benchmark on PostgreSQL, each figure against a plain SELECT baseline measured in
the same run:

1. notification handling: 8 concurrent senders post signed notifications (development
   backend, so no provider round trip is measured) to ``/paiement/notification/<régie>/``
   through Django's full request stack, each for a pending payment that becomes paid
   (row lock, receipt number, invoice, audit, exchange log). Baseline: the same 8 threads
   each running ``SELECT … FROM payments_payment WHERE provider_reference = %s`` for the
   same references. Figures: notifications/s, SELECTs/s, ratio.
2. reconciliation: the CSV of one day of 5,000 paid payments
   (``reconciliation_csv``). Baseline: one plain SELECT of the same columns for the same
   day, fully fetched. Figures: seconds, ratio.

Database ``parvis_bench_payments`` on 127.0.0.1:5432 (dropped and recreated each run).
Receipt e-mails go to the database task queue (as in production, where a worker sends
them), so they are not part of the measured time.

    .venv/bin/python bench/payments.py            # 5 runs of each, medians
    .venv/bin/python bench/payments.py --runs 3 --notifications 200 --day-payments 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from benchlib import RESULTS_DIR, load_average, log, machine_facts, psql  # noqa: E402

DB = "parvis_bench_payments"
SENDERS = 8


def setup_django() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "parvis.settings.dev",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
            "PARVIS_TASKS_BACKEND": "database",
            "PARVIS_PAYMENTS_ALLOW_DUMMY": "true",
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "ERROR",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def recreate_database() -> None:
    psql(f'DROP DATABASE IF EXISTS "{DB}"')
    psql(f'CREATE DATABASE "{DB}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _threads(count, target):
    from django.db import connections

    barrier = threading.Barrier(count + 1)
    errors: list[BaseException] = []

    def run(index):
        try:
            barrier.wait()
            target(index)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def pending_payments(regie, users, count, run):
    from parvis.payments.services import invoice_create, invoice_pay, payment_start

    payments = []
    for i in range(count):
        user = users[i % len(users)]
        invoice = invoice_create(
            regie=regie,
            number=f"R{run}N{i}",
            payer_name="Famille Bench",
            payer_email=user.email,
            label="Cantine",
            due_date=dt.date.today() + dt.timedelta(days=10),
            amount=1000 + i,
        )
        payment = invoice_pay(user=user, invoice_ids=[invoice.pk])
        payment_start(payment=payment)
        payment.refresh_from_db()
        payments.append(payment)
    return payments


def bench_notifications(regie, users, count, run) -> dict:
    from django.db import connection
    from django.test import Client

    from parvis.payments import providers
    from parvis.payments.models import Payment

    payments = pending_payments(regie, users, count, run)
    queries = [
        providers.dummy_notification(
            regie=regie, transaction_id=p.provider_reference, outcome="paid"
        )
        for p in payments
    ]
    references = [p.provider_reference for p in payments]

    def select(index):
        with connection.cursor() as cursor:
            for reference in references[index::SENDERS]:
                cursor.execute(
                    "SELECT id, status, amount FROM payments_payment WHERE provider_reference = %s",
                    [reference],
                )
                cursor.fetchall()

    baseline = _threads(SENDERS, select)

    def notify(index):
        client = Client()
        for query in queries[index::SENDERS]:
            response = client.get(f"/paiement/notification/{regie.code}/?{query}")
            if response.status_code != 200:
                raise RuntimeError(f"notification answered {response.status_code}")

    elapsed = _threads(SENDERS, notify)
    paid = Payment.objects.filter(pk__in=[p.pk for p in payments], status="paid").count()
    if paid != count:
        raise RuntimeError(f"{paid} of {count} payments paid")
    return {"notifications_per_s": count / elapsed, "selects_per_s": count / baseline}


def fill_day(regie, day, count) -> None:
    from django.utils import timezone

    from parvis.payments.models import Payment, Receipt, ReceiptCounter
    from parvis.payments.selectors import day_bounds

    start, _end = day_bounds(day)
    year = day.year
    batch = [
        Payment(
            regie=regie,
            amount=500 + i,
            label=f"Facture B{i}",
            email="famille@example.org",
            provider="payfip_ws",
            provider_reference=f"{i:012d}",
            refdet=f"BENCH{year}{i:08d}",
            idop=f"{i:020d}",
            status="paid",
            created_at=start + dt.timedelta(seconds=i * 15),
            started_at=start + dt.timedelta(seconds=i * 15),
            paid_at=start + dt.timedelta(seconds=i * 15 + 60),
        )
        for i in range(count)
    ]
    Payment.objects.bulk_create(batch, batch_size=1000)
    payments = Payment.objects.filter(refdet__startswith=f"BENCH{year}").order_by("pk")
    Receipt.objects.bulk_create(
        [
            Receipt(
                payment=p,
                regie=regie,
                year=year,
                sequence=n,
                number=f"{regie.code.upper()}-{year}-{n:06d}",
                issued_at=timezone.now(),
            )
            for n, p in enumerate(payments, start=1)
        ],
        batch_size=1000,
    )
    ReceiptCounter.objects.update_or_create(regie=regie, year=year, defaults={"last_value": count})


def bench_reconciliation(regie, day) -> dict:
    from django.db import connection

    from parvis.payments.reconciliation import reconciliation_csv
    from parvis.payments.selectors import day_bounds

    start, end = day_bounds(day)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT refdet, idop, amount, paid_at FROM payments_payment "
            "WHERE status IN ('paid', 'partially_refunded', 'refunded') "
            "AND paid_at >= %s AND paid_at < %s ORDER BY paid_at",
            [start, end],
        )
        rows = cursor.fetchall()
    baseline = time.perf_counter() - began
    began = time.perf_counter()
    text = reconciliation_csv(day=day)
    elapsed = time.perf_counter() - began
    lines = text.count("\r\n") - 1
    if lines != len(rows):
        raise RuntimeError(f"CSV has {lines} lines, SELECT {len(rows)} rows")
    return {"csv_s": elapsed, "select_s": baseline, "rows": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--notifications", type=int, default=400, help="per run")
    parser.add_argument("--day-payments", type=int, default=5000)
    args = parser.parse_args()

    setup_django()
    log(f"load average at start: {load_average()}")
    recreate_database()
    from django.contrib.auth import get_user_model

    from parvis.payments.models import Regie

    regie = Regie.objects.create(code="bench", name="Régie bench", backend="dummy")
    reconciled = Regie.objects.create(code="compta", name="Régie compta", backend="payfip_ws")
    users = [
        get_user_model().objects.create_user(email=f"famille{i}@example.org", password=None)
        for i in range(50)
    ]
    day = dt.date(2026, 3, 2)
    fill_day(reconciled, day, args.day_payments)

    notification_runs, reconciliation_runs = [], []
    for run in range(args.runs):
        result = bench_notifications(regie, users, args.notifications, run)
        notification_runs.append(result)
        log(
            f"run {run + 1}: {result['notifications_per_s']:.0f} notifications/s, "
            f"{result['selects_per_s']:.0f} SELECT/s"
        )
    for run in range(args.runs):
        result = bench_reconciliation(reconciled, day)
        reconciliation_runs.append(result)
        log(
            f"run {run + 1}: reconciliation of {result['rows']} payments "
            f"{result['csv_s'] * 1000:.0f} ms, SELECT {result['select_s'] * 1000:.1f} ms"
        )

    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    summary = {
        "machine": machine_facts(),
        "senders": SENDERS,
        "notifications_per_run": args.notifications,
        "day_payments": args.day_payments,
        "notifications_per_s": median(notification_runs, "notifications_per_s"),
        "selects_per_s": median(notification_runs, "selects_per_s"),
        "reconciliation_s": median(reconciliation_runs, "csv_s"),
        "reconciliation_select_s": median(reconciliation_runs, "select_s"),
        "runs": {"notifications": notification_runs, "reconciliation": reconciliation_runs},
    }
    summary["notification_ratio"] = summary["notifications_per_s"] / summary["selects_per_s"]
    summary["reconciliation_ratio"] = (
        summary["reconciliation_s"] / summary["reconciliation_select_s"]
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "payments.json").write_text(json.dumps(summary, indent=2, default=str))
    log(
        f"\nmedians of {args.runs} runs:\n"
        f"  notifications, {SENDERS} senders: {summary['notifications_per_s']:.0f}/s; "
        f"plain SELECT {summary['selects_per_s']:.0f}/s; "
        f"ratio {summary['notification_ratio']:.3f}\n"
        f"  reconciliation of {args.day_payments}: {summary['reconciliation_s'] * 1000:.0f} ms; "
        f"plain SELECT {summary['reconciliation_select_s'] * 1000:.1f} ms; "
        f"ratio {summary['reconciliation_ratio']:.1f}"
    )
    from django.db import connections

    connections.close_all()
    psql(f'DROP DATABASE IF EXISTS "{DB}"')


if __name__ == "__main__":
    main()
