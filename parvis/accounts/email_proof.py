"""Proof that a person without an account reads an e-mail address (guest bookings and
guest procedures).

The person types an address; we e-mail a signed link (valid one hour) naming the address
and the page to return to. Following the link records the address as *proven* in the
session for :data:`PROOF_LIFETIME`. Pages that accept guests call :func:`proven_email`:
a signed-in account with a verified address counts as proof of its own address.

Nothing is stored in the database: the proof lives in the signed link, then in the
session. The request form never tells whether the address has an account.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from parvis.core.audit import audit_log_record

from .exceptions import VerificationLinkExpired, VerificationLinkInvalid
from .registration import is_email_verified, throttle_hit

LINK_MAX_AGE = dt.timedelta(hours=1)
PROOF_LIFETIME = dt.timedelta(hours=24)
REQUESTS_PER_IP_PER_HOUR = 10
SESSION_KEY = "parvis_proven_emails"
_SALT = "parvis.accounts.email-proof"


def _safe_next(next_url: str) -> str:
    if (
        next_url
        and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None, require_https=False)
        and next_url.startswith("/")
    ):
        return next_url
    return "/"


def email_proof_token(*, email: str, next_url: str) -> str:
    return signing.dumps({"e": email.strip().lower(), "n": _safe_next(next_url)}, salt=_SALT)


def email_proof_send(*, email: str, next_url: str, ip: str | None = None) -> None:
    """E-mail a proof link to ``email`` (throttled per IP; raises TooManyAttempts)."""
    from django.db import transaction

    from .tasks import email_proof_send as task

    throttle_hit(scope="email-proof", ip=ip, limit=REQUESTS_PER_IP_PER_HOUR)
    email = email.strip().lower()
    token = email_proof_token(email=email, next_url=next_url)
    transaction.on_commit(lambda: task.enqueue(email=email, token=token))


def email_proof_accept(request, token: str) -> str:
    """Record the address named by ``token`` as proven in this session; return the page
    to go back to. Raises VerificationLinkExpired / VerificationLinkInvalid."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE.total_seconds())
    except signing.SignatureExpired:
        raise VerificationLinkExpired() from None
    except signing.BadSignature:
        raise VerificationLinkInvalid() from None
    email = payload.get("e", "")
    if not email:
        raise VerificationLinkInvalid()
    proofs = dict(request.session.get(SESSION_KEY, {}))
    proofs[email] = timezone.now().isoformat()
    request.session[SESSION_KEY] = proofs
    request.session.cycle_key()
    audit_log_record(actor=None, action="accounts.email_proven", data={"email": email})
    return _safe_next(payload.get("n", "/"))


def proven_email(request) -> str | None:
    """The address this visitor proved most recently (within :data:`PROOF_LIFETIME`), or
    the verified address of the signed-in account; ``None`` otherwise."""
    user = getattr(request, "user", None)
    if user is not None and is_email_verified(user):
        return user.email.lower()
    proofs = request.session.get(SESSION_KEY, {}) if hasattr(request, "session") else {}
    limit = timezone.now() - PROOF_LIFETIME
    best = None
    for email, when in proofs.items():
        try:
            at = dt.datetime.fromisoformat(when)
        except (TypeError, ValueError):
            continue
        if at >= limit and (best is None or at > best[1]):
            best = (email, at)
    return best[0] if best else None


def email_proof_url(next_url: str) -> str:
    return reverse("accounts:email_proof") + "?" + urlencode({"next": _safe_next(next_url)})


def email_proof_required(view):
    """Guard: a visitor with no proven address is sent to the proof page, then back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if proven_email(request) is None:
            return redirect(email_proof_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


def link_for(token: str) -> str:
    return settings.PARVIS_SITE_URL.rstrip("/") + reverse(
        "accounts:email_proof_confirm", kwargs={"token": token}
    )
