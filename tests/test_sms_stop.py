"""STOP replies through the inbound SMS webhook, and the STOP mention."""

import json

import pytest

from parvis.newsletter.models import (
    ChannelState,
    ConsentEvent,
    Contact,
    Subscription,
    SubscriptionStatus,
    Topic,
)
from parvis.newsletter.sms.encoding import segments
from parvis.newsletter.sms.stop import is_stop_request, stop_mention

MOBILE = "+33639980021"
URL = "/lettre/sms/entrant/{}/"


@pytest.fixture
def secret(settings):
    settings.PARVIS_SMS_INBOUND_SECRET = "s3cret-inbound"
    return "s3cret-inbound"


@pytest.fixture
def contact(db):
    contact = Contact.objects.create(
        phone=MOBILE, email="lea.fictive@example.org", first_name="Léa"
    )
    for slug in ("alertes", "voirie"):
        topic = Topic.objects.create(name=slug.title(), slug=slug)
        for channel in ("sms", "email"):
            Subscription.objects.create(
                contact=contact, channel=channel, topic=topic, status=SubscriptionStatus.ACTIVE
            )
    return contact


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", " Stop ", "STOP.", "Stop SMS", "S T O P", "Arrêt", "ARRET", "stop merci"],
)
def test_stop_requests_are_recognised(text):
    assert is_stop_request(text)


@pytest.mark.parametrize(
    "text", ["", "Merci pour l'info", "Je ne veux pas que ça s'arrête", "Stopper les travaux ?"]
)
def test_other_replies_are_not_stop(text):
    assert not is_stop_request(text)


def post_generic(client, payload, token="s3cret-inbound"):
    return client.post(
        URL.format("generic") + f"?token={token}",
        data=json.dumps(payload),
        content_type="application/json",
    )


def test_stop_by_sms_stops_the_sms_channel_only(client, secret, contact):
    response = post_generic(client, {"from": MOBILE, "text": "Stop"})
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.sms_state == ChannelState.STOPPED
    assert contact.email_state == ChannelState.OK
    assert not contact.subscriptions.filter(channel="sms", status="active").exists()
    assert contact.subscriptions.filter(channel="email", status="active").count() == 2
    event = ConsentEvent.objects.get(contact=contact, method="sms_stop", action="stopped")
    assert event.channel == "sms"


def test_stop_from_a_national_number_and_twice_records_once(client, secret, contact):
    assert post_generic(client, {"from": "0639980021", "text": "ARRÊT"}).status_code == 200
    contact.refresh_from_db()
    assert contact.sms_state == ChannelState.STOPPED
    events = ConsentEvent.objects.filter(contact=contact).count()
    assert post_generic(client, {"from": "33639980021", "text": "STOP"}).status_code == 200
    assert ConsentEvent.objects.filter(contact=contact).count() == events
    assert ConsentEvent.objects.filter(contact=contact, action="stopped").count() == 1


def test_other_reply_changes_nothing(client, secret, contact):
    assert post_generic(client, {"from": MOBILE, "text": "Merci !"}).status_code == 200
    contact.refresh_from_db()
    assert contact.sms_state == ChannelState.OK
    assert not ConsentEvent.objects.exists()


def test_stop_from_an_unknown_number_answers_ok(client, secret, contact):
    response = post_generic(client, {"from": "+33639980099", "text": "STOP"})
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.sms_state == ChannelState.OK


def test_wrong_or_missing_secret_is_refused(client, secret, contact):
    assert post_generic(client, {"from": MOBILE, "text": "STOP"}, token="bad").status_code == 403
    response = client.post(
        URL.format("generic"),
        data=json.dumps({"from": MOBILE, "text": "STOP"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.sms_state == ChannelState.OK


def test_secret_in_a_header_is_accepted(client, secret, contact):
    response = client.post(
        URL.format("generic"),
        data=json.dumps({"from": MOBILE, "text": "STOP"}),
        content_type="application/json",
        headers={"X-Parvis-Token": secret},
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.sms_state == ChannelState.STOPPED


def test_without_a_configured_secret_the_webhook_does_not_exist(client, settings, contact):
    settings.PARVIS_SMS_INBOUND_SECRET = ""
    response = client.post(URL.format("generic") + "?token=", {"from": MOBILE, "text": "STOP"})
    assert response.status_code == 404
    assert client.post(URL.format("unknown") + "?token=x").status_code == 404


def test_unreadable_request_is_a_400(client, secret, contact):
    assert post_generic(client, {"text": "STOP"}).status_code == 400
    response = client.post(
        URL.format("generic") + f"?token={secret}", data="{", content_type="application/json"
    )
    assert response.status_code == 400


def test_ovh_callback_with_query_parameters(client, secret, contact):
    response = client.get(
        URL.format("ovh"), {"token": secret, "senderid": "0033639980021", "message": "stop"}
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.sms_state == ChannelState.STOPPED


def test_stop_mention(settings):
    settings.PARVIS_SMS_STOP_NUMBER = ""
    assert stop_mention() == "Répondez STOP pour ne plus recevoir ces SMS"
    assert segments(stop_mention()).encoding == "GSM-7"
    settings.PARVIS_SMS_STOP_NUMBER = "36111"
    assert stop_mention() == "STOP au 36111"
