"""Daily reconciliation export for the régisseur: one CSV line per payment paid that day,
online or at the régie's desk (``prestataire`` « offline », means in the label, cheque or
receipt number in ``reference_prestataire``)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from .formatting import decimal_string
from .selectors import reconciliation_payments

HEADER = [
    "date",
    "heure",
    "regie",
    "refdet",
    "idop",
    "reference_prestataire",
    "montant",
    "montant_centimes",
    "rembourse_centimes",
    "etat",
    "quittance",
    "libelle",
    "prestataire",
]


def reconciliation_rows(*, day: dt.date, regie=None):
    for payment in reconciliation_payments(day=day, regie=regie).iterator(chunk_size=1000):
        paid_at = timezone.localtime(payment.paid_at)
        receipt = getattr(payment, "receipt", None)
        yield [
            paid_at.strftime("%Y-%m-%d"),
            paid_at.strftime("%H:%M:%S"),
            payment.regie.code,
            payment.refdet or "",
            payment.idop,
            payment.provider_reference,
            decimal_string(payment.amount).replace(".", ","),
            payment.amount,
            payment.refunded_amount,
            payment.status,
            receipt.number if receipt else "",
            payment.label,
            payment.provider,
        ]


def reconciliation_csv(*, day: dt.date, regie=None) -> str:
    """The CSV text (``;``-separated, the format spreadsheets open in France)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(reconciliation_rows(day=day, regie=regie))
    return buffer.getvalue()
