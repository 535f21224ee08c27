"""A campaign to 1,000 contacts through a real SMTP conversation (aiosmtpd), its headers,
the one-click unsubscribe of RFC 8058, and the provider's bounce webhooks."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Count

from parvis.newsletter.models import (
    Campaign,
    CampaignStatus,
    Channel,
    ChannelState,
    ConsentEvent,
    Contact,
    Delivery,
    DeliveryStatus,
    SubscriptionStatus,
)
from parvis.newsletter.services import sending

from .test_newsletter_outbox import REPO, make_audience, make_campaign, smtp_on

pytestmark = pytest.mark.django_db

SITE = "https://www.greasque.example"


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def newsletter_settings(settings):
    settings.PARVIS_SITE_URL = SITE
    settings.PARVIS_NEWSLETTER_FROM_EMAIL = "Mairie de Gréasque <lettre@greasque.example>"
    settings.PARVIS_NEWSLETTER_REPLY_TO = "communication@greasque.example"
    return settings


def test_campaign_to_1000_contacts_over_smtp(
    newsletter_settings, client, django_capture_on_commit_callbacks
):
    inbox = Inbox()
    controller = smtp_on(newsletter_settings, inbox)
    try:
        topic, contacts = make_audience(1000)
        campaign = make_campaign(
            topic,
            body=[
                {"type": "text", "heading": "Travaux", "text": "La voie sera fermée lundi."},
                {"type": "button", "label": "Voir le plan", "url": "/travaux/"},
                {"type": "script", "text": "ignored"},
            ],
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert sending.campaign_enqueue(campaign=campaign) == 1000
    finally:
        controller.stop()

    recipients = Counter(rcpt for e in inbox.envelopes for rcpt in e.rcpt_tos)
    assert len(inbox.envelopes) == 1000
    assert set(recipients) == {c.email for c in contacts}
    assert set(recipients.values()) == {1}  # each exactly once
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 1000
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT

    by_address = {c.email: c for c in contacts}
    message_ids = set()
    for envelope in inbox.envelopes[::97]:  # a sample, spread over the run
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        contact = by_address[envelope.rcpt_tos[0]]
        assert message["From"] == "Mairie de Gréasque <lettre@greasque.example>"
        assert message["Reply-To"] == "communication@greasque.example"
        assert message["Subject"] == "Travaux de l'avenue du Général"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
        assert unsubscribe.startswith("https://www.greasque.example/lettre/desinscription/")
        assert contact.token in unsubscribe and unsubscribe.endswith("/email/")
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "La voie sera fermée lundi." in text and "La voie sera fermée lundi." in html
        assert "Voir le plan : https://www.greasque.example/travaux/" in text
        assert unsubscribe in text and unsubscribe in html
        assert f"/lettre/preferences/{contact.token}/" in html
        assert "ignored" not in html
        message_ids.add(message["Message-ID"])
    assert len(message_ids) == len(inbox.envelopes[::97])

    # The one-click POST of the header's URL works with no cookie, login nor CSRF token.
    message = email.message_from_bytes(inbox.envelopes[0].content, policy=email.policy.default)
    contact = by_address[inbox.envelopes[0].rcpt_tos[0]]
    client.cookies.clear()
    response = client.post(
        urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path,
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert not contact.subscriptions.filter(
        channel=Channel.EMAIL, status=SubscriptionStatus.ACTIVE
    ).exists()
    stats = sending.campaign_stats(campaign)
    assert (stats["sent"], stats["unsubscribed_after"], stats["progress"]) == (1000, 1, 100)


def _brevo_post(client, payload, secret="brevo:s3cret"):
    return client.post(
        "/lettre/webhooks/anymail/brevo/tracking/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(secret.encode()).decode(),
    )


def _sent_campaign(django_capture_on_commit_callbacks, n=3):
    topic, contacts = make_audience(n)
    campaign = make_campaign(topic)
    with django_capture_on_commit_callbacks(execute=True):
        sending.campaign_enqueue(campaign=campaign)
    return topic, contacts, campaign


def test_hard_bounce_webhook_stops_further_sends(
    settings, client, newsletter_settings, django_capture_on_commit_callbacks
):
    topic, contacts, campaign = _sent_campaign(django_capture_on_commit_callbacks)
    bounced = Delivery.objects.get(contact=contacts[0])
    payload = {
        "event": "hard_bounce",
        "email": contacts[0].email,
        "message-id": bounced.provider_message_id,
        "reason": "550 5.1.1 user unknown",
        "ts_epoch": 1741680000000,
    }
    # With no secret configured the webhook does not exist: an unsigned "bounce" could
    # otherwise stop anybody's subscription.
    settings.ANYMAIL = {}
    assert _brevo_post(client, payload).status_code == 404
    assert Contact.objects.get(pk=contacts[0].pk).email_state == ChannelState.OK

    settings.ANYMAIL = {"WEBHOOK_SECRET": "brevo:s3cret"}
    assert _brevo_post(client, payload, secret="brevo:wrong").status_code == 400
    assert _brevo_post(client, payload).status_code == 200
    assert _brevo_post(client, payload).status_code == 200  # posted twice: no harm
    bounced.refresh_from_db()
    assert bounced.status == DeliveryStatus.BOUNCED
    contact = Contact.objects.get(pk=contacts[0].pk)
    assert contact.email_state == ChannelState.BOUNCED
    assert ConsentEvent.objects.filter(contact=contact, method="bounce").count() >= 1
    assert sending.campaign_stats(campaign)["bounced"] == 1

    # A soft bounce changes nothing; a complaint stops the address too.
    soft = {**payload, "event": "soft_bounce", "email": contacts[1].email, "message-id": "<x>"}
    assert _brevo_post(client, soft).status_code == 200
    assert Contact.objects.get(pk=contacts[1].pk).email_state == ChannelState.OK
    spam = {**payload, "event": "spam", "email": contacts[2].email, "message-id": ""}
    assert _brevo_post(client, spam).status_code == 200
    assert Contact.objects.get(pk=contacts[2].pk).email_state == ChannelState.COMPLAINED

    # The next campaign goes only to the address that still works.
    from django.core import mail

    mail.outbox.clear()
    second = make_campaign(topic, title="Suite des travaux")
    with django_capture_on_commit_callbacks(execute=True):
        sending.campaign_enqueue(campaign=second)
    assert [m.to for m in mail.outbox] == [[contacts[1].email]]
    assert Campaign.objects.get(pk=second.pk).status == CampaignStatus.SENT


# --- crash and restart (transactional: last, see pytest-django's ordering) -----------------


class KillingInbox:
    """An SMTP server that kills the worker process after it accepted ``kill_after``
    messages: the last one is in the server but the worker never saw the answer."""

    def __init__(self, kill_after: int):
        self.kill_after = kill_after
        self.pid = None
        self.envelopes = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
            if self.pid and len(self.envelopes) == self.kill_after:
                os.kill(self.pid, signal.SIGKILL)
        return "250 Message accepted"


def _worker_env(port: int) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "tests.newsletter_worker_settings"
    env["PARVIS_TEST_SMTP_PORT"] = str(port)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = db["NAME"]
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_campaign_restarts_and_sends_each_once(settings):
    # The worker subprocess sends, not the task run on commit in this process.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    topic, contacts = make_audience(120)
    campaign = make_campaign(topic)
    assert sending.campaign_enqueue(campaign=campaign) == 120
    assert not mail.outbox

    inbox = KillingInbox(kill_after=47)
    controller = smtp_on(settings, inbox)
    try:
        command = [sys.executable, "manage.py", "send_outbox", "--batch", "20"]
        worker = subprocess.Popen(command, cwd=REPO, env=_worker_env(controller.port))
        inbox.pid = worker.pid
        assert worker.wait(timeout=120) == -signal.SIGKILL
        assert len(inbox.envelopes) == 47
        sent_before = set(
            Delivery.objects.filter(status=DeliveryStatus.SENT).values_list("pk", flat=True)
        )
        assert len(sent_before) == 46  # the 47th was accepted but never marked
        assert Delivery.objects.filter(status=DeliveryStatus.SENDING).exists()

        restart = subprocess.run(
            [*command, "--stale-after", "0"],
            cwd=REPO,
            env=_worker_env(controller.port),
            timeout=120,
            capture_output=True,
        )
        assert restart.returncode == 0, restart.stderr.decode()[-2000:]
    finally:
        controller.stop()
    received = [e.rcpt_tos[0] for e in inbox.envelopes]
    assert len(received) == len(set(received)) == 120  # everyone, once
    assert set(received) == {c.email for c in contacts}
    ids = [e.content.split(b"Message-ID: ")[1].split(b"\r\n")[0] for e in inbox.envelopes]
    assert len(set(ids)) == 120
    statuses = dict(
        Delivery.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    assert statuses == {DeliveryStatus.SENT: 119, DeliveryStatus.FAILED: 1}
    uncertain = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert uncertain.address == received[46]
    assert not Delivery.objects.filter(pk__in=sent_before).exclude(status=DeliveryStatus.SENT)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
