"""RGPD: payments, receipts and invoices are accounting records, kept 10 years.

Erasing a person anonymises their payments and invoices (name, e-mail, account link) and
never deletes an accounting record; raw provider exchanges of payments older than the
retention period are deleted by the daily purge, and those payments anonymised.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.core import retention

from .formatting import euros
from .models import Invoice, Payment, PaymentExchange

RETENTION_DAYS = 3653  # ten years
ANONYMOUS = "—"


def _payments_of(email: str):
    return Payment.objects.filter(Q(email__iexact=email) | Q(user__email__iexact=email))


def _invoices_of(email: str):
    return Invoice.objects.filter(Q(payer_email__iexact=email) | Q(user__email__iexact=email))


def export(email: str) -> list[dict]:
    rows = []
    for payment in _payments_of(email).select_related("regie"):
        rows.append(
            {
                "type": "paiement",
                "reference": payment.refdet,
                "regie": payment.regie.name,
                "libelle": payment.label,
                "montant": euros(payment.amount),
                "etat": payment.get_status_display(),
                "date": payment.created_at.isoformat(),
                "payeur": payment.payer_name,
                "email": payment.email,
            }
        )
    for invoice in _invoices_of(email).select_related("regie"):
        rows.append(
            {
                "type": "facture",
                "numero": invoice.number,
                "regie": invoice.regie.name,
                "libelle": invoice.label,
                "montant": euros(invoice.amount),
                "echeance": invoice.due_date.isoformat(),
                "etat": invoice.get_status_display(),
                "payeur": invoice.payer_name,
                "email": invoice.payer_email,
            }
        )
    return rows


@transaction.atomic
def erase(email: str) -> int:
    """Anonymise, never delete: amounts, dates and references stay for the accounts."""
    payments = _payments_of(email)
    count = payments.update(email="", payer_name=ANONYMOUS, user=None)
    count += _invoices_of(email).update(payer_email="", payer_name=ANONYMOUS, user=None)
    return count


@transaction.atomic
def purge() -> int:
    limit = timezone.now() - dt.timedelta(days=RETENTION_DAYS)
    old = Payment.objects.filter(created_at__lt=limit)
    deleted, _details = PaymentExchange.objects.filter(payment__in=old).delete()
    anonymised = old.exclude(payer_name=ANONYMOUS).update(email="", payer_name=ANONYMOUS, user=None)
    anonymised += (
        Invoice.objects.filter(due_date__lt=limit.date())
        .exclude(payer_name=ANONYMOUS)
        .update(payer_email="", payer_name=ANONYMOUS, user=None)
    )
    return deleted + anonymised


retention.register(
    retention.PersonalDataSource(
        name="payments",
        description=str(
            _("Paiements, quittances et factures de la régie (pièces comptables, 10 ans).")
        ),
        retention_days=RETENTION_DAYS,
        purge=purge,
        export=export,
        erase=erase,
    )
)
