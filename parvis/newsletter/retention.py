"""RGPD for the newsletters: contacts and their consent ledger.

- export: one person's contacts (by e-mail, plus the contact linked to the account that
  has this e-mail, which may be phone-only), their subscriptions and whole ledger;
- erase: the contacts are deleted with their subscriptions and ledger; deliveries keep
  no address (the address is blanked);
- retention: a contact with no active subscription for 3 years is deleted; a request never
  confirmed is deleted after 30 days (with its contact if nothing else is left).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from parvis.core import retention

from .models import Contact, Delivery, Subscription, SubscriptionStatus

RETENTION_DAYS = 3 * 365
PENDING_DAYS = 30


def _contacts_of(email: str):
    email = (email or "").strip().lower()
    return Contact.objects.filter(Q(email__iexact=email) | Q(user__email__iexact=email))


def export(email: str) -> list[dict]:
    rows = []
    for contact in _contacts_of(email).prefetch_related("subscriptions__topic"):
        rows.append(
            {
                "type": "contact",
                "email": contact.email or "",
                "mobile": contact.phone or "",
                "prenom": contact.first_name,
                "nom": contact.last_name,
                "voie": contact.street,
                "etat_email": contact.get_email_state_display(),
                "etat_sms": contact.get_sms_state_display(),
                "origine": contact.source,
                "cree_le": contact.created_at.isoformat(),
            }
        )
        for subscription in contact.subscriptions.all():
            rows.append(
                {
                    "type": "abonnement",
                    "canal": subscription.get_channel_display(),
                    "theme": subscription.topic.name,
                    "etat": subscription.get_status_display(),
                    "base_legale": subscription.get_legal_basis_display(),
                    "confirme_le": subscription.confirmed_at.isoformat()
                    if subscription.confirmed_at
                    else "",
                }
            )
        for event in contact.consent_events.select_related("topic").order_by("at", "pk"):
            rows.append(
                {
                    "type": "consentement",
                    "date": event.at.isoformat(),
                    "canal": event.get_channel_display(),
                    "theme": event.topic.name if event.topic else "",
                    "action": event.get_action_display(),
                    "moyen": event.get_method_display(),
                    "origine": event.source,
                    "texte_presente": event.wording,
                    "base_legale": event.get_legal_basis_display() if event.legal_basis else "",
                    "adresse_ip": event.ip_address or "",
                }
            )
    return rows


def _delete_contacts(contacts) -> int:
    ids = list(contacts.values_list("pk", flat=True))
    if not ids:
        return 0
    Delivery.objects.filter(contact_id__in=ids).update(address="", contact=None)
    Contact.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def erase(email: str) -> int:
    """Delete the person's contacts, subscriptions and ledger; blank their deliveries."""
    return _delete_contacts(_contacts_of(email))


@transaction.atomic
def purge() -> int:
    now = timezone.now()
    count, _details = Subscription.objects.filter(
        status=SubscriptionStatus.PENDING, updated_at__lt=now - dt.timedelta(days=PENDING_DAYS)
    ).delete()
    # Contacts left with nothing active: deleted once their last change is old enough
    # (30 days for never-confirmed requests, 3 years otherwise).
    inactive = Contact.objects.exclude(subscriptions__status=SubscriptionStatus.ACTIVE).annotate(
        last_event=Max("consent_events__at")
    )
    never_active = inactive.exclude(consent_events__action__in=["confirmed", "imported"]).filter(
        updated_at__lt=now - dt.timedelta(days=PENDING_DAYS)
    )
    count += _delete_contacts(never_active)
    stale = inactive.filter(
        Q(last_event__lt=now - dt.timedelta(days=RETENTION_DAYS)) | Q(last_event__isnull=True),
        updated_at__lt=now - dt.timedelta(days=RETENTION_DAYS),
    )
    count += _delete_contacts(stale)
    return count


retention.register(
    retention.PersonalDataSource(
        name="newsletter",
        description="Contacts des lettres d'information et SMS, et registre des consentements",
        retention_days=RETENTION_DAYS,
        purge=purge,
        export=export,
        erase=erase,
    )
)
