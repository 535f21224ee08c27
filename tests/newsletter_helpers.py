"""Shared builders of the newsletter campaign/audience/alert tests."""

from django.utils import timezone

from parvis.newsletter.models import (
    Channel,
    Contact,
    Neighbourhood,
    Subscription,
    SubscriptionStatus,
    Topic,
)


def topic(slug, *, alert=False):
    return Topic.objects.get_or_create(
        slug=slug, defaults={"name": slug.title(), "is_alert": alert}
    )[0]


def neighbourhood(slug, streets=""):
    return Neighbourhood.objects.create(name=slug.title(), slug=slug, streets=streets)


def contact(n, *, email=True, phone=False, subs=(), status=SubscriptionStatus.ACTIVE, **fields):
    person = Contact.objects.create(
        email=f"habitant{n}@example.org" if email else None,
        phone=f"+3363998{n:04d}" if phone else None,
        first_name=f"Habitant{n}",
        **fields,
    )
    for channel, subject in subs:
        Subscription.objects.create(
            contact=person,
            channel=channel,
            topic=subject,
            status=status,
            confirmed_at=timezone.now() if status == SubscriptionStatus.ACTIVE else None,
        )
    return person


EMAIL, SMS = Channel.EMAIL, Channel.SMS
