"""What residents (and services) are told about their bookings, by e-mail and SMS.

Contract:

* :func:`notify` is called by the services inside their transaction; nothing leaves
  before the transaction commits (``transaction.on_commit``), so a rolled-back booking
  never sends a message.
* E-mails are rendered from ``bookings/email/<kind>.subject.txt|.txt|.html`` in a
  background task (:mod:`parvis.bookings.tasks`); a confirmation, a move and a reminder
  carry the booking as an ``.ics`` file (stable UID per booking).
* SMS go through the newsletter outbox (:func:`message_send`: monthly quota, quiet
  hours) to a French mobile number only, with an idempotency key per booking and kind:
  the same message is never queued twice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

logger = logging.getLogger(__name__)

#: E-mails carrying the booking as an iCalendar attachment.
ICS_KINDS = {"confirmed", "moved", "reminder"}
#: Every kind of message (one template set each).
KINDS = {
    "confirmed",  # booked (free) or paid; or a late payment honoured
    "held",  # approved by the service: to pay before held_until
    "pending_approval",  # request received, waiting for the service
    "waiting",  # on the waiting list
    "offer",  # a place is offered until offer_expires_at
    "expired",  # a hold or an offer lapsed
    "cancelled",  # by the resident, an agent, a closure or a late payment
    "refused",  # the service refused the request
    "moved",  # another date or time
    "reminder",  # the day before
}


def booking_url(booking) -> str:
    """Absolute address of the booking's page (pay, accept an offer, cancel, move)."""
    base = settings.PARVIS_SITE_URL.rstrip("/")
    return base + reverse("bookings:booking", kwargs={"public_id": booking.public_id})


def when_text(booking) -> str:
    """« mardi 12 mai 2026 à 09:30 » (Europe/Paris)."""
    from django.utils.formats import date_format

    if booking.start is None:
        return ""
    local = timezone.localtime(booking.start)
    with override(settings.LANGUAGE_CODE):
        return _("%(day)s à %(time)s") % {
            "day": date_format(local, "l j F Y"),
            "time": local.strftime("%H:%M"),
        }


def notify(booking, kind: str, *, extra: dict | None = None, sms: bool = False) -> None:
    """Tell the booking's holder about ``kind`` once the transaction commits: an e-mail
    (when the booking has an address) and, with ``sms``, an SMS to a mobile number."""
    if kind not in KINDS:
        raise ValueError(kind)
    booking_id = booking.pk
    extra = {key: str(value) for key, value in (extra or {}).items()}

    def send():
        from .tasks import booking_email_send

        try:
            booking_email_send.enqueue(booking_id=booking_id, kind=kind, extra=extra)
        except Exception:  # the task backend is down: logged, the booking stands
            logger.exception("bookings: e-mail %s of booking %s not queued", kind, booking_id)
        if sms:
            sms_send(booking_id=booking_id, kind=kind, extra=extra)

    transaction.on_commit(send)


def alert_service(booking, kind: str, *, extra: dict | None = None) -> None:
    """E-mail the agenda's service (``Service.email``) after commit: e.g. a refund that
    the public accountant must carry out (PayFiP)."""
    booking_id = booking.pk
    extra = {key: str(value) for key, value in (extra or {}).items()}

    def send():
        from .tasks import service_alert_send

        try:
            service_alert_send.enqueue(booking_id=booking_id, kind=kind, extra=extra)
        except Exception:
            logger.exception("bookings: alert %s of booking %s not queued", kind, booking_id)

    transaction.on_commit(send)


def sms_text(booking, kind: str, extra: dict) -> str:
    """The short text of an SMS (one or two segments), in French."""
    title = booking.agenda.title
    when = when_text(booking)
    with override(settings.LANGUAGE_CODE):
        if kind == "offer":
            until = timezone.localtime(booking.offer_expires_at).strftime("%d/%m à %H:%M")
            return _(
                "%(title)s (%(when)s) : une place s'est libérée pour vous jusqu'au %(until)s. "
                "Réservation %(ref)s : %(url)s"
            ) % {
                "title": title,
                "when": when,
                "until": until,
                "ref": booking.reference,
                "url": booking_url(booking),
            }
        if kind == "cancelled":
            text = _("%(title)s (%(when)s) : votre réservation %(ref)s est annulée.") % {
                "title": title,
                "when": when,
                "ref": booking.reference,
            }
            message = extra.get("closure_message") or extra.get("reason") or ""
            return f"{text} {message}".strip()[:300]
        if kind == "reminder":
            return _("Rappel : %(title)s, %(when)s. Réservation %(ref)s.") % {
                "title": title,
                "when": when,
                "ref": booking.reference,
            }
        return _("%(title)s : du nouveau sur votre réservation %(ref)s : %(url)s") % {
            "title": title,
            "ref": booking.reference,
            "url": booking_url(booking),
        }


def sms_send(*, booking_id: int, kind: str, extra: dict) -> None:
    """Queue the SMS of ``kind`` when the booking has a French mobile number."""
    from parvis.newsletter.phones import is_mobile, normalise_phone
    from parvis.newsletter.services.sending import SendingError, message_send

    from .models import Booking

    booking = Booking.objects.select_related("agenda").filter(pk=booking_id).first()
    if booking is None or not booking.phone or not is_mobile(booking.phone):
        return
    try:
        message_send(
            channel="sms",
            to=normalise_phone(booking.phone),
            text=sms_text(booking, kind, extra),
            idempotency_key=f"booking-{booking.public_id}-{kind}",
        )
    except SendingError:
        logger.warning("bookings: SMS %s of booking %s refused by the outbox", kind, booking_id)
