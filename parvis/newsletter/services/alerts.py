"""Publishing an urgent alert: site banner, e-mail and SMS in one action.

:func:`alert_publish` (one transaction, audited ``alert.publish``):

- creates the active :class:`parvis.core.models.Alert` shown in the banner of every page;
- creates and starts an e-mail campaign and an SMS campaign to the subscribers of the alert
  topics (:attr:`Topic.is_alert`), for all the commune or some neighbourhoods, flagged
  ``is_alert`` and ``ignore_quiet_hours`` (an alert may go out at night or on Sunday);
  the campaigns are approved by the publisher (publishing is the approval) and enqueued
  through the sending engine;
- the SMS quota is never overridden: when the SMS would exceed what remains this month
  (or is longer than ``PARVIS_SMS_MAX_SEGMENTS``), :class:`AlertSmsRefused` is raised with
  the numbers and nothing is published, unless ``without_sms_if_refused`` is true — then
  the banner and the e-mail go out and the SMS is left out (recorded in the audit entry).

A channel without any recipient creates no campaign.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record
from parvis.core.models import Alert

from ..audience import audience_recipients
from ..models import Campaign, CampaignStatus, Channel
from .campaigns import CampaignError, SmsEstimate, enqueue, sms_estimate


class AlertSmsRefused(CampaignError):
    """The SMS part cannot go (quota or length); ``estimate`` carries the numbers."""

    def __init__(self, message, *, estimate: SmsEstimate):
        super().__init__(message, field="sms_text")
        self.estimate = estimate


@dataclass
class AlertPreview:
    email_recipients: int
    sms_recipients: int
    sms: SmsEstimate | None


@dataclass
class AlertResult:
    alert: Alert
    email_campaign: Campaign | None
    sms_campaign: Campaign | None
    sms_left_out: str = ""


def alert_preview(*, sms_text: str, neighbourhoods=()) -> AlertPreview:
    """Recipients per channel and the SMS cost, before publishing."""
    ids = [getattr(n, "pk", n) for n in neighbourhoods]
    email = audience_recipients(channel=Channel.EMAIL, is_alert=True, neighbourhoods=ids)
    sms_count = audience_recipients(channel=Channel.SMS, is_alert=True, neighbourhoods=ids).count()
    estimate = sms_estimate(sms_text, recipients=sms_count) if sms_text.strip() else None
    return AlertPreview(email_recipients=email.count(), sms_recipients=sms_count, sms=estimate)


def sms_refusal(estimate: SmsEstimate) -> str | None:
    """The French reason why this SMS cannot go, or None."""
    if estimate.too_long:
        return _(
            "Le SMS fait %(segments)s segments : %(max)s au plus sont permis. Raccourcissez-le."
        ) % {"segments": estimate.segments, "max": estimate.max_segments}
    if estimate.over_quota:
        return _(
            "Le SMS d'alerte coûterait %(total)s segments (%(segments)s × %(recipients)s "
            "destinataires) et il reste %(remaining)s segments ce mois-ci (%(used)s utilisés "
            "sur %(limit)s). Le quota ne peut pas être dépassé, même pour une alerte."
        ) % {
            "total": estimate.total,
            "segments": estimate.segments,
            "recipients": estimate.recipients,
            "remaining": estimate.remaining,
            "used": estimate.used,
            "limit": estimate.limit,
        }
    return None


def _start_campaign(*, actor, channel, title, subject, body, sms_text, neighbourhoods):
    now = timezone.now()
    campaign = Campaign.objects.create(
        channel=channel,
        title=title,
        subject=subject,
        body=body,
        sms_text=sms_text,
        is_alert=True,
        ignore_quiet_hours=True,
        status=CampaignStatus.APPROVED,
        created_by=actor,
        approved_by=actor,
        approved_at=now,
    )
    campaign.neighbourhoods.set(neighbourhoods)
    enqueue(campaign)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def alert_publish(
    *,
    actor,
    title: str,
    message: str,
    level: int = Alert.Level.DANGER,
    ends_at=None,
    link_page=None,
    neighbourhoods=(),
    send_email: bool = True,
    send_sms: bool = True,
    sms_text: str = "",
    without_sms_if_refused: bool = False,
    ip: str | None = None,
) -> AlertResult:
    """Publish the banner and send the alert (see the module docstring)."""
    ids = [getattr(n, "pk", n) for n in neighbourhoods]
    sms_text = sms_text.strip() or f"{title} : {message}"
    preview = alert_preview(sms_text=sms_text if send_sms else "", neighbourhoods=ids)
    left_out = ""
    if send_sms and preview.sms_recipients:
        reason = sms_refusal(preview.sms)
        if reason:
            if not without_sms_if_refused:
                raise AlertSmsRefused(reason, estimate=preview.sms)
            left_out = reason
    alert = Alert(
        level=level,
        title=title,
        message=message,
        link_page=link_page,
        starts_at=timezone.now(),
        ends_at=ends_at,
        is_active=True,
    )
    alert.full_clean()
    alert.save()
    label = _("Alerte : %(title)s") % {"title": title}
    email_campaign = sms_campaign = None
    if send_email and preview.email_recipients:
        email_campaign = _start_campaign(
            actor=actor,
            channel=Channel.EMAIL,
            title=label,
            subject=label,
            body=[{"type": "text", "text": message}],
            sms_text="",
            neighbourhoods=ids,
        )
    if send_sms and preview.sms_recipients and not left_out:
        sms_campaign = _start_campaign(
            actor=actor,
            channel=Channel.SMS,
            title=label,
            subject="",
            body=[],
            sms_text=sms_text,
            neighbourhoods=ids,
        )
    audit_log_record(
        actor=actor,
        action="alert.publish",
        obj=alert,
        data={
            "email_campaign": email_campaign.pk if email_campaign else None,
            "email_recipients": preview.email_recipients if email_campaign else 0,
            "sms_campaign": sms_campaign.pk if sms_campaign else None,
            "sms_recipients": preview.sms_recipients if sms_campaign else 0,
            "sms_left_out": left_out,
            "neighbourhoods": ids,
        },
        ip=ip,
    )
    return AlertResult(alert, email_campaign, sms_campaign, left_out)
