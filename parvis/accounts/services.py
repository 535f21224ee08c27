"""Writes on accounts: second-factor enrolment and verification."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from parvis.core.audit import audit_log_record

from .models import User

DEVICE_NAME = "Application d'authentification"


def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """Return the user's pending (unconfirmed) TOTP device, creating it once.

    Idempotent: reloading the enrolment page shows the same secret until it is confirmed.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def confirmed_totp_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_verify(*, user: User, token: str, ip: str | None = None) -> TOTPDevice | None:
    """Check a code against the user's devices; on first success confirm the enrolment.

    Returns the device that accepted the code, or None. Failed attempts are throttled by
    django-otp (each failure doubles the wait before the next try) and audited; a code is
    accepted once only.
    """
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    enrolling = not devices
    if enrolling:
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=False)[:1])
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                audit_log_record(actor=user, action="accounts.2fa_enrolled", obj=user, ip=ip)
            return device
    if devices:
        audit_log_record(actor=user, action="accounts.2fa_failed", obj=user, ip=ip)
    return None
