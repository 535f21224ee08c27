"""Residents' accounts: sign-up, e-mail verification and the guard of self-service pages.

A resident signs up with an e-mail address, a name and a password. The account can log in
at once but stays *unverified* (``User.email_verified_at`` empty) until the person follows
the link sent by e-mail; an unverified account cannot use the self-service features
(:func:`verified_email_required`). Staff accounts count as verified: the town hall created
them and they log in to the back office with a second factor.

Sign-up never tells whether an address already has an account: the same confirmation
page is shown, and the owner of the address receives an e-mail explaining how to log in
or reset the password.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from parvis.core.audit import audit_log_record

from .exceptions import TooManyAttempts, VerificationLinkExpired, VerificationLinkInvalid
from .models import User

VERIFICATION_MAX_AGE = dt.timedelta(days=3)
SIGNUPS_PER_IP_PER_HOUR = 5
RESENDS_PER_IP_PER_HOUR = 5
_VERIFICATION_SALT = "parvis.accounts.email-verification"


def is_email_verified(user) -> bool:
    """True when ``user`` may use the features that need a verified address."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or user.email_verified_at)


def email_verification_token(*, user: User) -> str:
    """A signed, URL-safe token naming the account and the address it verifies.

    Valid for :data:`VERIFICATION_MAX_AGE`; changing the account's address makes it invalid.
    """
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=_VERIFICATION_SALT)


def user_from_verification_token(token: str) -> User:
    """The account a token verifies. Raises VerificationLinkExpired/VerificationLinkInvalid."""
    try:
        payload = signing.loads(
            token, salt=_VERIFICATION_SALT, max_age=VERIFICATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        raise VerificationLinkExpired() from None
    except signing.BadSignature:
        raise VerificationLinkInvalid() from None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or user.email.lower() != payload.get("e"):
        raise VerificationLinkInvalid()
    return user


def throttle_hit(*, scope: str, ip: str | None, limit: int, period: int = 3600) -> None:
    """Count one attempt for ``ip`` in ``scope``; raise TooManyAttempts past ``limit``.

    The window starts at the first attempt and lasts ``period`` seconds (shared cache, so
    the limit holds across web processes when the cache is Redis).
    """
    key = f"parvis:throttle:{scope}:{ip or 'unknown'}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        count = 1
    if count > limit:
        raise TooManyAttempts()


@transaction.atomic
def resident_sign_up(
    *, email: str, first_name: str, last_name: str, password: str, ip: str | None = None
) -> User | None:
    """Create an unverified resident account and e-mail its verification link.

    Returns None, creating nothing, when the address already has an account: its owner is
    told by e-mail instead (the page shown is the same, so sign-up reveals no address).
    The password must already have passed the password validators.
    """
    from .tasks import account_exists_email_send, verification_email_send

    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        audit_log_record(actor=None, action="accounts.sign_up_existing", obj=existing, ip=ip)
        transaction.on_commit(lambda: account_exists_email_send.enqueue(user_id=existing.pk))
        return None
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    audit_log_record(
        actor=user,
        action="accounts.signed_up",
        obj=user,
        data={"terms_accepted_at": timezone.now().isoformat()},
        ip=ip,
    )
    transaction.on_commit(lambda: verification_email_send.enqueue(user_id=user.pk))
    return user


@transaction.atomic
def email_verify(*, token: str, ip: str | None = None) -> User:
    """Mark the account named by ``token`` as verified. Idempotent (the first date stays)."""
    user = user_from_verification_token(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_log_record(actor=user, action="accounts.email_verified", obj=user, ip=ip)
    return user


def verification_resend(*, email: str, ip: str | None = None) -> None:
    """Send a new verification link if ``email`` names an active unverified account.

    Says nothing about whether it does (no address enumeration); throttled per address
    of the requester.
    """
    from .tasks import verification_email_send

    throttle_hit(scope="verification-resend", ip=ip, limit=RESENDS_PER_IP_PER_HOUR)
    user = User.objects.filter(
        email__iexact=email.strip(), is_active=True, email_verified_at__isnull=True
    ).first()
    if user is not None and not is_email_verified(user):
        verification_email_send.enqueue(user_id=user.pk)


def email_mark_verified(*, user: User, ip: str | None = None) -> None:
    """Record that the person proved they read this address (e.g. by a reset link)."""
    if user.email_verified_at is None:
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
            email_verified_at=timezone.now()
        )
        audit_log_record(
            actor=user, action="accounts.email_verified", obj=user, data={"by": "reset"}, ip=ip
        )


def verified_email_required(view):
    """Guard for self-service views: log in first, then verify the address.

    Anonymous visitors go to the login page; signed-in but unverified people get a 403
    page explaining how to verify, with a button to receive a new link.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_email_verified(request.user):
            return render(request, "accounts/verification_required.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
