"""Periodic verification of directory entries by their own contact.

Staff ask for a verification from the « À vérifier » list; the entry's contact receives a
link to ``/annuaire/verification/<token>/``. The token is signed (TimestampSigner, a salt
of its own), valid :data:`LINK_VALIDITY`, and bound to the entry's id and to its current
``updated_at`` and ``last_verified``: once used — or once the entry changed — it no longer
opens anything, so it cannot be replayed.

From the link the contact either confirms (``last_verified`` becomes today) or reports
changes: a logged-in representative of the entry gets a regular change proposal in the
moderation queue; anyone else (the usual case: the link is opened from a mailbox, without
an account) sends the requested changes by e-mail to the town hall, which applies them by
hand. An anonymous link-holder never changes the entry itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core import signing
from django.db import transaction

from parvis.core.audit import audit_log_record

from ..exceptions import (
    VerificationLinkExpired,
    VerificationLinkInvalid,
    VerificationNoRecipient,
)
from ..models import Place, PlaceStatus
from .places import place_mark_verified

SALT = "parvis.directory.verification-link"
LINK_VALIDITY = dt.timedelta(days=30)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def _state(place: Place) -> str:
    """A short fingerprint of what a used link changes (and any other edit)."""
    raw = f"{place.pk}|{place.updated_at.isoformat()}|{place.last_verified or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def verification_recipient(place: Place) -> str:
    """Where the request goes: the private contact, else the public e-mail; '' if none."""
    return place.contact_email or place.email or ""


def verification_token_make(*, place: Place) -> str:
    return _signer().sign_object({"p": place.pk, "s": _state(place)})


def verification_place_for_token(*, token: str) -> Place:
    """The entry a link is about.

    Raises :class:`VerificationLinkInvalid` (forged or truncated link, status 400) or
    :class:`VerificationLinkExpired` (older than 30 days, already used, entry changed or
    withdrawn since, status 410).
    """
    try:
        payload = _signer().unsign_object(token, max_age=LINK_VALIDITY)
    except signing.SignatureExpired as exc:
        raise VerificationLinkExpired() from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise VerificationLinkInvalid() from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int):
        raise VerificationLinkInvalid()
    place = Place.objects.filter(pk=payload["p"]).first()
    if place is None or place.status == PlaceStatus.ARCHIVED:
        raise VerificationLinkExpired()
    if payload.get("s") != _state(place):
        raise VerificationLinkExpired()
    return place


def verification_request(*, actor, place: Place, ip: str | None = None) -> str:
    """Ask the entry's contact to check it: the e-mail leaves after the commit. Returns the
    address it goes to; raises :class:`VerificationNoRecipient` when there is none."""
    from ..tasks import verification_request_send

    recipient = verification_recipient(place)
    if not recipient:
        raise VerificationNoRecipient()
    with transaction.atomic():
        audit_log_record(
            actor=actor,
            action="directory.place.verification_request",
            obj=place,
            data={"to": "contact" if place.contact_email else "public"},
            ip=ip,
        )
        place_id = place.pk
        transaction.on_commit(lambda: verification_request_send.enqueue(place_id=place_id))
    return recipient


def verification_request_many(
    *, actor, places, ip: str | None = None
) -> tuple[list[Place], list[Place]]:
    """:func:`verification_request` for each place; returns (asked, without e-mail)."""
    asked, skipped = [], []
    with transaction.atomic():
        for place in places:
            try:
                verification_request(actor=actor, place=place, ip=ip)
            except VerificationNoRecipient:
                skipped.append(place)
            else:
                asked.append(place)
    return asked, skipped


def verification_confirm(*, token: str, ip: str | None = None) -> Place:
    """« Tout est exact »: the entry is verified today. The link is spent."""
    with transaction.atomic():
        place = verification_place_for_token(token=token)
        place = Place.objects.select_for_update().get(pk=place.pk)
        # Re-check under the lock: two clicks at once verify once.
        verification_place_for_token(token=token)
        return place_mark_verified(actor=None, place=place, via="email-link", ip=ip)


def verification_report_changes(
    *, token: str, user, changes: dict, message: str, ip: str | None = None
):
    """« Je signale des changements ».

    A logged-in representative of the entry gets a change proposal (returned). For anyone
    else the changes are e-mailed to the town hall after the commit (returns None). The
    entry itself never changes here.
    """
    from ..tasks import verification_changes_send
    from .proposals import ProposalEmpty, proposal_submit

    place = verification_place_for_token(token=token)
    is_representative = bool(
        getattr(user, "is_authenticated", False)
        and place.representatives.filter(pk=user.pk).exists()
    )
    if is_representative and changes:
        try:
            return proposal_submit(
                user=user, kind="change", place=place, data=changes, message=message, ip=ip
            )
        except ProposalEmpty:
            pass
    with transaction.atomic():
        audit_log_record(
            actor=user,
            action="directory.place.verification_changes",
            obj=place,
            data={"fields": sorted(changes)},
            ip=ip,
        )
        place_id = place.pk
        transaction.on_commit(
            lambda: verification_changes_send.enqueue(
                place_id=place_id, changes=changes, message=message
            )
        )
    return None


def verification_changes_summary(place: Place, changes: dict) -> list[tuple[str, str, str]]:
    """(label, current value, requested value) for each requested change."""
    rows = []
    for field, value in changes.items():
        label = str(Place._meta.get_field(field).verbose_name)
        rows.append((label, str(getattr(place, field) or ""), str(value or "")))
    return rows


__all__ = [
    "LINK_VALIDITY",
    "verification_changes_summary",
    "verification_confirm",
    "verification_place_for_token",
    "verification_recipient",
    "verification_report_changes",
    "verification_request",
    "verification_request_many",
    "verification_token_make",
]
