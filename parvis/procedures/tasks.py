"""Background work of procedures: the e-mails and SMS of a request's life, the purge.

Tasks are enqueued after commit by :mod:`parvis.procedures.notifications`. They read the
request again and write nothing to the resident about an anonymised request or an entry
that is not visible to the resident (internal notes never leave)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger(__name__)


def commune_name() -> str:
    try:
        from parvis.core.models import CommuneSettings

        return CommuneSettings.load().name
    except Exception:  # the settings table may be empty in a fresh install
        return ""


def _message(template: str, context: dict, to: str) -> EmailMultiAlternatives:
    context = {"commune_name": commune_name(), "site_url": settings.PARVIS_SITE_URL, **context}
    subject = render_to_string(f"procedures/email/{template}.subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"procedures/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"procedures/email/{template}.html", context), "text/html"
    )
    return message


def _sms(request, text: str, key: str) -> None:
    """An SMS to the requester when the procedure asks for it and the number is a mobile."""
    if not request.procedure.sms_notifications or not request.phone:
        return
    from parvis.newsletter.phones import is_mobile, normalise_phone
    from parvis.newsletter.services.sending import message_send

    if not is_mobile(request.phone):
        return
    try:
        message_send(
            channel="sms", to=normalise_phone(request.phone), text=text, idempotency_key=key
        )
    except Exception:  # an SMS refused (too long, quota) never blocks the e-mail
        logger.exception("procedures: SMS for request %s not queued", request.pk)


@task()
def request_receipt_send(*, request_id: int) -> None:
    """E-mail the receipt of a submission, with its PDF."""
    from .models import Request
    from .notifications import fill_placeholders, request_url
    from .pdf import request_receipt_pdf

    request = (
        Request.objects.select_related("procedure", "version", "service")
        .filter(pk=request_id, anonymised_at__isnull=True)
        .first()
    )
    if request is None or not request.email:
        return
    commune = commune_name()
    context = {
        "request": request,
        "procedure": request.procedure,
        "request_url": request_url(request),
        "extra": fill_placeholders(request.procedure.receipt_message, request=request),
        "to_pay": request.fee_cents > 0 and request.paid_at is None,
    }
    message = _message("receipt", context, request.email)
    message.attach(
        f"demande-{request.number}.pdf",
        request_receipt_pdf(request, commune_name=commune),
        "application/pdf",
    )
    message.send()


@task()
def request_service_alert(*, request_id: int) -> None:
    """Tell the service's address that a request arrived (number and link only)."""
    from .models import Request
    from .notifications import admin_request_url

    request = (
        Request.objects.select_related("procedure", "service")
        .filter(pk=request_id, anonymised_at__isnull=True)
        .first()
    )
    if request is None or not request.service.email:
        return
    context = {
        "request": request,
        "procedure": request.procedure,
        "admin_url": admin_request_url(request),
    }
    _message("service_new_request", context, request.service.email).send()


def _resident_context(event, request) -> tuple[str, dict, str] | None:
    """(template, context, SMS text) of a resident-facing event, or None."""
    from .models import ProcedureStatus, RequestEvent
    from .notifications import fill_placeholders, request_url

    url = request_url(request)
    context = {"request": request, "procedure": request.procedure, "event": event}
    context["request_url"] = url
    commune = commune_name()
    if event.kind == RequestEvent.Kind.STATUS:
        status = ProcedureStatus.objects.filter(
            procedure_id=request.procedure_id, code=event.to_code
        ).first()
        if status is None or not status.notify_resident:
            return None
        context["status_label"] = status.label
        context["reason"] = event.text
        context["extra"] = fill_placeholders(
            request.procedure.status_message, request=request, reason=event.text
        )
        sms = _("%(commune)s : votre demande %(number)s est « %(status)s ». %(url)s") % {
            "commune": commune,
            "number": request.number,
            "status": status.label,
            "url": url,
        }
        return "status", context, sms
    if event.kind == RequestEvent.Kind.MESSAGE_TO_RESIDENT:
        sms = _("%(commune)s : nouveau message sur votre demande %(number)s. %(url)s") % {
            "commune": commune,
            "number": request.number,
            "url": url,
        }
        return "message", context, sms
    if event.kind == RequestEvent.Kind.DOCUMENT_REQUESTED:
        sms = _("%(commune)s : une pièce est demandée pour votre demande %(number)s. %(url)s") % {
            "commune": commune,
            "number": request.number,
            "url": url,
        }
        return "document_requested", context, sms
    return None


@task()
def request_event_notify(*, event_id: int) -> None:
    """E-mail (and SMS) the requester about a status change, a message or a document asked
    for; e-mail the service about the requester's message or document."""
    from .models import RequestEvent
    from .notifications import RESIDENT_EVENT_KINDS, SERVICE_EVENT_KINDS, admin_request_url

    event = (
        RequestEvent.objects.select_related(
            "request__procedure", "request__service", "request__assigned_to"
        )
        .filter(pk=event_id, request__anonymised_at__isnull=True)
        .first()
    )
    if event is None:
        return
    request = event.request
    if event.kind in RESIDENT_EVENT_KINDS:
        if not event.visible_to_resident or not request.email:
            return
        built = _resident_context(event, request)
        if built is None:
            return
        template, context, sms = built
        _message(template, context, request.email).send()
        _sms(request, sms, f"procedures-event-{event.pk}-sms")
    elif event.kind in SERVICE_EVENT_KINDS and not event.actor_is_agent:
        assigned = request.assigned_to
        to = assigned.email if assigned is not None and assigned.is_active else ""
        to = to or request.service.email
        if not to:
            return
        context = {
            "request": request,
            "procedure": request.procedure,
            "event": event,
            "admin_url": admin_request_url(request),
        }
        _message("service_update", context, to).send()


@task()
def requests_purge_task() -> dict:
    """Anonymise the requests past their retention period (see :mod:`.retention`)."""
    from .retention import requests_purge

    return requests_purge()
