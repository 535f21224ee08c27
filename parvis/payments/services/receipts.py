from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import Payment, Receipt, ReceiptCounter


def receipt_issue(*, payment: Payment) -> Receipt:
    """The receipt of a paid payment, numbered without gap per (régie, year).

    Must run inside the transaction that marks the payment paid: the counter row is
    locked (``select_for_update``) until that transaction ends, so concurrent payments
    take consecutive numbers, and a rolled-back payment gives its number back.
    Idempotent: a payment has one receipt.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("receipt_issue must run inside the payment's transaction")
    existing = Receipt.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    year = timezone.localtime(payment.paid_at or timezone.now()).year
    counter, _created = ReceiptCounter.objects.get_or_create(regie_id=payment.regie_id, year=year)
    counter = ReceiptCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return Receipt.objects.create(
        payment=payment,
        regie_id=payment.regie_id,
        year=year,
        sequence=counter.last_value,
        number=f"{payment.regie.code.upper()}-{year}-{counter.last_value:06d}",
        issued_at=payment.paid_at or timezone.now(),
    )
