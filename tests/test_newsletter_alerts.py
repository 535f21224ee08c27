import pytest
from django.utils import timezone

from parvis.core.models import Alert, AuditLogEntry
from parvis.newsletter.models import Campaign, Delivery, SmsQuotaMonth
from parvis.newsletter.services.alerts import AlertSmsRefused, alert_publish

from .conftest import verified_login
from .newsletter_helpers import EMAIL, SMS, contact, neighbourhood, topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribers(db):
    alerts, news = topic("alertes", alert=True), topic("actualites")
    gare = neighbourhood("gare", "Avenue de la Gare")
    contact(1, phone=True, subs=[(EMAIL, alerts), (SMS, alerts)], street="Avenue de la Gare")
    contact(2, phone=True, subs=[(EMAIL, alerts), (SMS, alerts)])
    contact(3, phone=True, subs=[(EMAIL, news), (SMS, news)], street="Avenue de la Gare")
    return gare


def test_banner_email_and_urgent_sms(communication, subscribers):
    result = alert_publish(
        actor=communication, title="Risque incendie", message="Massif fermé aujourd'hui."
    )
    assert Alert.objects.current().first() == result.alert
    assert result.email_campaign.channel == EMAIL and result.sms_campaign.channel == SMS
    for campaign in (result.email_campaign, result.sms_campaign):
        assert campaign.is_alert and campaign.ignore_quiet_hours
        deliveries = Delivery.objects.filter(campaign=campaign)
        assert deliveries.count() == 2 and all(d.urgent for d in deliveries)
    assert AuditLogEntry.objects.filter(action="alert.publish").count() == 1


def test_neighbourhood_targeting(communication, subscribers):
    result = alert_publish(
        actor=communication,
        title="Coupure d'eau",
        message="Avenue de la Gare, 9 h – 12 h.",
        neighbourhoods=[subscribers],
    )
    addresses = set(
        Delivery.objects.filter(campaign=result.sms_campaign).values_list("address", flat=True)
    )
    assert addresses == {"+33639980001"}


def test_over_quota_refused_then_banner_and_email_only(communication, subscribers):
    SmsQuotaMonth.objects.create(month=timezone.localdate().replace(day=1), limit=500, used=499)
    with pytest.raises(AlertSmsRefused) as error:
        alert_publish(actor=communication, title="Tempête", message="Restez chez vous.")
    assert "il reste 1" in str(error.value.message)
    assert not Alert.objects.exists() and not Campaign.objects.exists()
    result = alert_publish(
        actor=communication,
        title="Tempête",
        message="Restez chez vous.",
        without_sms_if_refused=True,
    )
    assert result.sms_campaign is None and result.email_campaign is not None
    assert result.sms_left_out and Alert.objects.count() == 1
    assert SmsQuotaMonth.objects.get().used == 499


def test_admin_view_tells_before_publishing(client, communication, subscribers):
    SmsQuotaMonth.objects.create(month=timezone.localdate().replace(day=1), limit=500, used=499)
    verified_login(client, communication)
    data = {
        "title": "Orage",
        "message": "Vigilance orange.",
        "level": 3,
        "send_email": "on",
        "send_sms": "on",
    }
    response = client.post("/admin/diffusion/alerte/", {**data, "check": "1"})
    assert "2 par SMS" in response.content.decode() and not Alert.objects.exists()
    response = client.post("/admin/diffusion/alerte/", {**data, "publish": "1"})
    assert "il reste 1" in response.content.decode() and not Alert.objects.exists()
    response = client.post(
        "/admin/diffusion/alerte/", {**data, "publish": "1", "without_sms": "on"}
    )
    assert response.status_code == 302 and Alert.objects.count() == 1
