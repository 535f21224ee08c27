"""The outbox engine: enqueue once, claim, send, retry with back-off, quota, quiet hours,
consent checked at send time, crash and restart without sending anything twice."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from parvis.newsletter import sms as sms_package
from parvis.newsletter.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Contact,
    Delivery,
    DeliveryStatus,
    SmsQuotaMonth,
    Subscription,
    SubscriptionStatus,
    Topic,
)
from parvis.newsletter.services import sending

PARIS = ZoneInfo("Europe/Paris")
REPO = Path(__file__).resolve().parent.parent
# A Tuesday at 10:00 in Paris: outside the SMS quiet hours.
WEEKDAY_MORNING = dt.datetime(2025, 3, 11, 10, 0, tzinfo=PARIS)


def make_audience(
    n: int, *, channel: str = Channel.EMAIL, topic: Topic | None = None, first: int = 0
):
    """``n`` contacts with an active subscription to ``topic`` on ``channel``."""
    topic = (
        topic or Topic.objects.get_or_create(slug="actualites", defaults={"name": "Actualités"})[0]
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                email=f"habitant{i}@example.org" if channel == Channel.EMAIL else None,
                phone=f"+3363998{i:04d}" if channel == Channel.SMS else None,
                first_name=f"Prénom{i}",
                token=f"tok-{channel}-{i}-{topic.slug}",
            )
            for i in range(first, first + n)
        ]
    )
    contacts = list(Contact.objects.filter(pk__in=[c.pk for c in contacts]).order_by("pk"))
    Subscription.objects.bulk_create(
        [
            Subscription(
                contact=c,
                channel=channel,
                topic=topic,
                status=SubscriptionStatus.ACTIVE,
                confirmed_at=timezone.now(),
            )
            for c in contacts
        ]
    )
    return topic, contacts


def make_campaign(topic: Topic, *, channel: str = Channel.EMAIL, **fields) -> Campaign:
    defaults = {
        "title": "Travaux avenue",
        "subject": "Travaux de l'avenue du Général",
        "body": [
            {"type": "text", "text": "La voie sera fermée lundi.\n\nMerci de votre patience."}
        ],
        "sms_text": "Coupure d'eau lundi de 8h à 12h, quartier du Centre.",
        "status": CampaignStatus.APPROVED,
    }
    defaults.update(fields)
    campaign = Campaign.objects.create(channel=channel, **defaults)
    campaign.topics.add(topic)
    return campaign


@pytest.fixture
def sms_outbox():
    sms_package.outbox.clear()
    sms_package.scripted_results.clear()
    yield sms_package.outbox
    sms_package.outbox.clear()
    sms_package.scripted_results.clear()


# --- enqueue ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enqueue_twice_creates_one_delivery_per_recipient(django_capture_on_commit_callbacks):
    topic, contacts = make_audience(30)
    campaign = make_campaign(topic)
    with django_capture_on_commit_callbacks(execute=False):
        assert sending.campaign_enqueue(campaign=campaign) == 30
        assert sending.campaign_enqueue(campaign=campaign) == 0
    assert Delivery.objects.filter(campaign=campaign).count() == 30
    assert set(Delivery.objects.values_list("address", flat=True)) == {c.email for c in contacts}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    assert campaign.started_at is not None


@pytest.mark.django_db
def test_campaign_sent_once_to_each_then_marked_sent(django_capture_on_commit_callbacks):
    topic, contacts = make_audience(25)
    campaign = make_campaign(topic)
    with django_capture_on_commit_callbacks(execute=True):  # the worker task runs on commit
        sending.campaign_enqueue(campaign=campaign)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in contacts)
    assert all(m.subject == "Travaux de l'avenue du Général" for m in mail.outbox)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 25
    assert Delivery.objects.exclude(provider_message_id__startswith="<parvis.d").count() == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT and campaign.finished_at is not None
    stats = sending.campaign_stats(campaign)
    assert (stats["sent"], stats["total"], stats["progress"]) == (25, 25, 100)

    # Running the worker again sends nothing more.
    assert sending.deliveries_process() == 0
    assert len(mail.outbox) == 25


@pytest.mark.django_db
def test_who_unsubscribed_after_enqueue_is_skipped(django_capture_on_commit_callbacks):
    from parvis.newsletter.models import ConsentMethod
    from parvis.newsletter.services.consents import contact_stop_channel, subscription_withdraw

    topic, contacts = make_audience(5)
    campaign = make_campaign(topic)
    with django_capture_on_commit_callbacks(execute=False):
        sending.campaign_enqueue(campaign=campaign)
    subscription_withdraw(
        contact=contacts[0], channel=Channel.EMAIL, method=ConsentMethod.ONE_CLICK
    )
    contact_stop_channel(contact=contacts[1], channel=Channel.EMAIL, method=ConsentMethod.BOUNCE)
    assert sending.deliveries_process() == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in contacts[2:])
    skipped = Delivery.objects.filter(status=DeliveryStatus.SKIPPED)
    assert set(skipped.values_list("contact_id", flat=True)) == {contacts[0].pk, contacts[1].pk}
    stats = sending.campaign_stats(campaign)
    assert stats["skipped"] == 2 and stats["unsubscribed_after"] == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


@pytest.mark.django_db
def test_only_approved_campaigns_are_enqueued():
    topic, _ = make_audience(2)
    campaign = make_campaign(topic, status=CampaignStatus.DRAFT)
    with pytest.raises(sending.SendingError):
        sending.campaign_enqueue(campaign=campaign)
    assert not Delivery.objects.exists()


# --- transactional messages ---------------------------------------------------------------


@pytest.mark.django_db
def test_message_send_is_idempotent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = sending.message_send(
            channel=Channel.EMAIL,
            to="camille@example.org",
            subject="Votre réservation",
            text="Court de tennis, samedi 10h.",
            idempotency_key="booking-42-confirmation",
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = sending.message_send(
            channel=Channel.EMAIL,
            to="camille@example.org",
            subject="Votre réservation",
            text="Court de tennis, samedi 10h.",
            idempotency_key="booking-42-confirmation",
        )
    assert first.pk == again.pk
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Votre réservation"
    assert Delivery.objects.get().status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_transactional_sms_uses_the_quota(settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.PARVIS_SMS_MONTHLY_QUOTA = 2
    with time_at(WEEKDAY_MORNING), django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            sending.message_send(
                channel=Channel.SMS,
                to=f"+3363998100{n}",
                text="Rappel : rendez-vous passeport demain 9h.",
                idempotency_key=f"reminder-{n}",
            )
    assert len(sms_outbox) == 2
    assert SmsQuotaMonth.objects.get().used == 2
    refused = Delivery.objects.get(status=DeliveryStatus.SKIPPED)
    assert "Quota" in refused.last_error


def time_at(moment):
    import time_machine

    return time_machine.travel(moment, tick=True)


# --- SMS: quota, quiet hours, HTTP retries ------------------------------------------------


@pytest.mark.django_db
def test_sms_campaign_over_quota_is_refused_before_anything_is_created(settings):
    from parvis.newsletter.sms.quota import QuotaExceeded

    settings.PARVIS_SMS_MONTHLY_QUOTA = 10
    topic, _ = make_audience(11, channel=Channel.SMS)
    campaign = make_campaign(topic, channel=Channel.SMS)
    with pytest.raises(QuotaExceeded) as refused:
        sending.campaign_enqueue(campaign=campaign)
    assert (refused.value.asked, refused.value.remaining) == (11, 10)
    assert not Delivery.objects.exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED


@pytest.mark.django_db
def test_engine_never_exceeds_the_quota(settings, sms_outbox, django_capture_on_commit_callbacks):
    """Enqueued within the quota, then a reminder takes segments: the engine stops at the
    limit and skips the rest, saying why."""
    from parvis.newsletter.sms.quota import quota_reserve

    settings.PARVIS_SMS_MONTHLY_QUOTA = 10
    topic, _ = make_audience(8, channel=Channel.SMS)
    campaign = make_campaign(topic, channel=Channel.SMS)
    with time_at(WEEKDAY_MORNING):
        with django_capture_on_commit_callbacks(execute=False):
            sending.campaign_enqueue(campaign=campaign)
        quota_reserve(segments=5)
        sending.outbox_drain()
    assert len(sms_outbox) == 5
    assert SmsQuotaMonth.objects.get().used == 10
    assert Delivery.objects.filter(status=DeliveryStatus.SKIPPED).count() == 3
    assert all("STOP" in message.text for message in sms_outbox)


@pytest.mark.django_db
def test_quiet_hours_postpone_sms_but_not_alerts(sms_outbox, django_capture_on_commit_callbacks):
    sunday = dt.datetime(2025, 3, 16, 10, 0, tzinfo=PARIS)
    topic, _ = make_audience(3, channel=Channel.SMS)
    campaign = make_campaign(topic, channel=Channel.SMS)
    alert_topic, _ = make_audience(
        2,
        channel=Channel.SMS,
        topic=Topic.objects.create(name="Alertes", slug="alertes", is_alert=True),
        first=100,
    )
    alert = make_campaign(alert_topic, channel=Channel.SMS, is_alert=True, ignore_quiet_hours=True)
    with time_at(sunday):
        with django_capture_on_commit_callbacks(execute=False):
            sending.campaign_enqueue(campaign=campaign)
            sending.campaign_enqueue(campaign=alert)
        sending.outbox_drain()
    assert len(sms_outbox) == 2  # the alert only
    postponed = Delivery.objects.filter(campaign=campaign)
    assert {d.status for d in postponed} == {DeliveryStatus.QUEUED}
    monday = postponed[0].next_attempt_at.astimezone(PARIS)
    assert monday.weekday() == 0 and monday > sunday
    with time_at(monday + dt.timedelta(minutes=1)):
        sending.outbox_drain()
    assert len(sms_outbox) == 5


class ProviderScript(BaseHTTPRequestHandler):
    """A local SMS provider: answers the scripted statuses in turn, then 200."""

    script: list[int] = []
    received: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        status = self.script.pop(0) if self.script else 200
        self.received.append({"status": status, **body})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        answer = {"id": f"prov-{len(self.received)}"} if status == 200 else {"error": "busy"}
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), ProviderScript)
    ProviderScript.script, ProviderScript.received = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PARVIS_SMS_BACKEND = "parvis.newsletter.sms.backends.GenericHttpBackend"
    settings.PARVIS_SMS_PROVIDER_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.PARVIS_SMS_PROVIDER_KEY = "test-key"
    yield ProviderScript
    server.shutdown()


@pytest.mark.django_db
def test_sms_429_and_500_are_retried_with_back_off(
    settings, sms_provider, django_capture_on_commit_callbacks
):
    settings.PARVIS_NEWSLETTER_RETRY_BASE = 30
    settings.PARVIS_SMS_MONTHLY_QUOTA = 10
    topic, _ = make_audience(1, channel=Channel.SMS)
    campaign = make_campaign(topic, channel=Channel.SMS)
    sms_provider.script = [429, 500]
    with time_at(WEEKDAY_MORNING):
        with django_capture_on_commit_callbacks(execute=False):
            sending.campaign_enqueue(campaign=campaign)
        sending.outbox_drain()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRY, 1)
    assert "429" in delivery.last_error
    first_wait = delivery.next_attempt_at - WEEKDAY_MORNING
    assert dt.timedelta(seconds=29) < first_wait < dt.timedelta(seconds=40)
    assert SmsQuotaMonth.objects.get().used == 0  # given back until the next try

    # Not due yet: nothing is sent.
    with time_at(WEEKDAY_MORNING + dt.timedelta(seconds=10)):
        assert sending.deliveries_process() == 0
    with time_at(WEEKDAY_MORNING + dt.timedelta(seconds=31)):
        sending.outbox_drain()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRY, 2)
    assert "500" in delivery.last_error
    assert delivery.next_attempt_at - (WEEKDAY_MORNING + dt.timedelta(seconds=31)) > dt.timedelta(
        seconds=59
    )
    with time_at(WEEKDAY_MORNING + dt.timedelta(seconds=200)):
        sending.outbox_drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_message_id == "prov-3"
    assert [r["status"] for r in sms_provider.received] == [429, 500, 200]
    assert sms_provider.received[-1]["reference"] == f"parvis.d{delivery.pk}"
    assert SmsQuotaMonth.objects.get().used == delivery.segments


@pytest.mark.django_db
def test_sms_refused_for_good_gives_the_quota_back(
    settings, sms_provider, django_capture_on_commit_callbacks
):
    topic, _ = make_audience(1, channel=Channel.SMS)
    campaign = make_campaign(topic, channel=Channel.SMS)
    sms_provider.script = [400]
    with time_at(WEEKDAY_MORNING):
        with django_capture_on_commit_callbacks(execute=False):
            sending.campaign_enqueue(campaign=campaign)
        sending.outbox_drain()
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    assert SmsQuotaMonth.objects.get().used == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


# --- SMTP temporary errors ----------------------------------------------------------------


class FlakySmtp:
    """Answers 451 to the first DATA of each recipient listed in ``busy``."""

    def __init__(self, busy=(), refused=()):
        self.busy, self.refused = set(busy), set(refused)
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if envelope.rcpt_tos[0] in self.busy:
            self.busy.discard(envelope.rcpt_tos[0])
            return "451 4.3.0 Try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted"


def smtp_on(settings, handler) -> Controller:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return controller


@pytest.mark.django_db
def test_smtp_451_is_retried_and_550_bounces(settings, django_capture_on_commit_callbacks):
    topic, contacts = make_audience(4)
    handler = FlakySmtp(busy=[contacts[1].email], refused=[contacts[2].email])
    controller = smtp_on(settings, handler)
    try:
        campaign = make_campaign(topic)
        with django_capture_on_commit_callbacks(execute=True):
            sending.campaign_enqueue(campaign=campaign)
        by_contact = {d.contact_id: d for d in Delivery.objects.all()}
        assert by_contact[contacts[1].pk].status == DeliveryStatus.RETRY
        assert "451" in by_contact[contacts[1].pk].last_error
        assert by_contact[contacts[2].pk].status == DeliveryStatus.BOUNCED
        assert len(handler.envelopes) == 2
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.SENDING  # a retry is pending
        later = timezone.now() + dt.timedelta(hours=1)
        with time_at(later):
            sending.outbox_drain()
        assert len(handler.envelopes) == 3
        assert sorted(e.rcpt_tos[0] for e in handler.envelopes) == sorted(
            c.email for c in (contacts[0], contacts[1], contacts[3])
        )
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.SENT
        stats = sending.campaign_stats(campaign)
        assert (stats["sent"], stats["bounced"]) == (3, 1)
    finally:
        controller.stop()


def test_token_bucket_limits_the_rate():
    clock = {"now": 0.0}
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock["now"] += seconds

    bucket = sending.TokenBucket(10, clock=lambda: clock["now"], sleep=sleep)
    for _ in range(30):
        bucket.take()
    # 10 at once (one second's burst), then 20 more at 10 per second.
    assert clock["now"] == pytest.approx(2.0, abs=0.01)
    unlimited = sending.TokenBucket(0, clock=lambda: clock["now"], sleep=sleep)
    before = len(sleeps)
    for _ in range(100):
        unlimited.take()
    assert len(sleeps) == before


# --- crash and restart --------------------------------------------------------------------


@pytest.mark.django_db
def test_stale_claims_are_requeued_but_handed_messages_never_resent(
    django_capture_on_commit_callbacks,
):
    topic, contacts = make_audience(3)
    campaign = make_campaign(topic)
    with django_capture_on_commit_callbacks(execute=False):
        sending.campaign_enqueue(campaign=campaign)
    rows, _taken = sending._claim(batch_size=10, channel=None, now=timezone.now())
    assert len(rows) == 3
    # The worker died: one row handed to the server (outcome unknown), two never left.
    sending._mark_handed(rows[0], sending.message_id(rows[0]))
    assert sending.deliveries_recover(older_than=3600) == 0  # not stale yet
    assert sending.deliveries_recover(older_than=0) == 2
    sending.outbox_drain()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in contacts[1:])
    uncertain = Delivery.objects.get(pk=rows[0].pk)
    assert uncertain.status == DeliveryStatus.FAILED
    assert "doublon" in uncertain.last_error
