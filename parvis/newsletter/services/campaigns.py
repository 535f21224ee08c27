"""The life cycle of a campaign: draft → submitted → approved → scheduled/sending → sent.

Rules (each function runs in one transaction with its audit entry, and raises
:class:`CampaignError` with a French message — and the form field concerned — when refused;
nothing is changed then):

- the content and the audience change only while the campaign is a draft;
- submitting needs a subject (e-mail) or a text (SMS) and at least one recipient;
- approval is given by a user holding ``newsletter.approve_campaign`` (the « Élus » and
  « Communication » groups), who is **not the author** — a second pair of eyes — unless the
  user is a superuser (the one administrator of a small commune);
- an approved campaign is sent now or scheduled; the command ``send_scheduled_campaigns``
  (every minute) starts the scheduled ones that are due;
- SMS: the encoding, the segment count (text + STOP mention) and the total cost in quota
  (segments × recipients) are checked on submit, approve and send: longer than
  ``PARVIS_SMS_MAX_SEGMENTS`` or more than what remains of this month's quota is refused,
  with the numbers;
- a test send goes only to the actor's own address or mobile, subject/text marked [TEST].
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record

from ..models import Campaign, Channel, SmsQuotaMonth
from ..models import CampaignStatus as Status

APPROVE_PERMISSION = "newsletter.approve_campaign"
EDITABLE = (Status.DRAFT,)
CANCELLABLE = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED)


class CampaignError(Exception):
    """A refused campaign operation; ``message`` is French and shown to the agent."""

    def __init__(self, message, *, field: str | None = None):
        self.message = message
        self.field = field
        super().__init__(str(message))


# --- SMS estimate ------------------------------------------------------------------------


def _stop_mention() -> str:
    from ..sms.stop import stop_mention

    return stop_mention()


def sms_full_text(text: str) -> str:
    """The SMS as sent: the text followed by the STOP mention."""
    return f"{text.rstrip()}\n{_stop_mention()}"


@dataclass(frozen=True)
class SmsEstimate:
    encoding: str
    segments: int
    chars: int
    recipients: int
    total: int
    used: int
    limit: int
    max_segments: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def too_long(self) -> bool:
        return self.segments > self.max_segments

    @property
    def over_quota(self) -> bool:
        return self.total > self.remaining


def quota_now() -> tuple[int, int]:
    """(used, limit) of this month's SMS quota (Europe/Paris), read only."""
    month = timezone.localdate().replace(day=1)
    row = SmsQuotaMonth.objects.filter(month=month).values_list("used", "limit").first()
    return row or (0, settings.PARVIS_SMS_MONTHLY_QUOTA)


def sms_estimate(text: str, *, recipients: int) -> SmsEstimate:
    """Encoding, segments and cost in quota of ``text`` sent to ``recipients`` numbers."""
    from ..sms.encoding import segments

    count = segments(sms_full_text(text))
    used, limit = quota_now()
    return SmsEstimate(
        encoding=count.encoding,
        segments=count.segments,
        chars=getattr(count, "length", getattr(count, "chars", len(text))),
        recipients=recipients,
        total=count.segments * recipients,
        used=used,
        limit=limit,
        max_segments=settings.PARVIS_SMS_MAX_SEGMENTS,
    )


def campaign_sms_estimate(campaign: Campaign) -> SmsEstimate | None:
    if campaign.channel != Channel.SMS:
        return None
    from ..audience import recipient_count

    return sms_estimate(campaign.sms_text, recipients=recipient_count(campaign))


def _check_sms_length(text: str) -> None:
    from ..sms.encoding import segments

    count = segments(sms_full_text(text))
    if count.segments > settings.PARVIS_SMS_MAX_SEGMENTS:
        raise CampaignError(
            _(
                "Ce SMS fait %(segments)s segments (%(encoding)s, mention STOP comprise) : "
                "%(max)s au plus sont permis. Raccourcissez le texte."
            )
            % {
                "segments": count.segments,
                "encoding": count.encoding,
                "max": settings.PARVIS_SMS_MAX_SEGMENTS,
            },
            field="sms_text",
        )


def _check_sendable(campaign: Campaign) -> int:
    """Content present, audience not empty, SMS within length and quota; the count."""
    from ..audience import recipient_count

    if campaign.channel == Channel.EMAIL:
        if not campaign.subject.strip():
            raise CampaignError(_("Indiquez l'objet de l'e-mail."), field="subject")
        if not campaign.body:
            raise CampaignError(_("Ajoutez au moins un bloc de contenu."), field="body")
    elif not campaign.sms_text.strip():
        raise CampaignError(_("Écrivez le texte du SMS."), field="sms_text")
    count = recipient_count(campaign)
    if count == 0:
        raise CampaignError(
            _("Aucun destinataire : choisissez des thèmes ou des listes d'abonnés."),
            field="topics",
        )
    if campaign.channel == Channel.SMS:
        _check_sms_length(campaign.sms_text)
        estimate = sms_estimate(campaign.sms_text, recipients=count)
        if estimate.over_quota:
            raise CampaignError(
                _(
                    "Quota SMS insuffisant : cette campagne coûte %(total)s segments "
                    "(%(segments)s × %(recipients)s destinataires) et il reste %(remaining)s "
                    "segments ce mois-ci (%(used)s utilisés sur %(limit)s)."
                )
                % {
                    "total": estimate.total,
                    "segments": estimate.segments,
                    "recipients": estimate.recipients,
                    "remaining": estimate.remaining,
                    "used": estimate.used,
                    "limit": estimate.limit,
                },
                field="sms_text",
            )
    return count


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _require(campaign: Campaign, states, message) -> None:
    if campaign.status not in states:
        raise CampaignError(message)


# --- create / edit -----------------------------------------------------------------------

CONTENT_FIELDS = ("title", "subject", "body", "sms_text", "ignore_quiet_hours")


def _apply(campaign: Campaign, data: dict) -> dict:
    changes = {}
    for name in CONTENT_FIELDS:
        if name in data and getattr(campaign, name) != data[name]:
            changes[name] = True
            setattr(campaign, name, data[name])
    return changes


def _validate_content(campaign: Campaign) -> None:
    if not campaign.title.strip():
        raise CampaignError(_("Donnez un titre à la campagne."), field="title")
    if campaign.channel == Channel.SMS and campaign.sms_text.strip():
        _check_sms_length(campaign.sms_text)


def _set_audience(campaign: Campaign, data: dict) -> None:
    for name in ("topics", "neighbourhoods", "lists"):
        if name in data:
            getattr(campaign, name).set(data[name])


@transaction.atomic
def campaign_create(
    *,
    actor,
    channel: str,
    title: str,
    subject: str = "",
    body: list | None = None,
    sms_text: str = "",
    topics=(),
    neighbourhoods=(),
    lists=(),
    ignore_quiet_hours: bool = False,
    ip: str | None = None,
) -> Campaign:
    """A new draft."""
    if channel not in Channel.values:
        raise CampaignError(_("Canal inconnu."), field="channel")
    campaign = Campaign(channel=channel, created_by=actor if actor and actor.pk else None)
    _apply(
        campaign,
        {
            "title": title,
            "subject": subject,
            "body": body or [],
            "sms_text": sms_text,
            "ignore_quiet_hours": ignore_quiet_hours,
        },
    )
    _validate_content(campaign)
    campaign.save()
    _set_audience(campaign, {"topics": topics, "neighbourhoods": neighbourhoods, "lists": lists})
    audit_log_record(
        actor=actor, action="campaign.create", obj=campaign, data={"channel": channel}, ip=ip
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, ip: str | None = None, **data) -> Campaign:
    """Change the content or the audience of a draft (keyword names as in create)."""
    locked = _locked(campaign)
    _require(
        locked,
        EDITABLE,
        _("Seul un brouillon peut être modifié : remettez la campagne en brouillon."),
    )
    changes = _apply(locked, data)
    _validate_content(locked)
    locked.save()
    _set_audience(locked, data)
    fields = sorted([*changes, *(n for n in ("topics", "neighbourhoods", "lists") if n in data)])
    audit_log_record(
        actor=actor, action="campaign.update", obj=locked, data={"fields": fields}, ip=ip
    )
    return locked


# --- approval ----------------------------------------------------------------------------


def can_approve(user, campaign: Campaign) -> bool:
    """Holder of ``approve_campaign`` and not the author, unless superuser."""
    if not user.has_perm(APPROVE_PERMISSION):
        return False
    return user.is_superuser or campaign.created_by_id != user.pk


@transaction.atomic
def campaign_submit(*, actor, campaign: Campaign, ip: str | None = None) -> Campaign:
    locked = _locked(campaign)
    _require(locked, EDITABLE, _("Cette campagne a déjà été soumise."))
    count = _check_sendable(locked)
    locked.status = Status.SUBMITTED
    locked.save(update_fields=["status", "updated_at"])
    audit_log_record(
        actor=actor, action="campaign.submit", obj=locked, data={"recipients": count}, ip=ip
    )
    return locked


@transaction.atomic
def campaign_approve(*, actor, campaign: Campaign, ip: str | None = None) -> Campaign:
    locked = _locked(campaign)
    if not actor.has_perm(APPROVE_PERMISSION):
        raise CampaignError(
            _("L'approbation revient à un élu ou au responsable de la communication.")
        )
    if not can_approve(actor, locked):
        raise CampaignError(
            _("Vous avez rédigé cette campagne : une autre personne doit l'approuver.")
        )
    _require(locked, (Status.SUBMITTED,), _("Cette campagne n'attend pas d'approbation."))
    count = _check_sendable(locked)
    locked.status = Status.APPROVED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_log_record(
        actor=actor, action="campaign.approve", obj=locked, data={"recipients": count}, ip=ip
    )
    return locked


@transaction.atomic
def campaign_reject(*, actor, campaign: Campaign, reason: str = "", ip=None) -> Campaign:
    """Send a submitted (or approved, not yet started) campaign back to draft."""
    locked = _locked(campaign)
    if not actor.has_perm(APPROVE_PERMISSION) and actor.pk != locked.created_by_id:
        raise CampaignError(_("Vous ne pouvez pas remettre cette campagne en brouillon."))
    _require(
        locked,
        (Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED),
        _("Cette campagne ne peut plus revenir en brouillon."),
    )
    locked.status = Status.DRAFT
    locked.approved_by = None
    locked.approved_at = None
    locked.scheduled_at = None
    locked.save()
    audit_log_record(
        actor=actor, action="campaign.reject", obj=locked, data={"reason": reason}, ip=ip
    )
    return locked


# --- sending -----------------------------------------------------------------------------


@transaction.atomic
def campaign_schedule(*, actor, campaign: Campaign, at: datetime, ip=None) -> Campaign:
    locked = _locked(campaign)
    _require(
        locked,
        (Status.APPROVED, Status.SCHEDULED),
        _("Seule une campagne approuvée peut être programmée."),
    )
    if at <= timezone.now():
        raise CampaignError(_("Choisissez une date et une heure à venir."), field="at")
    locked.status = Status.SCHEDULED
    locked.scheduled_at = at
    locked.save(update_fields=["status", "scheduled_at", "updated_at"])
    audit_log_record(
        actor=actor,
        action="campaign.schedule",
        obj=locked,
        data={"at": timezone.localtime(at).isoformat()},
        ip=ip,
    )
    return locked


def _start(locked: Campaign) -> int:
    """Checks, then the engine fills the outbox and marks the campaign sending."""
    count = _check_sendable(locked)
    enqueue(locked)
    locked.refresh_from_db()
    return count


def enqueue(campaign: Campaign) -> None:
    """The engine's :func:`campaign_enqueue`, its refusals turned into CampaignError."""
    from ..sms.quota import QuotaExceeded
    from .sending import SendingError, campaign_enqueue

    try:
        campaign_enqueue(campaign=campaign)
    except (SendingError, QuotaExceeded) as error:
        raise CampaignError(getattr(error, "message", str(error))) from error


@transaction.atomic
def campaign_send_now(*, actor, campaign: Campaign, ip=None) -> Campaign:
    """Start sending an approved (or scheduled) campaign: the outbox is filled in the
    same transaction, so a refusal (quota…) leaves the campaign approved and nothing sent."""
    locked = _locked(campaign)
    _require(
        locked,
        (Status.APPROVED, Status.SCHEDULED),
        _("La campagne doit être approuvée avant l'envoi."),
    )
    count = _start(locked)
    audit_log_record(
        actor=actor, action="campaign.send", obj=locked, data={"recipients": count}, ip=ip
    )
    return locked


def campaigns_send_due(*, now: datetime | None = None) -> list[tuple[Campaign, str | None]]:
    """Start every scheduled campaign that is due; one transaction per campaign. Returns
    (campaign, error message or None)."""
    now = now or timezone.now()
    results = []
    due = Campaign.objects.filter(status=Status.SCHEDULED, scheduled_at__lte=now)
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                locked = Campaign.objects.select_for_update().get(pk=pk)
                if locked.status != Status.SCHEDULED:
                    continue
                count = _start(locked)
                audit_log_record(
                    actor=None,
                    action="campaign.send",
                    obj=locked,
                    data={"recipients": count, "scheduled": True},
                )
        except CampaignError as error:
            with transaction.atomic():
                campaign = Campaign.objects.get(pk=pk)
                audit_log_record(
                    actor=None,
                    action="campaign.send_refused",
                    obj=campaign,
                    data={"reason": str(error.message)},
                )
            results.append((campaign, str(error.message)))
        else:
            results.append((locked, None))
    return results


@transaction.atomic
def campaign_cancel(*, actor, campaign: Campaign, ip=None) -> Campaign:
    locked = _locked(campaign)
    _require(
        locked, CANCELLABLE, _("L'envoi a commencé : cette campagne ne peut plus être annulée.")
    )
    previous = locked.status
    locked.status = Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    audit_log_record(
        actor=actor, action="campaign.cancel", obj=locked, data={"from": previous}, ip=ip
    )
    return locked


# --- test send ---------------------------------------------------------------------------


def own_test_addresses(user) -> dict[str, str]:
    """The actor's own addresses a test may go to: account e-mail, and the mobile of the
    contact linked to the account."""
    addresses = {}
    if getattr(user, "email", ""):
        addresses[Channel.EMAIL] = user.email
    contact = getattr(user, "newsletter_contact", None)
    if contact is not None and contact.phone:
        addresses[Channel.SMS] = contact.phone
    return addresses


def campaign_test_send(*, actor, campaign: Campaign, to: str = "", ip=None) -> str:
    """Send the campaign once to the actor's own address (or mobile), marked [TEST];
    returns the address. Anything else is refused."""
    from . import sending

    own = own_test_addresses(actor).get(campaign.channel)
    if own is None:
        raise CampaignError(
            _("Aucune adresse personnelle pour ce canal : renseignez votre e-mail ou mobile.")
            if campaign.channel == Channel.EMAIL
            else _(
                "Aucun mobile rattaché à votre compte : inscrivez votre numéro aux SMS "
                "pour recevoir un test."
            ),
            field="to",
        )
    if to and to.strip().lower() != own.lower():
        raise CampaignError(
            _("Un envoi de test ne part qu'à votre propre adresse (%(own)s).") % {"own": own},
            field="to",
        )
    key = f"campaign-test-{campaign.pk}-{uuid.uuid4().hex}"
    with transaction.atomic():
        if campaign.channel == Channel.SMS:
            _check_sms_length(campaign.sms_text)
            sending.message_send(
                channel=Channel.SMS,
                to=own,
                text=f"[TEST] {sms_full_text(campaign.sms_text)}",
                idempotency_key=key,
            )
        else:
            from ..rendering import render_campaign_email

            message = render_campaign_email(campaign, None)
            html = next(
                (content for content, mime in message.alternatives if mime == "text/html"), ""
            )
            sending.message_send(
                channel=Channel.EMAIL,
                to=own,
                subject=f"[TEST] {campaign.subject}",
                text=message.body,
                html=html,
                idempotency_key=key,
            )
        audit_log_record(
            actor=actor, action="campaign.test_send", obj=campaign, data={"to": own}, ip=ip
        )
    return own
