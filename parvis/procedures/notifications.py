"""Who is told what about a request, and when.

Services call these functions inside their transaction; the e-mail and SMS tasks are
enqueued after commit (nothing leaves for a rolled-back change).

* Resident (e-mail; SMS too when the procedure has ``sms_notifications`` and the
  requester gave a mobile number): the receipt at submission (PDF attached), each status
  change whose status has ``notify_resident``, each message from an agent, each document
  asked for.
* Service: a new request (to the service's address); a message or a document from the
  requester (to the assigned agent, or else to the service's address). These e-mails
  carry the request's number and a link to the inbox, not the requester's answers.
* Never: internal notes, assignments. The task checks ``visible_to_resident`` again before
  writing to the resident.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from .models import Request, RequestEvent

RESIDENT_EVENT_KINDS = {
    RequestEvent.Kind.STATUS,
    RequestEvent.Kind.MESSAGE_TO_RESIDENT,
    RequestEvent.Kind.DOCUMENT_REQUESTED,
}
SERVICE_EVENT_KINDS = {
    RequestEvent.Kind.MESSAGE_FROM_RESIDENT,
    RequestEvent.Kind.DOCUMENT_ADDED,
}

_PLACEHOLDER = re.compile(r"\{(numero|demarche|etat|motif|lien)\}")


def request_url(request: Request) -> str:
    """The absolute address of the resident's page of ``request``."""
    try:
        path = reverse("procedures:request", args=[request.public_id])
    except NoReverseMatch:
        path = f"/demarches/suivi/{request.public_id}/"
    return settings.PARVIS_SITE_URL.rstrip("/") + path


def admin_request_url(request: Request) -> str:
    """The absolute address of the request in the agents' inbox."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or settings.PARVIS_SITE_URL
    try:
        path = reverse("procedures_admin:detail", args=[request.pk])
    except NoReverseMatch:
        path = f"/admin/demarches/demandes/{request.pk}/"
    return base.rstrip("/") + path


def fill_placeholders(template: str, *, request: Request, reason: str = "") -> str:
    """Replace ``{numero}``, ``{demarche}``, ``{etat}``, ``{motif}``, ``{lien}`` in a text
    written by staff; any other brace is left as typed (no ``str.format``)."""
    values = {
        "numero": request.number,
        "demarche": request.procedure.title,
        "etat": request.status_label,
        "motif": reason,
        "lien": request_url(request),
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template or "")


def request_submitted(request: Request) -> None:
    """The receipt to the requester, and a short alert to the service's address."""
    from .tasks import request_receipt_send, request_service_alert

    request_id = request.pk
    transaction.on_commit(lambda: request_receipt_send.enqueue(request_id=request_id))
    transaction.on_commit(lambda: request_service_alert.enqueue(request_id=request_id))


def event_created(event: RequestEvent, *, notify: bool = True) -> None:
    """Schedule the notifications of a new timeline entry: resident-facing kinds when
    visible to the resident, the requester's messages and documents to the service;
    nothing for notes and assignments."""
    if not notify:
        return
    to_resident = event.kind in RESIDENT_EVENT_KINDS and event.visible_to_resident
    to_service = event.kind in SERVICE_EVENT_KINDS and not event.actor_is_agent
    if not (to_resident or to_service):
        return
    from .tasks import request_event_notify

    event_id = event.pk
    transaction.on_commit(lambda: request_event_notify.enqueue(event_id=event_id))
