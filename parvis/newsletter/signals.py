"""Reactions of the newsletters to other components' signals.

Bounces and complaints reported by the e-mail service provider (django-anymail's
``tracking`` signal, fed by its webhooks under ``/lettre/webhooks/anymail/``): a hard
bounce or a complaint marks the delivery ``bounced`` and stops the contact's e-mail
channel (:func:`~parvis.newsletter.services.consents.contact_stop_channel`, recorded in the
consent ledger), so that no further message goes to that address. Soft bounces and other
events (delivered, opened…) change nothing. Idempotent: a provider may post an event
twice.
"""

from __future__ import annotations

import logging

from anymail.signals import EventType, RejectReason, tracking
from django.dispatch import receiver

logger = logging.getLogger(__name__)

SOFT_EVENTS = {"soft_bounce", "deferred"}  # Brevo's names; Mailgun says severity=temporary


def _is_soft(event) -> bool:
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if raw.get("event") in SOFT_EVENTS or raw.get("severity") == "temporary":
        return True
    data = raw.get("event-data") if isinstance(raw.get("event-data"), dict) else {}
    return data.get("severity") == "temporary"


def _stopping_state(event) -> str | None:
    from .models import ChannelState

    if event.event_type == EventType.COMPLAINED:
        return ChannelState.COMPLAINED
    if event.event_type in (EventType.BOUNCED, EventType.REJECTED) and not _is_soft(event):
        if event.reject_reason in (RejectReason.BOUNCED, RejectReason.INVALID, None):
            return ChannelState.BOUNCED
    return None


@receiver(tracking, dispatch_uid="parvis_newsletter_tracking")
def on_tracking_event(sender, event, esp_name, **kwargs):
    from .models import Channel, ConsentMethod, Contact, Delivery, DeliveryStatus
    from .services.consents import contact_stop_channel

    state = _stopping_state(event)
    if state is None:
        return
    delivery = None
    if event.message_id:
        delivery = (
            Delivery.objects.filter(channel=Channel.EMAIL, provider_message_id=event.message_id)
            .select_related("contact")
            .first()
        )
    if delivery is not None:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.BOUNCED,
            last_error=f"{esp_name}: {event.event_type} {event.mta_response or ''}"[:2000],
        )
    contact = delivery.contact if delivery is not None else None
    if contact is None and event.recipient:
        contact = Contact.objects.filter(email__iexact=event.recipient).first()
    if contact is None:
        logger.info("Tracking event for an unknown address ignored (%s)", esp_name)
        return
    contact_stop_channel(
        contact=contact,
        channel=Channel.EMAIL,
        method=ConsentMethod.BOUNCE,
        state=state,
        source=f"{esp_name} webhook: {event.event_type}",
    )
