"""Consents: subscribe with double opt-in, confirm, withdraw, unsubscribe, stop a channel.

Contract shared by every function here:

- a :class:`Subscription` becomes ``active`` only by a proof: the e-mail link, the SMS
  code, a verified resident account, or a staff import with a recorded legal basis;
- each change adds :class:`ConsentEvent` rows (never updates one): the ledger is the proof;
- subscribing never reveals to the visitor whether an address is already known: the same
  page follows and the same message is sent;
- each function is one transaction; messages leave with ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.core.audit import audit_log_record

from ..models import (
    Channel,
    ChannelState,
    ConsentAction,
    ConsentEvent,
    ConsentMethod,
    Contact,
    LegalBasis,
    Subscription,
    SubscriptionStatus,
    Topic,
)
from ..phones import normalise_phone

CONFIRM_MAX_AGE = dt.timedelta(days=7)
SMS_CODE_TTL = dt.timedelta(minutes=15)
SMS_CODE_MAX_TRIES = 3
_CONFIRM_SALT = "parvis.newsletter.confirm-email"


class NewsletterError(Exception):
    """Base of the newsletter errors; ``message`` is translated and shown to the person."""

    default_message = _("L'opération n'a pas pu être faite.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class ConfirmationLinkInvalid(NewsletterError):
    default_message = _(
        "Ce lien de confirmation n'est pas valide. Copiez-le en entier depuis l'e-mail reçu, "
        "ou inscrivez-vous à nouveau."
    )


class ConfirmationLinkExpired(NewsletterError):
    default_message = _(
        "Ce lien de confirmation a expiré (il est valable 7 jours). Inscrivez-vous à nouveau."
    )


class SmsCodeInvalid(NewsletterError):
    default_message = _("Ce code n'est pas le bon. Vérifiez le SMS reçu et saisissez-le à nouveau.")


class SmsCodeExpired(NewsletterError):
    default_message = _(
        "Ce code a expiré ou a été saisi trop de fois. Remplissez à nouveau le formulaire "
        "d'inscription pour recevoir un nouveau code."
    )


class UnsubscribeLinkInvalid(NewsletterError):
    default_message = _(
        "Ce lien n'est plus valable. Utilisez le lien du dernier message reçu ou contactez la "
        "mairie."
    )


class InvalidRequest(NewsletterError):
    pass


@dataclass
class SubscriptionRequestResult:
    """What :func:`subscription_request` did. ``sms_challenge`` is kept by the caller (in the
    visitor's server-side session) and handed back to :func:`subscription_confirm_sms`."""

    contacts: list[Contact]
    email_sent: bool = False
    sms_challenge: dict | None = None
    active_at_once: bool = False
    topics: list[Topic] = field(default_factory=list)


# --- URLs put in every message -----------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.PARVIS_SITE_URL.rstrip("/") + path


def preferences_url(contact: Contact) -> str:
    """Absolute URL of the contact's preference centre (secret: the contact's token)."""
    return _absolute(reverse("newsletter:preferences", args=[contact.token]))


def unsubscribe_url(contact: Contact, channel: str) -> str:
    """Absolute URL of the one-click unsubscribe endpoint (RFC 8058) for ``channel``.

    The site URL is ``PARVIS_SITE_URL`` (https in production). A POST with body
    ``List-Unsubscribe=One-Click`` there needs no cookie, login or CSRF token.
    """
    return _absolute(reverse("newsletter:unsubscribe", args=[contact.token, channel]))


# --- Ledger helpers ------------------------------------------------------------------------


def _event(
    contact: Contact,
    *,
    channel: str,
    topic: Topic | None,
    action: str,
    method: str,
    source: str = "",
    wording: str = "",
    legal_basis: str = "",
    ip: str | None = None,
    actor=None,
) -> ConsentEvent:
    return ConsentEvent.objects.create(
        contact=contact,
        channel=channel,
        topic=topic,
        action=action,
        method=method,
        source=source[:200],
        wording=wording,
        legal_basis=legal_basis,
        ip_address=ip or None,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _state_field(channel: str) -> str:
    return "email_state" if channel == Channel.EMAIL else "sms_state"


def _activate(
    contact: Contact,
    *,
    channel: str,
    topics: Iterable[Topic],
    method: str,
    ip: str | None,
    source: str = "",
    legal_basis: str = LegalBasis.CONSENT,
    action: str = ConsentAction.CONFIRMED,
    wording: str = "",
    actor=None,
    only_pending: bool = False,
) -> int:
    """Make the subscriptions active; one ledger row per subscription that changed."""
    changed = 0
    now = timezone.now()
    for topic in topics:
        subscription = (
            Subscription.objects.select_for_update()
            .filter(contact=contact, channel=channel, topic=topic)
            .first()
        )
        if subscription is None:
            if only_pending:
                continue
            subscription = Subscription(contact=contact, channel=channel, topic=topic)
        elif subscription.status == SubscriptionStatus.ACTIVE:
            continue
        elif only_pending and subscription.status != SubscriptionStatus.PENDING:
            continue
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.legal_basis = legal_basis
        subscription.confirmed_at = now
        subscription.save()
        _event(
            contact,
            channel=channel,
            topic=topic,
            action=action,
            method=method,
            source=source,
            wording=wording,
            legal_basis=legal_basis,
            ip=ip,
            actor=actor,
        )
        changed += 1
    state_field = _state_field(channel)
    if changed and getattr(contact, state_field) != ChannelState.OK:
        # A fresh proof of consent on this address lifts an earlier stop.
        setattr(contact, state_field, ChannelState.OK)
        contact.save(update_fields=[state_field, "updated_at"])
    return changed


def _sms_code_hash(contact_pk: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"newsletter-sms:{contact_pk}:{code}".encode(), hashlib.sha256).hexdigest()


# --- Outgoing messages (on commit) -------------------------------------------------------


def confirmation_email_send(*, contact_pk: int, email: str, topic_ids: list[int]) -> None:
    """Send the double opt-in link for ``email`` (valid :data:`CONFIRM_MAX_AGE`)."""
    contact = Contact.objects.filter(pk=contact_pk).first()
    if contact is None:
        return
    token = signing.dumps({"c": contact.pk, "e": email, "t": topic_ids}, salt=_CONFIRM_SALT)
    topics = list(Topic.objects.filter(pk__in=topic_ids))
    context = {
        "contact": contact,
        "topics": topics,
        "confirm_url": _absolute(reverse("newsletter:confirm", args=[token])),
        "preferences_url": preferences_url(contact),
        "days": CONFIRM_MAX_AGE.days,
    }
    subject = render_to_string("newsletter/email/confirm_email.subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("newsletter/email/confirm_email.txt", context),
        from_email=getattr(settings, "PARVIS_NEWSLETTER_FROM_EMAIL", None)
        or settings.DEFAULT_FROM_EMAIL,
        to=[email],
    )
    message.attach_alternative(
        render_to_string("newsletter/email/confirm_email.html", context), "text/html"
    )
    message.send()


def sms_code_send(*, phone: str, text: str, idempotency_key: str) -> None:
    """Queue the confirmation code in the outbox (same quota as every SMS; urgent, so quiet
    hours do not hold it back). To bypass the outbox, replace the ``message_send`` call by
    ``sms.backends.get_backend().send_messages([SmsMessage(to=phone, text=text)])``."""
    from .sending import message_send

    message_send(
        channel=Channel.SMS, to=phone, text=text, idempotency_key=idempotency_key, urgent=True
    )


# --- Subscribing ---------------------------------------------------------------------------


def _find_or_create(*, email: str | None, phone: str | None, source: str) -> dict[str, Contact]:
    """The contact for each address. An address already known keeps its own contact: an
    anonymous form never attaches a new address to someone else's contact."""
    by_email = Contact.objects.select_for_update().filter(email=email).first() if email else None
    by_phone = Contact.objects.select_for_update().filter(phone=phone).first() if phone else None
    if email and phone and by_email is None and by_phone is None:
        contact = Contact.objects.create(email=email, phone=phone, source=source)
        return {Channel.EMAIL: contact, Channel.SMS: contact}
    result = {}
    if email:
        result[Channel.EMAIL] = by_email or Contact.objects.create(email=email, source=source)
    if phone:
        result[Channel.SMS] = by_phone or Contact.objects.create(phone=phone, source=source)
    return result


@transaction.atomic
def subscription_request(
    *,
    email: str | None = None,
    phone: str | None = None,
    topics: Iterable[Topic],
    channels: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    street: str = "",
    wording: str,
    ip: str | None = None,
    source: str = "",
    user=None,
) -> SubscriptionRequestResult:
    """Record a request to receive ``topics`` on ``channels`` and send the proofs to check.

    E-mail: a signed link (7 days). SMS: a 6-digit code (15 minutes, 3 tries) whose hash is
    returned in ``sms_challenge``. The subscriptions stay ``pending`` until confirmed; an
    active one stays active. When ``user`` is a signed-in resident whose verified account
    address is ``email``, the e-mail subscriptions are active at once (method ACCOUNT) and
    the contact is linked to the account. Nothing in the result tells the visitor whether
    an address was already known.
    """
    from parvis.accounts.registration import is_email_verified

    topics = list(topics)
    channels = set(channels)
    email = email.strip().lower() if email else None
    phone = normalise_phone(phone) if phone else None
    if not topics:
        raise InvalidRequest(_("Choisissez au moins un thème."))
    if not channels or not channels <= {Channel.EMAIL, Channel.SMS}:
        raise InvalidRequest(_("Choisissez au moins un moyen de recevoir les messages."))
    if Channel.EMAIL in channels and not email:
        raise InvalidRequest(_("Saisissez votre adresse e-mail pour recevoir les e-mails."))
    if Channel.SMS in channels and not phone:
        raise InvalidRequest(_("Saisissez votre numéro de mobile pour recevoir les SMS."))
    source = source or "formulaire /lettre/"
    contacts = _find_or_create(
        email=email if Channel.EMAIL in channels else None,
        phone=phone if Channel.SMS in channels else None,
        source=source,
    )
    result = SubscriptionRequestResult(contacts=[], topics=topics)
    account_ok = (
        Channel.EMAIL in channels
        and is_email_verified(user)
        and user.email.strip().lower() == email
    )
    for channel, contact in contacts.items():
        if contact not in result.contacts:
            result.contacts.append(contact)
        # Only blank fields are filled: a visitor never rewrites a known contact.
        updates = []
        for name, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("street", street),
        ):
            if value and not getattr(contact, name):
                setattr(contact, name, value.strip()[:200])
                updates.append(name)
        if updates:
            contact.save(update_fields=[*updates, "updated_at"])
        for topic in topics:
            _event(
                contact,
                channel=channel,
                topic=topic,
                action=ConsentAction.REQUESTED,
                method=ConsentMethod.ACCOUNT
                if (channel == Channel.EMAIL and account_ok)
                else ConsentMethod.FORM,
                source=source,
                wording=wording,
                legal_basis=LegalBasis.CONSENT,
                ip=ip,
            )
            subscription, created = Subscription.objects.select_for_update().get_or_create(
                contact=contact,
                channel=channel,
                topic=topic,
                defaults={"status": SubscriptionStatus.PENDING},
            )
            if not created and subscription.status == SubscriptionStatus.WITHDRAWN:
                subscription.status = SubscriptionStatus.PENDING
                subscription.legal_basis = LegalBasis.CONSENT
                subscription.save(update_fields=["status", "legal_basis", "updated_at"])
        if channel == Channel.EMAIL and account_ok:
            if contact.user_id is None and not Contact.objects.filter(user=user).exists():
                contact.user = user
                contact.save(update_fields=["user", "updated_at"])
            _activate(
                contact,
                channel=channel,
                topics=topics,
                method=ConsentMethod.ACCOUNT,
                ip=ip,
                source=source,
                wording=wording,
            )
            result.active_at_once = True
        elif channel == Channel.EMAIL:
            topic_ids = [topic.pk for topic in topics]
            contact_pk = contact.pk
            transaction.on_commit(
                lambda pk=contact_pk, ids=topic_ids: confirmation_email_send(
                    contact_pk=pk, email=email, topic_ids=ids
                )
            )
            result.email_sent = True
        else:
            code = f"{secrets.randbelow(1_000_000):06d}"
            result.sms_challenge = {
                "contact": contact.pk,
                "hash": _sms_code_hash(contact.pk, code),
                "expires": (timezone.now() + SMS_CODE_TTL).timestamp(),
                "tries": 0,
                "topics": [topic.pk for topic in topics],
            }
            text = render_to_string("newsletter/email/confirm_sms.txt", {"code": code}).strip()
            key = f"newsletter-sms-code:{contact.pk}:{secrets.token_hex(8)}"
            transaction.on_commit(
                lambda text=text, key=key: sms_code_send(
                    phone=phone, text=text, idempotency_key=key
                )
            )
    return result


@transaction.atomic
def subscription_confirm_email(token: str, *, ip: str | None = None) -> Contact:
    """Activate the pending e-mail subscriptions named by a confirmation link. Idempotent:
    a second click changes nothing and raises nothing."""
    try:
        payload = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRM_MAX_AGE.total_seconds())
    except signing.SignatureExpired:
        raise ConfirmationLinkExpired() from None
    except signing.BadSignature:
        raise ConfirmationLinkInvalid() from None
    contact = Contact.objects.select_for_update().filter(pk=payload.get("c")).first()
    if contact is None or contact.email != payload.get("e"):
        raise ConfirmationLinkInvalid()
    topics = Topic.objects.filter(pk__in=payload.get("t") or [])
    _activate(
        contact,
        channel=Channel.EMAIL,
        topics=topics,
        method=ConsentMethod.EMAIL_LINK,
        ip=ip,
        only_pending=True,
    )
    return contact


def subscription_confirm_sms(*, challenge: dict, code: str, ip: str | None = None) -> Contact:
    """Check ``code`` against the challenge of :func:`subscription_request` and activate the
    pending SMS subscriptions. Each wrong code uses one of :data:`SMS_CODE_MAX_TRIES` tries
    (``challenge["tries"]`` is updated in place: the caller stores it back). Raises
    SmsCodeExpired (too late or no try left) or SmsCodeInvalid."""
    if not challenge or challenge.get("tries", 0) >= SMS_CODE_MAX_TRIES:
        raise SmsCodeExpired()
    if timezone.now().timestamp() > challenge.get("expires", 0):
        raise SmsCodeExpired()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    expected = challenge.get("hash", "")
    if not hmac.compare_digest(_sms_code_hash(challenge["contact"], code), expected):
        challenge["tries"] = challenge.get("tries", 0) + 1
        left = SMS_CODE_MAX_TRIES - challenge["tries"]
        if left <= 0:
            raise SmsCodeExpired()
        raise SmsCodeInvalid(
            _("Ce code n'est pas le bon. Il vous reste %(left)s essai(s).") % {"left": left}
        )
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=challenge["contact"]).first()
        if contact is None:
            raise SmsCodeExpired()
        _activate(
            contact,
            channel=Channel.SMS,
            topics=Topic.objects.filter(pk__in=challenge.get("topics") or []),
            method=ConsentMethod.SMS_CODE,
            ip=ip,
            only_pending=True,
        )
    challenge["tries"] = SMS_CODE_MAX_TRIES  # a code is used once
    return contact


# --- Withdrawing ---------------------------------------------------------------------------


@transaction.atomic
def subscription_withdraw(
    *,
    contact: Contact,
    channel: str,
    topic: Topic | None = None,
    method: str,
    ip: str | None = None,
    actor=None,
    source: str = "",
) -> int:
    """Withdraw the contact's active or pending subscriptions on ``channel`` (one topic, or
    all when ``topic`` is None). Idempotent; returns how many changed."""
    subscriptions = (
        Subscription.objects.select_for_update()
        .filter(contact=contact, channel=channel)
        .exclude(status=SubscriptionStatus.WITHDRAWN)
    )
    if topic is not None:
        subscriptions = subscriptions.filter(topic=topic)
    changed = 0
    for subscription in subscriptions.select_related("topic"):
        subscription.status = SubscriptionStatus.WITHDRAWN
        subscription.save(update_fields=["status", "updated_at"])
        _event(
            contact,
            channel=channel,
            topic=subscription.topic,
            action=ConsentAction.WITHDRAWN,
            method=method,
            ip=ip,
            actor=actor,
            source=source,
        )
        changed += 1
    if changed and getattr(actor, "is_authenticated", False):
        audit_log_record(
            actor=actor,
            action="newsletter.subscription_withdrawn",
            obj=contact,
            data={"channel": channel, "topic": topic.slug if topic else None, "count": changed},
            ip=ip,
        )
    return changed


@transaction.atomic
def unsubscribe_one_click(*, token: str, channel: str, ip: str | None = None) -> Contact:
    """RFC 8058 one-click unsubscribe: withdraw every subscription of ``channel``.

    Needs only the contact's secret token; idempotent (a second POST changes nothing)."""
    if channel not in Channel.values:
        raise UnsubscribeLinkInvalid()
    contact = Contact.objects.filter(token=token).first()
    if contact is None:
        raise UnsubscribeLinkInvalid()
    subscription_withdraw(contact=contact, channel=channel, method=ConsentMethod.ONE_CLICK, ip=ip)
    return contact


@transaction.atomic
def contact_stop_channel(
    *,
    contact: Contact,
    channel: str,
    method: str,
    state: str | None = None,
    source: str = "",
    ip: str | None = None,
    actor=None,
) -> bool:
    """Stop every message on ``channel`` to ``contact`` (STOP by SMS, hard bounce,
    complaint, agent): the channel state leaves ``ok`` and its subscriptions are withdrawn.

    ``state`` defaults to BOUNCED for method BOUNCE, STOPPED otherwise. Idempotent: returns
    False, adding nothing, when the channel was already in that state."""
    if state is None:
        state = ChannelState.BOUNCED if method == ConsentMethod.BOUNCE else ChannelState.STOPPED
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    state_field = _state_field(channel)
    if getattr(contact, state_field) == state:
        return False
    setattr(contact, state_field, state)
    contact.save(update_fields=[state_field, "updated_at"])
    _event(
        contact,
        channel=channel,
        topic=None,
        action=ConsentAction.STOPPED,
        method=method,
        source=source,
        ip=ip,
        actor=actor,
    )
    subscription_withdraw(contact=contact, channel=channel, method=method, ip=ip, source=source)
    if getattr(actor, "is_authenticated", False):
        audit_log_record(
            actor=actor,
            action="newsletter.channel_stopped",
            obj=contact,
            data={"channel": channel, "state": state},
            ip=ip,
        )
    return True


# --- Preference centre ---------------------------------------------------------------------


def channel_confirmed(contact: Contact, channel: str) -> bool:
    """True when the contact has once proved this address (confirmed or imported)."""
    return (
        getattr(contact, _state_field(channel)) == ChannelState.OK
        and bool(contact.email if channel == Channel.EMAIL else contact.phone)
        and contact.consent_events.filter(
            channel=channel, action__in=[ConsentAction.CONFIRMED, ConsentAction.IMPORTED]
        ).exists()
    )


@transaction.atomic
def preferences_update(
    *, contact: Contact, channel: str, topics: Iterable[Topic], wording: str, ip: str | None = None
) -> None:
    """Set the topics of ``channel`` to exactly ``topics`` from the preference centre.

    Unticked topics are withdrawn. Ticked ones become active only on an address the
    contact has already proved (the link came in a message sent to it)."""
    wanted = {topic.pk: topic for topic in topics}
    current = Subscription.objects.filter(
        contact=contact, channel=channel, status=SubscriptionStatus.ACTIVE
    ).select_related("topic")
    for subscription in current:
        if subscription.topic_id not in wanted:
            subscription_withdraw(
                contact=contact,
                channel=channel,
                topic=subscription.topic,
                method=ConsentMethod.PREFERENCES,
                ip=ip,
            )
    if wanted and channel_confirmed(contact, channel):
        _activate(
            contact,
            channel=channel,
            topics=wanted.values(),
            method=ConsentMethod.PREFERENCES,
            ip=ip,
            wording=wording,
        )


# --- Accounts ------------------------------------------------------------------------------


def contact_for_user(user) -> Contact | None:
    """The contact of a signed-in resident: the one linked to the account, else the one
    with the account's address when that address is verified. Reads only."""
    from parvis.accounts.registration import is_email_verified

    if not getattr(user, "is_authenticated", False):
        return None
    contact = Contact.objects.filter(user=user).first()
    if contact is None and is_email_verified(user):
        contact = Contact.objects.filter(email=user.email.strip().lower()).first()
    return contact


def contacts_for_user(user) -> list[Contact]:
    """Every contact of a resident: :func:`contact_for_user` and the phone-only contacts
    linked to the account."""
    contact = contact_for_user(user)
    found = [contact] if contact else []
    if getattr(user, "is_authenticated", False):
        found += [c for c in Contact.objects.filter(user=user) if c not in found]
    return found


def space_summary(request) -> dict:
    """Context of the « Mes abonnements » section of the personal space (2 queries)."""
    contact = contact_for_user(request.user)
    if contact is None:
        return {"contact": None}
    active = list(
        contact.subscriptions.filter(status=SubscriptionStatus.ACTIVE)
        .select_related("topic")
        .order_by("topic__position", "topic__name", "channel")
    )
    return {"contact": contact, "active": active, "preferences_url": preferences_url(contact)}
