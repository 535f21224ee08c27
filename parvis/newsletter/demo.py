"""Demo content of the newsletters: Gréasque's topics, fictional neighbourhoods, a few
fictional contacts with their consents, a sent campaign and a draft. Idempotent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import (
    Campaign,
    CampaignStatus,
    Channel,
    ConsentAction,
    ConsentEvent,
    ConsentMethod,
    Contact,
    Neighbourhood,
    Subscription,
    SubscriptionStatus,
    Topic,
)

TOPICS = [
    ("actualites", "Actualités", False),
    ("culture-et-fetes", "Culture et fêtes", False),
    ("travaux-et-voirie", "Travaux et voirie", False),
    ("ecole-et-jeunesse", "École et jeunesse", False),
    ("alertes", "Alertes", True),
]
NEIGHBOURHOODS = [
    ("centre-village", "Centre village", "Rue de la Mairie\nPlace du Marché"),
    ("les-moulieres", "Les Moulières", "Chemin des Moulières"),
    ("le-puits", "Le Puits", "Avenue du Puits"),
    ("la-gare", "La Gare", "Avenue de la Gare"),
]
CONTACTS = [
    ("Camille", "Fictif", "camille.fictif@example.org", "+33639980101", "Rue de la Mairie"),
    ("Dominique", "Exemple", "dominique.exemple@example.org", None, "Avenue de la Gare"),
    ("Sacha", "Démo", None, "+33639980102", "Chemin des Moulières"),
]
WORDING = "J'accepte de recevoir les informations de la commune sur les thèmes choisis."


@transaction.atomic
def load_newsletter_demo() -> None:
    topics = {}
    for position, (slug, name, alert) in enumerate(TOPICS):
        topics[slug], _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "is_alert": alert, "position": position}
        )
    for slug, name, streets in NEIGHBOURHOODS:
        Neighbourhood.objects.get_or_create(slug=slug, defaults={"name": name, "streets": streets})
    now = timezone.now()
    for first, last, email, phone, street in CONTACTS:
        if Contact.objects.filter(first_name=first, last_name=last).exists():
            continue
        contact = Contact.objects.create(
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            street=street,
            source="Démonstration",
        )
        channels = [c for c, address in ((Channel.EMAIL, email), (Channel.SMS, phone)) if address]
        for channel in channels:
            for slug in ("actualites", "alertes"):
                Subscription.objects.create(
                    contact=contact,
                    channel=channel,
                    topic=topics[slug],
                    status=SubscriptionStatus.ACTIVE,
                    confirmed_at=now,
                )
                for action, method in (
                    (ConsentAction.REQUESTED, ConsentMethod.FORM),
                    (
                        ConsentAction.CONFIRMED,
                        ConsentMethod.EMAIL_LINK
                        if channel == Channel.EMAIL
                        else ConsentMethod.SMS_CODE,
                    ),
                ):
                    ConsentEvent.objects.create(
                        contact=contact,
                        channel=channel,
                        topic=topics[slug],
                        action=action,
                        method=method,
                        source="Formulaire d'inscription",
                        wording=WORDING,
                    )
    if not Campaign.objects.exists():
        sent = Campaign.objects.create(
            channel=Channel.EMAIL,
            title="Lettre de septembre",
            subject="Les nouvelles de Gréasque",
            body=[{"type": "text", "text": "Bonne rentrée à toutes et à tous !"}],
            status=CampaignStatus.SENT,
            started_at=now,
            finished_at=now,
            approved_at=now,
        )
        sent.topics.set([topics["actualites"]])
        draft = Campaign.objects.create(
            channel=Channel.SMS,
            title="Rappel fête du village",
            sms_text="Fête du village samedi dès 18 h place du Marché.",
        )
        draft.topics.set([topics["culture-et-fetes"]])
