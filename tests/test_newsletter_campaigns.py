import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from parvis.core.models import AuditLogEntry
from parvis.newsletter.models import Campaign, CampaignStatus, Delivery, SmsQuotaMonth
from parvis.newsletter.services import campaigns as services
from parvis.newsletter.services.campaigns import CampaignError

from . import factories
from .conftest import verified_login
from .newsletter_helpers import EMAIL, SMS, contact, topic

pytestmark = pytest.mark.django_db
BODY = [{"type": "text", "text": "Bonjour à tous"}]


@pytest.fixture
def elu(db):
    return factories.make_user("elu@example.org", groups=["Élus"])


def _draft(author, channel=EMAIL, n=3, **kwargs):
    news = topic("actualites")
    for i in range(n):
        contact(i, phone=True, subs=[(channel, news)])
    fields = {"subject": "Fête du village", "body": BODY} if channel == EMAIL else {}
    fields.update(kwargs)
    return services.campaign_create(
        actor=author, channel=channel, title="Fête", topics=[news], **fields
    )


def test_life_cycle_email_with_audit(redacteur, elu):
    campaign = _draft(redacteur)
    services.campaign_submit(actor=redacteur, campaign=campaign)
    with pytest.raises(CampaignError):
        services.campaign_approve(actor=redacteur, campaign=campaign)
    services.campaign_approve(actor=elu, campaign=campaign)
    campaign = services.campaign_send_now(actor=elu, campaign=campaign)
    assert campaign.status == CampaignStatus.SENDING
    assert Delivery.objects.filter(campaign=campaign).count() == 3
    actions = list(
        AuditLogEntry.objects.filter(object_id=str(campaign.pk), action__startswith="campaign.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["campaign.create", "campaign.submit", "campaign.approve", "campaign.send"]
    with pytest.raises(CampaignError):
        services.campaign_cancel(actor=elu, campaign=campaign)


def test_author_cannot_approve_own_campaign_unless_superuser(communication):
    campaign = _draft(communication)
    services.campaign_submit(actor=communication, campaign=campaign)
    with pytest.raises(CampaignError, match="une autre personne"):
        services.campaign_approve(actor=communication, campaign=campaign)
    admin = factories.make_user("admin@example.org", superuser=True)
    own = _draft(admin, n=0)
    services.campaign_submit(actor=admin, campaign=own)
    assert services.campaign_approve(actor=admin, campaign=own).status == "approved"


def test_draft_only_edit_and_empty_audience_refused(redacteur):
    campaign = services.campaign_create(
        actor=redacteur, channel=EMAIL, title="Vide", subject="Objet", body=BODY
    )
    with pytest.raises(CampaignError, match="Aucun destinataire"):
        services.campaign_submit(actor=redacteur, campaign=campaign)
    campaign = _draft(redacteur)
    services.campaign_submit(actor=redacteur, campaign=campaign)
    with pytest.raises(CampaignError, match="brouillon"):
        services.campaign_update(actor=redacteur, campaign=campaign, title="Autre")
    assert Campaign.objects.get(pk=campaign.pk).title == "Fête"


def test_sms_over_quota_refused_with_numbers(redacteur, elu, settings):
    campaign = _draft(redacteur, SMS, n=4, sms_text="Marché de Noël samedi place de la mairie.")
    month = timezone.localdate().replace(day=1)
    SmsQuotaMonth.objects.create(month=month, limit=500, used=497)
    with pytest.raises(CampaignError) as error:
        services.campaign_submit(actor=redacteur, campaign=campaign)
    message = str(error.value.message)
    assert "4 destinataires" in message and "il reste 3" in message and "497" in message
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


def test_sms_too_long_refused(redacteur, settings):
    settings.PARVIS_SMS_MAX_SEGMENTS = 1
    with pytest.raises(CampaignError) as error:
        _draft(redacteur, SMS, sms_text="Réunion publique " * 12)
    assert error.value.field == "sms_text" and "segments" in str(error.value.message)
    assert not Campaign.objects.exists()


def test_test_send_only_to_self(communication):
    campaign = _draft(communication)
    with pytest.raises(CampaignError, match="propre adresse"):
        services.campaign_test_send(actor=communication, campaign=campaign, to="x@example.org")
    assert services.campaign_test_send(actor=communication, campaign=campaign) == "com@example.org"
    delivery = Delivery.objects.get(campaign__isnull=True)
    assert delivery.address == "com@example.org" and delivery.subject.startswith("[TEST]")


def test_scheduled_campaign_sent_by_command(redacteur, elu):
    campaign = _draft(redacteur)
    services.campaign_submit(actor=redacteur, campaign=campaign)
    services.campaign_approve(actor=elu, campaign=campaign)
    with pytest.raises(CampaignError):
        services.campaign_schedule(
            actor=elu, campaign=campaign, at=timezone.now() - dt.timedelta(minutes=1)
        )
    at = timezone.now() + dt.timedelta(hours=1)
    services.campaign_schedule(actor=elu, campaign=campaign, at=at)
    call_command("send_scheduled_campaigns")
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.SCHEDULED
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())
    call_command("send_scheduled_campaigns")
    assert Campaign.objects.get(pk=campaign.pk).status in ("sending", "sent")
    assert Delivery.objects.filter(campaign=campaign).count() == 3


# --- admin ------------------------------------------------------------------------------


def test_composer_renders_and_creates_draft(client, communication):
    verified_login(client, communication)
    news = topic("actualites")
    response = client.get("/admin/diffusion/campagnes/new/")
    assert response.status_code == 200
    assert b"newsletter-composer.js" in response.content
    response = client.post(
        "/admin/diffusion/campagnes/new/",
        {"channel": "email", "title": "Lettre", "subject": "", "topics": [news.pk]},
    )
    assert response.status_code == 200 and "Indiquez l&#x27;objet" in response.content.decode()
    assert not Campaign.objects.exists()
    response = client.post(
        "/admin/diffusion/campagnes/new/",
        {
            "channel": "email",
            "title": "Lettre",
            "subject": "Les nouvelles",
            "topics": [news.pk],
            "intro": "Bonjour",
            "button_label": "Agenda",
            "button_url": "https://example.org/agenda/",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.body == [
        {"type": "text", "text": "Bonjour"},
        {"type": "button", "label": "Agenda", "url": "https://example.org/agenda/"},
    ]
    response = client.get(f"/admin/diffusion/campagnes/inspect/{campaign.pk}/")
    assert response.status_code == 200 and "Soumettre à approbation" in response.content.decode()


def test_count_preview_and_progress_endpoints(client, communication, redacteur, elu):
    verified_login(client, communication)
    news = topic("actualites")
    for i in range(2):
        contact(100 + i, phone=True, subs=[(SMS, news)])
    data = client.get(
        "/admin/diffusion/campagnes/destinataires/",
        {"channel": "sms", "topics": [news.pk], "sms_text": "Bonjour 😀"},
    ).json()
    assert data["recipients"] == 2 and data["sms"]["encoding"] == "UCS-2"
    campaign = _draft(redacteur)
    preview = client.get(f"/admin/diffusion/campagnes/{campaign.pk}/apercu/")
    assert preview.status_code == 200 and "Bonjour à tous" in preview.content.decode()
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    services.campaign_submit(actor=redacteur, campaign=campaign)
    services.campaign_approve(actor=elu, campaign=campaign)
    services.campaign_send_now(actor=elu, campaign=campaign)
    progress = client.get(f"/admin/diffusion/campagnes/{campaign.pk}/progression/").json()
    assert progress["stats"]["total"] == 3


def test_permissions_per_group(client, redacteur, elu):
    campaign = _draft(redacteur)
    verified_login(client, redacteur)
    assert client.get("/admin/diffusion/campagnes/new/").status_code == 200
    client.post(f"/admin/diffusion/campagnes/{campaign.pk}/soumettre/")
    assert Campaign.objects.get(pk=campaign.pk).status == "submitted"
    client.post(f"/admin/diffusion/campagnes/{campaign.pk}/approuver/")
    assert Campaign.objects.get(pk=campaign.pk).status == "submitted"
    assert client.get("/admin/diffusion/alerte/").status_code in (302, 403)
    client.logout()
    verified_login(client, elu)
    assert client.get("/admin/diffusion/campagnes/new/").status_code in (302, 403)
    client.post(f"/admin/diffusion/campagnes/{campaign.pk}/approuver/")
    assert Campaign.objects.get(pk=campaign.pk).status == "approved"
    accueil = factories.make_user("accueil@example.org", groups=["Accueil"])
    client.logout()
    verified_login(client, accueil)
    assert client.get("/admin/diffusion/contacts/").status_code == 200
    assert client.get("/admin/diffusion/campagnes/").status_code in (302, 403)
