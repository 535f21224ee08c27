"""Background work: receipts and reminders by e-mail, checks of pending payments.

Each e-mail task claims its row before sending (idempotent, safe to run concurrently) and
releases the claim when the mail server refuses, so that it is tried again later."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task


def _commune_name() -> str:
    try:
        from wagtail.models import Site

        from parvis.core.models import CommuneSettings

        site = Site.objects.filter(is_default_site=True).first()
        return CommuneSettings.for_site(site).name if site else ""
    except Exception:  # the settings table may be empty in a fresh install
        return ""


def _message(template: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    subject = render_to_string(f"payments/email/{template}.subject.txt", context).strip()
    body = render_to_string(f"payments/email/{template}.txt", context)
    html = render_to_string(f"payments/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.attach_alternative(html, "text/html")
    return message


@task()
def receipt_email_send(*, receipt_id: int) -> None:
    """E-mail the receipt (PDF attached) to the payer, once."""
    from .models import Receipt
    from .pdf import receipt_pdf

    claimed_at = timezone.now()
    if not Receipt.objects.filter(pk=receipt_id, emailed_at__isnull=True).update(
        emailed_at=claimed_at
    ):
        return
    receipt = Receipt.objects.select_related("payment__regie").get(pk=receipt_id)
    payment = receipt.payment
    if not payment.email:
        return
    commune = _commune_name()
    context = {
        "receipt": receipt,
        "payment": payment,
        "commune": commune,
        "site_url": settings.PARVIS_SITE_URL.rstrip("/"),
    }
    message = _message("receipt", context, [payment.email])
    message.attach(
        f"quittance-{receipt.number}.pdf",
        receipt_pdf(receipt, commune_name=commune),
        "application/pdf",
    )
    try:
        message.send()
    except Exception:
        Receipt.objects.filter(pk=receipt_id, emailed_at=claimed_at).update(emailed_at=None)
        raise


@task()
def invoice_reminder_send(*, invoice_id: int) -> None:
    """Remind the payer of an open invoice before its due date, once."""
    from .models import Invoice

    claimed_at = timezone.now()
    if not Invoice.objects.filter(
        pk=invoice_id, reminded_at__isnull=True, status=Invoice.Status.OPEN
    ).update(reminded_at=claimed_at):
        return
    invoice = Invoice.objects.select_related("regie").get(pk=invoice_id)
    context = {
        "invoice": invoice,
        "commune": _commune_name(),
        "site_url": settings.PARVIS_SITE_URL.rstrip("/"),
    }
    try:
        _message("invoice_reminder", context, [invoice.payer_email]).send()
    except Exception:
        Invoice.objects.filter(pk=invoice_id, reminded_at=claimed_at).update(reminded_at=None)
        raise


@task()
def payments_check_pending_task() -> dict:
    from .services import payments_check_pending

    return payments_check_pending()
