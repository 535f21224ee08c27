"""E-mails of resident accounts, sent in the background once the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task


def _commune_name() -> str:
    from parvis.core.models import CommuneSettings

    return CommuneSettings.load().name


def send_templated_email(*, template: str, to: str, context: dict) -> None:
    """Send ``<template>.subject.txt|.txt|.html`` to one address."""
    context = {"commune_name": _commune_name(), "site_url": settings.PARVIS_SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


@task()
def verification_email_send(*, user_id: int) -> None:
    """E-mail a fresh verification link (valid 3 days). Does nothing once verified."""
    from .models import User
    from .registration import email_verification_token

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified_at is not None:
        return
    path = reverse("accounts:verify_email", kwargs={"token": email_verification_token(user=user)})
    send_templated_email(
        template="accounts/email/verify_email",
        to=user.email,
        context={"user": user, "verify_url": settings.PARVIS_SITE_URL.rstrip("/") + path},
    )


@task()
def account_exists_email_send(*, user_id: int) -> None:
    """Tell the owner of an address that someone tried to sign up with it again."""
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    base = settings.PARVIS_SITE_URL.rstrip("/")
    send_templated_email(
        template="accounts/email/account_exists",
        to=user.email,
        context={
            "user": user,
            "login_url": base + reverse("accounts:login"),
            "reset_url": base + reverse("accounts:password_reset"),
        },
    )


@task()
def email_proof_send(*, email: str, token: str) -> None:
    """E-mail the link proving that the person reads ``email`` (valid one hour)."""
    from .email_proof import link_for

    send_templated_email(
        template="accounts/email/email_proof", to=email, context={"proof_url": link_for(token)}
    )
