"""Reads of the payments app. Everything a resident sees is filtered on the account."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .models import PAID_STATUSES, Invoice, Payment


def _owner_q(user, prefix: str = "") -> Q:
    """Rows of ``user``: linked to the account, or — not yet linked — addressed to its
    e-mail once that address has been verified."""
    q = Q(**{f"{prefix}user": user})
    if getattr(user, "email_verified_at", None):
        q |= Q(**{f"{prefix}user__isnull": True, f"{prefix}payer_email__iexact": user.email})
    return q


def invoice_belongs_to(invoice: Invoice, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if invoice.user_id is not None:
        return invoice.user_id == user.pk
    return bool(
        getattr(user, "email_verified_at", None)
        and invoice.payer_email.lower() == user.email.lower()
    )


def invoices_for_user(user) -> QuerySet[Invoice]:
    if not getattr(user, "is_authenticated", False):
        return Invoice.objects.none()
    return (
        Invoice.objects.filter(_owner_q(user))
        .exclude(status=Invoice.Status.CANCELLED)
        .select_related("regie", "held_by", "paid_by__receipt")
        .order_by("status", "due_date", "number")
    )


def payments_for_user(user) -> QuerySet[Payment]:
    if not getattr(user, "is_authenticated", False):
        return Payment.objects.none()
    return Payment.objects.filter(user=user).select_related("regie", "receipt")


def payment_for_user(user, public_id) -> Payment | None:
    """The user's payment, or None (also for another person's payment: no hint)."""
    return payments_for_user(user).filter(public_id=public_id).first()


def space_summary(user) -> dict | None:
    """The « Mes factures et paiements » section: two queries."""
    if not getattr(user, "is_authenticated", False):
        return None
    counts = invoices_for_user(user).aggregate(
        open_count=Count("pk", filter=Q(status=Invoice.Status.OPEN)),
        open_total=Sum("amount", filter=Q(status=Invoice.Status.OPEN)),
    )
    payments = list(payments_for_user(user).order_by("-created_at")[:5])
    if not counts["open_count"] and not payments and not invoices_for_user(user).exists():
        return None
    return {
        "open_count": counts["open_count"] or 0,
        "open_total": counts["open_total"] or 0,
        "payments": payments,
    }


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo("Europe/Paris")
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def reconciliation_payments(*, day: dt.date, regie=None) -> QuerySet[Payment]:
    """Payments paid on ``day`` (Europe/Paris), with their receipt, in paid order."""
    start, end = day_bounds(day)
    queryset = Payment.objects.filter(status__in=PAID_STATUSES, paid_at__gte=start, paid_at__lt=end)
    if regie is not None:
        queryset = queryset.filter(regie=regie)
    return queryset.select_related("regie", "receipt").order_by("paid_at", "pk")


def payments_totals(queryset: QuerySet[Payment]) -> dict:
    return queryset.aggregate(
        count=Count("pk"),
        total=Sum("amount"),
        paid_total=Sum("amount", filter=Q(status__in=PAID_STATUSES)),
        refunded_total=Sum("refunded_amount"),
    )


def today() -> dt.date:
    return timezone.localdate()
