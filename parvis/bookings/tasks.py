"""Background e-mails of bookings (django-tasks), enqueued after commit by
:mod:`parvis.bookings.notifications`."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import override
from django_tasks import task


def _context(booking, extra: dict) -> dict:
    from parvis.core.models import CommuneSettings

    from .ics import booking_location, booking_place, booking_summary
    from .notifications import booking_url, when_text

    return {
        "commune_name": CommuneSettings.load().name,
        "site_url": settings.PARVIS_SITE_URL.rstrip("/"),
        "booking": booking,
        "agenda": booking.agenda,
        "summary": booking_summary(booking),
        "when": when_text(booking),
        "place": booking_place(booking),
        "location": booking_location(booking),
        "booking_url": booking_url(booking),
        "participants": list(booking.participants.all()) if booking.session_id else [],
        **extra,
    }


def _send(*, template: str, to: str, context: dict, attachments=()) -> None:
    with override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


def _booking(booking_id: int):
    from .models import Booking

    return (
        Booking.objects.select_related(
            "agenda__place",
            "agenda__service",
            "appointment_type",
            "resource__place",
            "session",
            "desk",
            "payment",
            "family_member",
        )
        .filter(pk=booking_id)
        .first()
    )


@task()
def booking_email_send(*, booking_id: int, kind: str, extra: dict) -> None:
    """E-mail the booking's holder about ``kind`` (with the .ics where it helps)."""
    from .ics import booking_ics
    from .notifications import ICS_KINDS

    booking = _booking(booking_id)
    if booking is None or not booking.email:
        return
    attachments = []
    if kind in ICS_KINDS and booking.start and booking.end:
        attachments.append(
            (
                f"reservation-{booking.reference}.ics",
                booking_ics(booking),
                "text/calendar; charset=utf-8; method=PUBLISH",
            )
        )
    _send(
        template=f"bookings/email/{kind}",
        to=booking.email,
        context={**_context(booking, extra), "kind": kind},
        attachments=attachments,
    )


@task()
def service_alert_send(*, booking_id: int, kind: str, extra: dict) -> None:
    """E-mail the agenda's service (e.g. a refund to carry out by the accountant)."""
    booking = _booking(booking_id)
    if booking is None or not booking.agenda.service.email:
        return
    _send(
        template=f"bookings/email/service_{kind}",
        to=booking.agenda.service.email,
        context={**_context(booking, extra), "kind": kind},
    )
