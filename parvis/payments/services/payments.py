"""The payment life cycle: create → start (pending) → paid | failed | cancelled | expired,
then paid → (partially) refunded.

Invariants:
- :func:`payment_mark_paid` is the only code that sets ``PAID``; it runs under a row lock
  and is idempotent, so ``payment_paid`` is sent once per payment whatever the number,
  order or concurrency of notifications and status checks.
- A status always comes from the provider (signed notification or server-side query),
  never from the browser.
- No transaction is held open while the provider is called.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record

from .. import providers
from ..exceptions import (
    AmountOutOfRange,
    InvalidTransition,
    NotificationRejected,
    PaymentError,
    ProviderUnavailable,
    RefundTooLarge,
)
from ..formatting import euros
from ..models import (
    CLOSED_UNPAID_STATUSES,
    OPEN_STATUSES,
    PAID_STATUSES,
    OfflineMeans,
    Payment,
    PaymentExchange,
    PaymentStatus,
    Refund,
    Regie,
)
from ..signals import payment_paid, payment_released
from .receipts import receipt_issue

logger = logging.getLogger(__name__)


def _exchange(*, payment=None, regie=None, kind, accepted=True, message="", data=None, ip=None):
    return PaymentExchange.objects.create(
        payment=payment,
        regie=regie or (payment.regie if payment else None),
        kind=kind,
        accepted=accepted,
        message=str(message)[:300],
        data=providers._jsonable(data or {}),
        remote_addr=ip or None,
    )


def _payable_sender(payable):
    return type(payable) if payable is not None else Payment


def payment_create(
    *,
    regie: Regie,
    amount: int,
    label: str,
    payable=None,
    user=None,
    email: str = "",
    payer_name: str = "",
) -> Payment:
    """A new payment in ``CREATED`` for ``amount`` cents; checks the provider's limits.

    Its ``refdet`` (PayFiP reference, ``^[A-Za-z0-9]{1,30}$``) is unique."""
    provider = providers.get_provider(regie)
    minimum, maximum = provider.amount_limits()
    if amount < minimum or (maximum is not None and amount > maximum):
        if maximum is None:
            message = _("Le montant minimum payable en ligne est de %(min)s.") % {
                "min": euros(minimum)
            }
        else:
            message = _("Un paiement en ligne doit être compris entre %(min)s et %(max)s.") % {
                "min": euros(minimum),
                "max": euros(maximum),
            }
        raise AmountOutOfRange(message)
    email = email or (user.email if user is not None else "")
    if not payer_name and user is not None:
        payer_name = user.get_full_name()
    with transaction.atomic():
        payment = _payment_row(
            regie=regie,
            amount=amount,
            label=label,
            user=user,
            email=email,
            payer_name=payer_name,
            payable=payable,
            provider=regie.backend,
        )
        audit_log_record(actor=user, action="payment.create", obj=payment, data={"amount": amount})
    return payment


def _payment_row(
    *, regie, amount, label, user, email, payer_name, payable, provider, reference=""
) -> Payment:
    """The payment row and its PayFiP reference (refdet: régie code, year, id), in the
    caller's transaction."""
    payment = Payment.objects.create(
        regie=regie,
        amount=amount,
        label=label[:200],
        user=user if user is not None and user.is_authenticated else None,
        email=email,
        payer_name=payer_name[:150],
        content_type=ContentType.objects.get_for_model(payable) if payable else None,
        object_id=str(payable.pk) if payable else "",
        provider=provider,
        provider_reference=reference[:100],
    )
    prefix = re.sub(r"[^A-Za-z0-9]", "", regie.code).upper()[:8]
    year = timezone.localtime(payment.created_at).year
    payment.refdet = f"{prefix}{year}{payment.pk:08d}"
    payment.save(update_fields=["refdet"])
    return payment


def payment_start_url(payment: Payment) -> tuple[str, str]:
    """(return URL for the resident, notification URL for the provider), absolute."""
    base = settings.PARVIS_SITE_URL.rstrip("/")
    return (
        base + reverse("payments:detail", args=[payment.public_id]),
        base + reverse("payments:notification", args=[payment.regie.code]),
    )


def payment_start(*, payment: Payment, ip: str | None = None) -> providers.StartResult:
    """Register the payment at the provider and move it to ``PENDING``.

    Never moves money: the resident confirms at the provider. If the provider is down or
    refuses, the payment ends ``FAILED`` (its payable is released: nothing is held or
    lost) and :class:`ProviderUnavailable` / ``ProviderRefused`` is raised."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.CREATED:
            raise InvalidTransition()
    provider = providers.get_provider(payment.regie)
    return_url, notification_url = payment_start_url(payment)
    try:
        result = provider.start(
            payment=payment, return_url=return_url, notification_url=notification_url
        )
    except PaymentError as error:
        with transaction.atomic():
            _exchange(
                payment=payment,
                kind=PaymentExchange.Kind.START,
                accepted=False,
                message=repr(error.__cause__ or error),
                ip=ip,
            )
            payment_close(
                payment=payment,
                status=PaymentStatus.FAILED,
                reason=_("Service de paiement indisponible")
                if isinstance(error, ProviderUnavailable)
                else _("Demande refusée par le service de paiement"),
            )
        raise
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.CREATED:
            raise InvalidTransition()
        payment.status = PaymentStatus.PENDING
        payment.provider_reference = result.reference
        payment.idop = result.idop
        payment.started_at = timezone.now()
        payment.save(update_fields=["status", "provider_reference", "idop", "started_at"])
        _exchange(payment=payment, kind=PaymentExchange.Kind.START, data=result.data, ip=ip)
        audit_log_record(
            actor=payment.user,
            action="payment.start",
            obj=payment,
            data={"reference": result.reference, "idop": result.idop},
            ip=ip,
        )
    return result


def payment_mark_paid(
    *, payment: Payment, data: dict | None = None, actor=None, source: str = ""
) -> tuple[Payment, bool]:
    """THE only place that sets ``PAID``. Idempotent: returns (payment, changed).

    Under a row lock: a payment already paid (or refunded) is returned unchanged and no
    signal is sent. A payment that had ended unpaid (late notification from the provider:
    the money did move) is marked paid too, and the audit log says so. In the same
    transaction: the receipt number is taken and ``payment_paid`` is sent to the payable
    object; the receipt e-mail leaves after commit."""
    from ..tasks import receipt_email_send

    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status in PAID_STATUSES:
            return payment, False
        previous = payment.status
        payment.status = PaymentStatus.PAID
        payment.paid_at = timezone.now()
        payment.closed_at = None
        payment.failure_reason = ""
        payment.save(update_fields=["status", "paid_at", "closed_at", "failure_reason"])
        receipt = receipt_issue(payment=payment)
        audit_log_record(
            actor=actor,
            action="payment.paid",
            obj=payment,
            data={
                "source": source,
                "previous_status": previous,
                "late": previous in CLOSED_UNPAID_STATUSES,
                "receipt": receipt.number,
                "provider": providers._jsonable(data or {}),
            },
        )
        payable = payment.payable
        payment_paid.send(sender=_payable_sender(payable), payment=payment, payable=payable)
        receipt_id = receipt.pk
        transaction.on_commit(lambda: receipt_email_send.enqueue(receipt_id=receipt_id))
    return payment, True


def payment_record_offline(
    *,
    regie: Regie,
    amount: int,
    label: str,
    means: str,
    reference: str,
    actor,
    payable=None,
    user=None,
    email: str = "",
    payer_name: str = "",
    ip: str | None = None,
) -> Payment:
    """A payment received at the régie's desk (cash, cheque, card terminal), recorded by
    the régisseur and settled at once.

    It is created with ``provider="offline"`` and goes through :func:`payment_mark_paid`
    like any online payment: one receipt number from the same sequence, ``payment_paid``
    sent once to ``payable``, the receipt e-mailed after commit. No provider is called and
    no amount limit of the online provider applies. The means and reference are kept as
    an exchange (accounting record) and in the audit log. One transaction."""
    reference = (reference or "").strip()
    if means not in OfflineMeans.values:
        raise PaymentError(_("Choisissez le moyen de paiement."), field="means")
    if not reference:
        raise PaymentError(
            _("Indiquez une référence (numéro du chèque, du reçu ou du ticket)."),
            field="reference",
        )
    if amount is None or amount <= 0:
        raise PaymentError(_("Le montant doit être positif."), field="amount")
    details = {"means": means, "reference": reference[:100]}
    with transaction.atomic():
        payment = _payment_row(
            regie=regie,
            amount=amount,
            label=label,
            user=user,
            email=email,
            payer_name=payer_name,
            payable=payable,
            provider=Payment.PROVIDER_OFFLINE,
            reference=reference,
        )
        audit_log_record(
            actor=actor,
            action="payment.create",
            obj=payment,
            data={"amount": amount, **details},
            ip=ip,
        )
        _exchange(
            payment=payment,
            kind=PaymentExchange.Kind.NOTIFICATION,
            message=Payment.PROVIDER_OFFLINE,
            data={**details, "recorded_by": str(actor) if actor is not None else ""},
            ip=ip,
        )
        payment, _changed = payment_mark_paid(
            payment=payment, data=details, actor=actor, source=Payment.PROVIDER_OFFLINE
        )
    return payment


def payment_close(
    *, payment: Payment, status: str, reason: str = "", actor=None
) -> tuple[Payment, bool]:
    """End an open payment unpaid (failed, cancelled, expired). Idempotent: a payment
    that is not open is returned unchanged. Sends ``payment_released`` once."""
    if status not in CLOSED_UNPAID_STATUSES:
        raise InvalidTransition()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status not in OPEN_STATUSES:
            return payment, False
        payment.status = status
        payment.closed_at = timezone.now()
        payment.failure_reason = str(reason)[:200]
        payment.save(update_fields=["status", "closed_at", "failure_reason"])
        audit_log_record(
            actor=actor, action=f"payment.{status}", obj=payment, data={"reason": str(reason)}
        )
        payable = payment.payable
        payment_released.send(
            sender=_payable_sender(payable), payment=payment, payable=payable, status=status
        )
    return payment, True


def payment_expire(*, payment: Payment) -> tuple[Payment, bool]:
    """An open payment that will never settle; what it held is released."""
    return payment_close(
        payment=payment, status=PaymentStatus.EXPIRED, reason=_("Délai de paiement dépassé")
    )


def _apply(*, payment: Payment, status: providers.ProviderStatus, source: str) -> Payment:
    if status.result == providers.PAID:
        payment, _changed = payment_mark_paid(payment=payment, data=status.data, source=source)
    elif status.result == providers.FAILED:
        payment, _changed = payment_close(
            payment=payment, status=PaymentStatus.FAILED, reason=_("Paiement refusé")
        )
    elif status.result == providers.CANCELLED:
        payment, _changed = payment_close(
            payment=payment, status=PaymentStatus.CANCELLED, reason=_("Paiement abandonné")
        )
    elif status.result == providers.EXPIRED:
        payment, _changed = payment_expire(payment=payment)
    return payment


def payment_handle_notification(
    *,
    regie: Regie,
    query_string: str = "",
    body: bytes = b"",
    method: str = "GET",
    ip: str | None = None,
) -> tuple[Payment, providers.ProviderStatus]:
    """Apply a provider's notification. Session-free and idempotent: the same
    notification any number of times, in any order or at the same time, changes the
    payment once. Unknown or forged notifications raise :class:`NotificationRejected`
    and are kept (``accepted=False``) and logged."""
    raw = {"method": method, "query_string": query_string[:2000]}
    if body:
        raw["body"] = body[:2000].decode("utf-8", "replace")
    try:
        provider = providers.get_provider(regie)
        status = provider.parse_notification(query_string=query_string, body=body, method=method)
    except NotificationRejected:
        logger.warning("payments: refused notification for régie %s from %s", regie.code, ip)
        _exchange(
            regie=regie,
            kind=PaymentExchange.Kind.NOTIFICATION,
            accepted=False,
            message="unreadable or forged",
            data=raw,
            ip=ip,
        )
        raise
    payments = Payment.objects.filter(regie=regie)
    if status.idop:
        payment = payments.filter(idop=status.idop).first()
    else:
        payment = (
            payments.filter(provider_reference=status.reference).first()
            if status.reference
            else None
        )
    if payment is None:
        logger.warning(
            "payments: notification for unknown reference %r (régie %s) from %s",
            status.idop or status.reference,
            regie.code,
            ip,
        )
        _exchange(
            regie=regie,
            kind=PaymentExchange.Kind.NOTIFICATION,
            accepted=False,
            message="unknown reference",
            data={**raw, "status": status.data},
            ip=ip,
        )
        raise NotificationRejected()
    with transaction.atomic():
        _exchange(
            payment=payment,
            kind=PaymentExchange.Kind.NOTIFICATION,
            message=status.result,
            data={**raw, "status": status.data},
            ip=ip,
        )
        payment = _apply(payment=payment, status=status, source="notification")
    return payment, status


def payment_check_status(*, payment: Payment, force: bool = False) -> Payment:
    """Ask the provider for the state of an open payment and apply it.

    A provider that is down changes nothing (the payment stays pending and is checked
    again later). A payment that cannot settle any more — never started, or a provider
    without status query past ``PARVIS_PAYMENTS_PENDING_EXPIRY_MINUTES`` — expires."""
    payment = Payment.objects.select_related("regie").get(pk=payment.pk)
    if payment.status not in OPEN_STATUSES:
        return payment
    now = timezone.now()
    expiry = dt.timedelta(minutes=settings.PARVIS_PAYMENTS_PENDING_EXPIRY_MINUTES)
    if payment.status == PaymentStatus.CREATED:
        if payment.created_at < now - expiry:
            payment, _changed = payment_expire(payment=payment)
        return payment
    if (
        not force
        and payment.last_checked_at
        and payment.last_checked_at > now - dt.timedelta(seconds=5)
    ):
        return payment
    Payment.objects.filter(pk=payment.pk).update(last_checked_at=now)
    provider = providers.get_provider(payment.regie)
    try:
        status = provider.status(payment=payment)
    except ProviderUnavailable as error:
        _exchange(
            payment=payment,
            kind=PaymentExchange.Kind.STATUS,
            accepted=False,
            message=repr(error.__cause__ or error),
        )
        return Payment.objects.get(pk=payment.pk)
    if provider.supports_status_query:
        _exchange(
            payment=payment,
            kind=PaymentExchange.Kind.STATUS,
            message=status.result,
            data=status.data,
        )
    payment = _apply(payment=payment, status=status, source="status")
    if (
        payment.status in OPEN_STATUSES
        and not provider.supports_status_query
        and (payment.started_at or payment.created_at) < now - expiry
    ):
        payment, _changed = payment_expire(payment=payment)
    return payment


def payments_check_pending(*, limit: int = 500) -> dict[str, int]:
    """Check every open payment (oldest check first); returns counts per new status."""
    counts: dict[str, int] = {}
    open_payments = Payment.objects.filter(status__in=OPEN_STATUSES).order_by(
        "last_checked_at", "created_at"
    )[:limit]
    for payment in open_payments:
        result = payment_check_status(payment=payment, force=True)
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts


def payment_refund(
    *, payment: Payment, amount: int, reason: str, actor, ip: str | None = None
) -> Refund:
    """Record a refund of ``amount`` cents with its reason.

    Refused when larger than what remains paid. PayFiP refunds are made by the public
    accountant and payments received at the desk by the régisseur (recorded here, no
    money moves); other backends are asked through eopayment when they support it."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Indiquez le motif du remboursement."), field="reason")
    if amount is None or amount <= 0:
        raise PaymentError(_("Le montant doit être positif."), field="amount")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("regie").get(pk=payment.pk)
        if not payment.is_paid:
            raise InvalidTransition(_("Seul un paiement payé peut être remboursé."))
        if amount > payment.refundable_amount:
            raise RefundTooLarge(
                _("Le remboursement (%(amount)s) dépasse le montant payé restant (%(rest)s).")
                % {"amount": euros(amount), "rest": euros(payment.refundable_amount)},
                field="amount",
            )
        # Money received at the desk is given back by the régisseur: no provider call.
        provider = None if payment.is_offline else providers.get_provider(payment.regie)
        executed_online = False
        if provider is not None and provider.supports_online_refund:
            last = (
                payment.exchanges.filter(accepted=True, kind=PaymentExchange.Kind.NOTIFICATION)
                .order_by("-created_at")
                .first()
            )
            bank_data = (last.data.get("status", {}) or {}).get("bank_data", {}) if last else {}
            try:
                answer = provider.refund(payment=payment, amount=amount, bank_data=bank_data)
                executed_online = True
                _exchange(payment=payment, kind=PaymentExchange.Kind.REFUND, data=answer, ip=ip)
            except NotImplementedError:
                executed_online = False
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            reason=reason,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            executed_online=executed_online,
        )
        payment.refunded_amount += amount
        payment.status = (
            PaymentStatus.REFUNDED
            if payment.refunded_amount >= payment.amount
            else PaymentStatus.PARTIALLY_REFUNDED
        )
        payment.save(update_fields=["refunded_amount", "status"])
        audit_log_record(
            actor=actor,
            action="payment.refund",
            obj=payment,
            data={"amount": amount, "reason": reason, "online": executed_online},
            ip=ip,
        )
    return refund
