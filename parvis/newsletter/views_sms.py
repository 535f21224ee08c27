"""Inbound SMS webhooks: replies of residents, read for STOP.

``/lettre/sms/entrant/<backend>/`` is called by the SMS provider, without cookie nor CSRF
token, and authenticated by the shared secret ``PARVIS_SMS_INBOUND_SECRET`` given in the
query string (``?token=``) or the ``X-Parvis-Token`` header. With no secret configured the
endpoint does not exist (404).

Answers: 200 once the reply is read (whether or not it was a STOP, whether or not the
number is known: a caller learns nothing about who is subscribed), 403 for a wrong secret,
400 for a request that holds no sender.
"""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import Channel, ConsentMethod, Contact
from .sms.backends import InboundRejected
from .sms.stop import is_stop_request

logger = logging.getLogger(__name__)

INBOUND_BACKENDS = {
    "generic": "parvis.newsletter.sms.backends.GenericHttpBackend",
    "ovh": "parvis.newsletter.sms.ovh.OvhBackend",
}


def _secret_ok(request) -> bool:
    secret = getattr(settings, "PARVIS_SMS_INBOUND_SECRET", "")
    given = request.GET.get("token") or request.headers.get("X-Parvis-Token", "")
    return bool(given) and hmac.compare_digest(given.encode(), secret.encode())


def _find_contact(sender: str) -> Contact | None:
    from .phones import normalise_phone

    try:
        phone = normalise_phone(sender)
    except ValidationError:
        phone = sender.strip()
    return Contact.objects.filter(phone=phone).first()


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_inbound(request, backend: str):
    if backend not in INBOUND_BACKENDS or not getattr(settings, "PARVIS_SMS_INBOUND_SECRET", ""):
        raise Http404
    if not _secret_ok(request):
        logger.warning("Inbound SMS refused: wrong secret (%s)", backend)
        return HttpResponseForbidden("forbidden")
    try:
        inbound = import_string(INBOUND_BACKENDS[backend]).parse_inbound(request)
    except InboundRejected as error:
        return HttpResponseBadRequest(f"rejected: {error}")
    if is_stop_request(inbound.text):
        contact = _find_contact(inbound.sender)
        if contact is None:
            logger.info("STOP from an unknown number (%s)", backend)
        else:
            from .services.consents import contact_stop_channel

            with transaction.atomic():
                contact_stop_channel(
                    contact=contact,
                    channel=Channel.SMS,
                    method=ConsentMethod.SMS_STOP,
                    source=f"SMS STOP ({backend})",
                    ip=_client_ip(request),
                )
    return HttpResponse("OK", content_type="text/plain")
