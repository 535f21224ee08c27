"""The outbox engine: campaigns become :class:`Delivery` rows, a worker sends them.

Guarantees (what the rest of Parvis relies on):

- **One row per recipient.** :func:`campaign_enqueue` creates one delivery per
  (campaign, contact, channel) with ``bulk_create(ignore_conflicts=True)`` over a unique
  constraint: enqueuing twice (a double click, two schedulers) creates nothing new.
  Transactional messages (:func:`message_send`) are unique by ``idempotency_key``.
- **Claim before send.** :func:`deliveries_process` moves due rows (``queued``/``retry``,
  ``next_attempt_at`` empty or past) to ``sending`` in one short transaction
  (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the transaction is
  ``IMMEDIATE`` so it holds the write lock and the conditional ``UPDATE … WHERE status IN``
  cannot interleave). Two workers never hold the same row.
- **Never twice.** Right before a message is handed to the provider, its row records the
  Message-ID (``provider_message_id``) in its own committed statement; right after the
  provider accepts, the row is marked ``sent`` in its own short transaction. A row found in
  ``sending`` longer than the claim timeout (the worker died) is re-queued **only if it was
  never handed** to the provider. A row that was handed but not marked is the single
  window of uncertainty (a crash between the provider's answer and our commit, a few
  milliseconds): it is *not* sent again but marked ``failed`` with an explicit note, so
  a recipient may, in that one case, miss the message but never receives it twice. The
  e-mail Message-ID is stable per delivery (``<parvis.d<id>@domain>``), so a message that
  was accepted can still be matched by the provider's webhooks.
- **Consent at send time.** A campaign delivery whose contact withdrew, was stopped or
  bounced after enqueuing is ``skipped``, never sent.
- **SMS quota.** Segments are reserved (:func:`~parvis.newsletter.sms.quota.quota_reserve`)
  in the claim transaction, before sending, and released when the message finally fails
  for good; a message that finds the quota spent is ``skipped`` with the reason. The
  campaign as a whole is refused by :func:`campaign_enqueue`, before anything is created,
  when it would not fit.
- **Quiet hours.** A non-urgent SMS due at night or on Sunday is postponed to the next
  allowed time, not claimed.
- **Retries.** Temporary errors (SMTP 4xx, connection errors, HTTP 429/5xx) are retried
  with exponential back-off (``PARVIS_NEWSLETTER_RETRY_BASE`` seconds × 2ⁿ, at most
  ``PARVIS_NEWSLETTER_MAX_ATTEMPTS`` attempts); permanent errors end ``failed`` (or
  ``bounced`` for a refused e-mail address).
- **Rate.** ``PARVIS_NEWSLETTER_EMAIL_RATE`` / ``PARVIS_NEWSLETTER_SMS_RATE`` messages
  per second per worker process (0: no limit), by a token bucket in the worker loop.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Campaign,
    CampaignStatus,
    Channel,
    ChannelState,
    Contact,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
)

logger = logging.getLogger(__name__)

DUE = (DeliveryStatus.QUEUED, DeliveryStatus.RETRY)
PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.RETRY, DeliveryStatus.SENDING)
UNCERTAIN_NOTE = (
    "Interrompu pendant la remise au fournisseur : résultat inconnu, "
    "non renvoyé pour éviter un doublon."
)


class SendingError(Exception):
    """A campaign or message cannot be queued; ``message`` is shown to staff (French)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- settings ---------------------------------------------------------------------------


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("PARVIS_NEWSLETTER_MAX_ATTEMPTS", 6))


def retry_base() -> float:
    return float(_setting("PARVIS_NEWSLETTER_RETRY_BASE", 60))


def claim_timeout() -> float:
    return float(_setting("PARVIS_NEWSLETTER_CLAIM_TIMEOUT", 600))


def backoff(attempts: int) -> dt.timedelta:
    """Delay before attempt ``attempts + 1``: base × 2^(attempts-1), capped at 6 hours."""
    return dt.timedelta(seconds=min(retry_base() * 2 ** max(attempts - 1, 0), 6 * 3600))


# --- SMS helpers (the sms package owns encoding, quota and quiet hours) ----------------


def sms_text(campaign: Campaign) -> str:
    """The text sent for an SMS campaign: its text followed by the STOP mention."""
    from .campaigns import sms_full_text

    return sms_full_text(campaign.sms_text)


def _segments(text: str) -> int:
    from ..sms.encoding import segments

    return segments(text).segments


# --- enqueue ------------------------------------------------------------------------------


def _freeze(campaign: Campaign) -> None:
    from ..rendering import freeze_body

    if campaign.channel == Channel.EMAIL:
        campaign.body = freeze_body(campaign.body)


def campaign_enqueue(*, campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Freeze ``campaign`` and create one queued delivery per current recipient.

    Idempotent: a second call creates no row and returns 0. Refused with
    :class:`SendingError` (nothing created) when the campaign is not approved/scheduled,
    has no recipient, or — for SMS — when its segments would exceed the SMS quota left
    this month, or one message exceeds ``PARVIS_SMS_MAX_SEGMENTS``. Returns the number of
    deliveries created; the worker task is started on commit.
    """
    from ..audience import campaign_recipients

    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status not in (
            CampaignStatus.APPROVED,
            CampaignStatus.SCHEDULED,
            CampaignStatus.SENDING,
        ):
            raise SendingError(_("Seule une campagne approuvée peut être envoyée."))
        recipients = list(
            campaign_recipients(campaign)
            .exclude(Exists(Delivery.objects.filter(campaign=campaign, contact=OuterRef("pk"))))
            .values_list("pk", "email", "phone")
        )
        if not recipients and campaign.status != CampaignStatus.SENDING:
            raise SendingError(_("Aucun destinataire ne correspond à cette audience."))
        urgent = campaign.is_alert or campaign.ignore_quiet_hours
        text, segments = "", 0
        if campaign.channel == Channel.SMS:
            text = sms_text(campaign)
            segments = _segments(text)
            limit = int(_setting("PARVIS_SMS_MAX_SEGMENTS", 3))
            if segments > limit:
                raise SendingError(
                    _("Le SMS compte %(n)s segments ; le maximum autorisé est %(max)s.")
                    % {"n": segments, "max": limit}
                )
            if recipients:
                from ..sms.quota import quota_check

                quota_check(segments=segments * len(recipients), urgent=campaign.is_alert)
        else:
            _freeze(campaign)
        address_index = 2 if campaign.channel == Channel.SMS else 1
        rows = [
            Delivery(
                campaign=campaign,
                contact_id=row[0],
                channel=campaign.channel,
                address=row[address_index],
                text=text,
                segments=segments,
                urgent=urgent,
                next_attempt_at=now,
            )
            for row in recipients
        ]
        Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        fields = ["status", "updated_at"]
        if campaign.status != CampaignStatus.SENDING:
            campaign.status = CampaignStatus.SENDING
            campaign.started_at = now
            fields.append("started_at")
        if campaign.channel == Channel.EMAIL:
            fields.append("body")
        campaign.save(update_fields=fields)
        _start_worker_on_commit()
    return len(rows)


def message_send(
    *,
    channel: str,
    to: str,
    text: str,
    idempotency_key: str,
    subject: str = "",
    html: str = "",
    urgent: bool = False,
    contact: Contact | None = None,
) -> Delivery:
    """Queue a transactional message (booking confirmation, reminder…) in the outbox.

    Idempotent by ``idempotency_key``: a second call with the same key returns the first
    delivery and queues nothing. SMS go through the same quota and quiet hours as
    campaigns (``urgent`` overrides quiet hours). Raises :class:`SendingError` for an SMS
    longer than ``PARVIS_SMS_MAX_SEGMENTS`` or an empty address.
    """
    if channel not in Channel.values:
        raise SendingError(_("Canal inconnu."))
    if not to:
        raise SendingError(_("Aucun destinataire."))
    existing = Delivery.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    segments = 0
    if channel == Channel.SMS:
        segments = _segments(text)
        limit = int(_setting("PARVIS_SMS_MAX_SEGMENTS", 3))
        if segments > limit:
            raise SendingError(
                _("Le SMS compte %(n)s segments ; le maximum autorisé est %(max)s.")
                % {"n": segments, "max": limit}
            )
    with transaction.atomic():
        delivery, _created = Delivery.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "channel": channel,
                "address": to,
                "subject": subject[:200],
                "text": text,
                "html": html,
                "urgent": urgent,
                "contact": contact,
                "segments": segments,
                "next_attempt_at": timezone.now(),
            },
        )
        if _created:
            _start_worker_on_commit()
    return delivery


def _start_worker_on_commit() -> None:
    def start():
        from ..tasks import process_outbox

        try:
            process_outbox.enqueue()
        except Exception:  # the scheduled `send_outbox` picks the rows up anyway
            logger.exception("Could not enqueue process_outbox")

    transaction.on_commit(start)


# --- rate limit ---------------------------------------------------------------------------


class TokenBucket:
    """``rate`` tokens per second, bursts of at most one second's worth; 0: unlimited."""

    def __init__(self, rate: float, clock=time.monotonic, sleep=time.sleep):
        self.rate = float(rate)
        self.capacity = max(self.rate, 1.0)
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.updated = clock()

    def take(self) -> None:
        if self.rate <= 0:
            return
        self._refill()
        if self.tokens < 1:
            self.sleep((1 - self.tokens) / self.rate)
            self._refill()
        # May go slightly below zero through rounding: the next call then waits a bit more.
        self.tokens -= 1

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


@dataclass
class Limiters:
    """One token bucket per channel; a worker keeps it across batches."""

    buckets: dict = field(default_factory=dict)

    def take(self, channel: str) -> None:
        if channel not in self.buckets:
            name = (
                "PARVIS_NEWSLETTER_SMS_RATE"
                if channel == Channel.SMS
                else "PARVIS_NEWSLETTER_EMAIL_RATE"
            )
            self.buckets[channel] = TokenBucket(float(_setting(name, 0) or 0))
        self.buckets[channel].take()


# --- claim --------------------------------------------------------------------------------


def deliveries_recover(*, now: dt.datetime | None = None, older_than: float | None = None) -> int:
    """Release rows left in ``sending`` by a worker that died (see the module docstring).

    Rows never handed to the provider go back to ``queued`` (their SMS reservation is
    released); rows handed but never marked are ``failed`` with :data:`UNCERTAIN_NOTE`,
    never re-sent. Returns the number of rows re-queued.
    """
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=claim_timeout() if older_than is None else older_than)
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lte=limit)
    Delivery.objects.filter(pk__in=stale.exclude(provider_message_id="").values("pk")).update(
        status=DeliveryStatus.FAILED, last_error=UNCERTAIN_NOTE
    )
    requeued = 0
    with transaction.atomic():
        rows = list(
            _lock(stale.filter(provider_message_id="")).values_list(
                "pk", "channel", "segments", "claimed_at"
            )
        )
        if rows:
            requeued = Delivery.objects.filter(
                pk__in=[row[0] for row in rows], status=DeliveryStatus.SENDING
            ).update(status=DeliveryStatus.QUEUED, claimed_at=None, next_attempt_at=now)
            for _pk, channel, segments, claimed_at in rows:
                if channel == Channel.SMS and segments:
                    _release(segments, claimed_at)
    if requeued:
        logger.warning("Re-queued %s deliveries left by a stopped worker", requeued)
    return requeued


def _release(segments: int, claimed_at: dt.datetime | None) -> None:
    """Give back the segments reserved when the row was claimed (in that month)."""
    from ..sms.quota import month_of, quota_release

    if segments:
        quota_release(segments=segments, month=month_of(claimed_at))


def _lock(queryset):
    if db_connection.vendor == "postgresql":
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def _due(channel: str | None, now: dt.datetime):
    queryset = Delivery.objects.filter(status__in=DUE).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset


def _still_consenting(campaign_ids: set[int], deliveries: list[Delivery]) -> set[int]:
    """Ids of the campaign deliveries whose contact may still receive their campaign."""
    if not deliveries:
        return set()
    campaigns = {
        c.pk: c for c in Campaign.objects.filter(pk__in=campaign_ids).prefetch_related("topics")
    }
    allowed = set()
    by_campaign: dict[int, list[Delivery]] = {}
    for delivery in deliveries:
        by_campaign.setdefault(delivery.campaign_id, []).append(delivery)
    for campaign_id, rows in by_campaign.items():
        campaign = campaigns[campaign_id]
        channel = campaign.channel
        state = (
            Q(sms_state=ChannelState.OK)
            if channel == Channel.SMS
            else Q(email_state=ChannelState.OK)
        )
        active = Subscription.objects.filter(
            contact=OuterRef("pk"), channel=channel, status=SubscriptionStatus.ACTIVE
        )
        ok = set(
            Contact.objects.filter(pk__in=[d.contact_id for d in rows])
            .filter(state)
            .filter(Exists(active))
            .values_list("pk", flat=True)
        )
        allowed.update(d.pk for d in rows if d.contact_id in ok)
    return allowed


def _claim(*, batch_size: int, channel: str | None, now: dt.datetime) -> tuple[list[Delivery], int]:
    """Take up to ``batch_size`` due rows: skip (consent, quota), postpone (quiet hours) or
    move to ``sending``. Returns the rows this worker now holds and how many were taken."""
    from ..sms.quiet import in_quiet_hours, next_allowed_time

    with transaction.atomic():
        rows = list(
            _lock(_due(channel, now).order_by("next_attempt_at", "pk")).only(
                "pk", "campaign_id", "contact_id", "channel", "segments", "urgent"
            )[:batch_size]
        )
        if not rows:
            return [], 0
        skipped: list[int] = []
        postponed: list[int] = []
        campaign_rows = [d for d in rows if d.campaign_id]
        allowed = _still_consenting({d.campaign_id for d in campaign_rows}, campaign_rows)
        skipped = [d.pk for d in campaign_rows if d.pk not in allowed]
        candidates = [d for d in rows if d.pk not in set(skipped)]
        if any(d.channel == Channel.SMS and not d.urgent for d in candidates) and in_quiet_hours(
            now
        ):
            postponed = [d.pk for d in candidates if d.channel == Channel.SMS and not d.urgent]
            candidates = [d for d in candidates if d.pk not in set(postponed)]
            Delivery.objects.filter(pk__in=postponed).update(next_attempt_at=next_allowed_time(now))
        if skipped:
            Delivery.objects.filter(pk__in=skipped, status__in=DUE).update(
                status=DeliveryStatus.SKIPPED,
                last_error="Désinscrit ou adresse arrêtée avant l'envoi.",
            )
        quota_refused: list[int] = []
        sms = [d for d in candidates if d.channel == Channel.SMS]
        if sms:
            from ..sms.quota import QuotaExceeded, quota_reserve

            for delivery in sms:
                try:
                    quota_reserve(segments=delivery.segments, at=now, urgent=delivery.urgent)
                except QuotaExceeded:
                    quota_refused.append(delivery.pk)
            if quota_refused:
                Delivery.objects.filter(pk__in=quota_refused).update(
                    status=DeliveryStatus.SKIPPED, last_error="Quota SMS du mois atteint."
                )
                candidates = [d for d in candidates if d.pk not in set(quota_refused)]
        ids = [d.pk for d in candidates]
        claimed = Delivery.objects.filter(pk__in=ids, status__in=DUE).update(
            status=DeliveryStatus.SENDING, claimed_at=now, provider_message_id=""
        )
        if claimed != len(ids):  # cannot happen under the lock; refuse to guess
            raise RuntimeError("Deliveries changed while claimed")
    held = Delivery.objects.filter(pk__in=ids).select_related("contact", "campaign")
    return list(held.order_by("pk")), len(rows)


# --- send ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    ok: bool
    provider_id: str = ""
    temporary: bool = False
    bounced: bool = False
    error: str = ""


def classify_email_error(exc: BaseException) -> Outcome:
    """SMTP 4xx, connection errors and ESP 429/5xx are temporary; other errors permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        temporary = all(400 <= code < 500 for code in codes)
        return Outcome(False, temporary=temporary, bounced=not temporary, error=str(exc))
    if isinstance(exc, smtplib.SMTPResponseException):
        temporary = 400 <= exc.smtp_code < 500
        return Outcome(False, temporary=temporary, error=f"{exc.smtp_code} {exc.smtp_error!r}")
    if isinstance(exc, (smtplib.SMTPServerDisconnected, socket.timeout, OSError)):
        return Outcome(False, temporary=True, error=repr(exc))
    status = getattr(exc, "status_code", None)
    if status is not None:
        temporary = status == 429 or status >= 500
        return Outcome(False, temporary=temporary, error=f"HTTP {status}: {exc}")
    return Outcome(False, temporary=False, error=repr(exc))


def message_id(delivery: Delivery) -> str:
    """The stable Message-ID of a delivery (also its handed-to-provider marker)."""
    domain = (
        _setting("PARVIS_NEWSLETTER_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL or "@parvis"
    )
    domain = domain.rsplit("@", 1)[-1].strip("> ") or "parvis"
    return f"<parvis.d{delivery.pk}@{domain}>"


def _build_email(delivery: Delivery, cache: dict):
    from django.core.mail import EmailMultiAlternatives

    from ..rendering import _commune_name, blocks_context, render_campaign_email

    if delivery.campaign_id:
        if delivery.campaign_id not in cache:  # blocks and names once per campaign and batch
            cache[delivery.campaign_id] = (
                blocks_context(delivery.campaign.body),
                _commune_name(),
            )
        blocks, commune = cache[delivery.campaign_id]
        message = render_campaign_email(
            delivery.campaign, delivery.contact, delivery=delivery, blocks=blocks, commune=commune
        )
    else:
        message = EmailMultiAlternatives(
            subject=delivery.subject,
            body=delivery.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
        )
        if delivery.html:
            message.attach_alternative(delivery.html, "text/html")
    message.extra_headers["Message-ID"] = message_id(delivery)
    return message


class _EmailSender:
    def __init__(self):
        self.connection = None
        self.cache: dict = {}

    def send(self, delivery: Delivery) -> Outcome:
        message = _build_email(delivery, self.cache)
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            message.connection = self.connection
            _mark_handed(delivery, message_id(delivery))
            sent = self.connection.send_messages([message])
        except Exception as exc:  # noqa: BLE001 - every provider error is classified
            self.close()
            return classify_email_error(exc)
        if not sent:
            return Outcome(False, temporary=True, error="Le serveur n'a pas accepté le message.")
        status = getattr(message, "anymail_status", None)
        provider_id = getattr(status, "message_id", None) if status else None
        return Outcome(True, provider_id=str(provider_id or message_id(delivery)))

    def close(self):
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - a dead connection is dropped anyway
                pass
            self.connection = None


class _SmsSender:
    def __init__(self):
        from ..sms.backends import get_backend

        self.backend = get_backend(fail_silently=False)

    def send(self, delivery: Delivery) -> Outcome:
        from ..sms.backends import SmsMessage

        marker = f"parvis.d{delivery.pk}"
        message = SmsMessage(to=delivery.address, text=delivery.text, reference=marker)
        _mark_handed(delivery, marker)
        try:
            results = self.backend.send_messages([message])
        except Exception as exc:  # noqa: BLE001
            return classify_email_error(exc)
        result = results[0] if results else None
        if result is None:
            return Outcome(False, temporary=True, error="Aucune réponse du fournisseur.")
        if getattr(result, "ok", False):
            return Outcome(True, provider_id=str(result.provider_id or marker))
        return Outcome(
            False,
            temporary=bool(getattr(result, "temporary", False)),
            error=str(getattr(result, "error", "") or "Refusé par le fournisseur."),
        )

    def close(self):
        pass


def _mark_handed(delivery: Delivery, marker: str) -> None:
    """Commit, before the provider sees the message, that it is about to leave."""
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        provider_message_id=marker[:200]
    )


def _record(delivery: Delivery, outcome: Outcome, *, now: dt.datetime) -> str:
    """Write the outcome of one attempt in its own short transaction; returns the status."""
    attempts = delivery.attempts + 1
    fields: dict = {"attempts": attempts, "claimed_at": None}
    if outcome.ok:
        fields.update(
            status=DeliveryStatus.SENT,
            sent_at=timezone.now(),
            provider_message_id=outcome.provider_id[:200],
            last_error="",
        )
    elif outcome.temporary and attempts < max_attempts():
        fields.update(
            status=DeliveryStatus.RETRY,
            next_attempt_at=now + backoff(attempts),
            provider_message_id="",
            last_error=outcome.error[:2000],
        )
    else:
        fields.update(
            status=DeliveryStatus.BOUNCED if outcome.bounced else DeliveryStatus.FAILED,
            provider_message_id="",
            last_error=outcome.error[:2000],
        )
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
        # Not sent: the segments go back (a retry reserves them again when claimed).
        if delivery.channel == Channel.SMS and fields["status"] != DeliveryStatus.SENT:
            _release(delivery.segments, delivery.claimed_at)
    return fields["status"]


def deliveries_process(
    *,
    batch_size: int = 100,
    channel: str | None = None,
    now: dt.datetime | None = None,
    limiters: Limiters | None = None,
) -> int:
    """Take and send one batch of due deliveries; returns how many rows were taken
    (sent or tried, skipped, postponed) — 0 when nothing is due.

    Safe to run in several processes at once (see the module docstring). ``limiters``
    carries the rate limit across batches of one worker loop.
    """
    now = now or timezone.now()
    rows, taken = _claim(batch_size=batch_size, channel=channel, now=now)
    if not rows:
        _complete_campaigns()
        return taken
    limiters = limiters or Limiters()
    senders: dict[str, object] = {}
    campaigns: set[int] = set()
    try:
        for delivery in rows:
            if delivery.campaign_id:
                campaigns.add(delivery.campaign_id)
            if delivery.channel not in senders:
                try:
                    senders[delivery.channel] = (
                        _SmsSender() if delivery.channel == Channel.SMS else _EmailSender()
                    )
                except Exception as exc:  # noqa: BLE001 - misconfigured backend: retry later
                    _record(delivery, Outcome(False, temporary=True, error=repr(exc)), now=now)
                    continue
            limiters.take(delivery.channel)
            try:
                outcome = senders[delivery.channel].send(delivery)
            except Exception as exc:  # noqa: BLE001 - rendering bug: the row must not stay
                logger.exception("Delivery %s could not be built", delivery.pk)
                outcome = Outcome(False, temporary=False, error=repr(exc))
            _record(delivery, outcome, now=timezone.now())
    finally:
        for sender in senders.values():
            sender.close()
    _complete_campaigns(campaigns or None)
    return taken


def outbox_drain(
    *,
    batch_size: int = 100,
    channel: str | None = None,
    max_seconds: float | None = None,
    limiters: Limiters | None = None,
) -> int:
    """Process batches until nothing is due (or ``max_seconds`` passed); returns the count."""
    started = time.monotonic()
    limiters = limiters or Limiters()
    total = 0
    while True:
        claimed = deliveries_process(batch_size=batch_size, channel=channel, limiters=limiters)
        total += claimed
        if not claimed:
            return total
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            return total


def _complete_campaigns(campaign_ids: set[int] | None = None) -> int:
    """Mark ``sent`` the campaigns being sent that have no pending delivery left."""
    pending = Delivery.objects.filter(campaign=OuterRef("pk"), status__in=PENDING)
    queryset = Campaign.objects.filter(status=CampaignStatus.SENDING).exclude(Exists(pending))
    if campaign_ids:
        queryset = queryset.filter(pk__in=campaign_ids)
    return queryset.update(status=CampaignStatus.SENT, finished_at=timezone.now())


# --- statistics ---------------------------------------------------------------------------


def campaign_stats(campaign: Campaign) -> dict:
    """Counts per delivery status, unsubscriptions after sending, and progress in %.

    ``progress`` is the share of deliveries that reached a final state (sent, failed,
    bounced, skipped); ``unsubscribed_after`` counts recipients whose channel was stopped
    or whose subscription was withdrawn after the campaign started. Two queries.
    """
    counts = dict(
        Delivery.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    total = sum(counts.values())
    stats = {status: counts.get(status, 0) for status in DeliveryStatus.values}
    final = sum(stats[s] for s in ("sent", "failed", "bounced", "skipped"))
    stats["total"] = total
    stats["progress"] = round(100 * final / total) if total else 0
    since = campaign.started_at or campaign.created_at
    from ..models import ConsentAction, ConsentEvent

    stats["unsubscribed_after"] = (
        ConsentEvent.objects.filter(
            contact__deliveries__campaign=campaign,
            channel=campaign.channel,
            action__in=[ConsentAction.WITHDRAWN, ConsentAction.STOPPED],
            at__gte=since,
        )
        .values("contact")
        .distinct()
        .count()
        if since
        else 0
    )
    return stats
