"""Background e-mails of the directory's verification requests (Django Tasks API)."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task


def _commune():
    from parvis.core.models import CommuneSettings

    return CommuneSettings.load()


def _send(*, template: str, to: str, context: dict, reply_to: str = "") -> None:
    commune = _commune()
    context = {"commune": commune, "site_url": settings.PARVIS_SITE_URL.rstrip("/"), **context}
    subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def town_hall_address() -> str:
    """The commune's contact e-mail, else the address of ``DEFAULT_FROM_EMAIL``."""
    return _commune().email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


@task()
def verification_request_send(*, place_id: int) -> None:
    """E-mail the entry's contact a link to check it (valid 30 days).

    The link is made when the message leaves, bound to the entry's state then; does nothing
    when the entry was deleted, archived or lost its e-mail address meanwhile.
    """
    from .models import Place, PlaceStatus
    from .services.verification import (
        LINK_VALIDITY,
        verification_recipient,
        verification_token_make,
    )

    place = Place.objects.filter(pk=place_id).exclude(status=PlaceStatus.ARCHIVED).first()
    if place is None or not verification_recipient(place):
        return
    token = verification_token_make(place=place)
    url = settings.PARVIS_SITE_URL.rstrip("/") + reverse(
        "directory:verify", kwargs={"token": token}
    )
    _send(
        template="directory/email/verify_request",
        to=verification_recipient(place),
        context={"place": place, "verify_url": url, "validity_days": LINK_VALIDITY.days},
        reply_to=town_hall_address(),
    )


@task()
def verification_changes_send(*, place_id: int, changes: dict, message: str) -> None:
    """E-mail the town hall the changes an entry's contact reported from a verification
    link, with a link to edit the entry in the admin."""
    from .models import Place
    from .services.verification import verification_changes_summary

    place = Place.objects.filter(pk=place_id).first()
    if place is None:
        return
    admin_url = settings.PARVIS_SITE_URL.rstrip("/") + reverse(
        "wagtailsnippets_directory_place:edit", args=[place.pk]
    )
    _send(
        template="directory/email/verify_changes",
        to=town_hall_address(),
        context={
            "place": place,
            "changes": verification_changes_summary(place, changes),
            "message": message,
            "admin_url": admin_url,
        },
        reply_to=place.contact_email or place.email,
    )
