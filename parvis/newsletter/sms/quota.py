"""The monthly SMS quota, counted in segments (see :mod:`.encoding`).

Invariants:

- ``SmsQuotaMonth.used`` only grows through one conditional UPDATE
  (``used = used + n WHERE used + n <= limit``), in the caller's transaction: two
  campaigns, reminders and alerts reserving at the same time can never take more than the
  limit, on SQLite (writers are serialised) and PostgreSQL (the UPDATE locks the row and
  re-checks its condition); the database check constraint is the last guard;
- the quota is hard: an urgent alert may override quiet hours, never the quota. An alert
  that does not fit is refused with the numbers, like any campaign (``urgent`` only
  changes the wording of the refusal);
- the month is the calendar month in Europe/Paris; its limit is fixed when its row is
  created (``PARVIS_SMS_MONTHLY_QUOTA``), and staff may change it on that row;
- each threshold warning (80 %, 100 %) is e-mailed once per month, after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import SmsQuotaMonth

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
WARNING_GROUP = "Communication"


class QuotaExceeded(Exception):
    """The segments asked do not fit in what is left of the month's quota."""

    def __init__(self, *, used: int, limit: int, asked: int, month: date, urgent: bool = False):
        self.used, self.limit, self.asked, self.month, self.urgent = (
            used,
            limit,
            asked,
            month,
            urgent,
        )
        self.remaining = max(limit - used, 0)
        values = {
            "used": used,
            "limit": limit,
            "asked": asked,
            "remaining": self.remaining,
            "month": month.strftime("%m/%Y"),
        }
        if urgent:
            message = _(
                "Quota SMS de %(month)s dépassé : cette alerte demande %(asked)s segments, "
                "il en reste %(remaining)s (%(used)s utilisés sur %(limit)s). Le quota ne "
                "peut pas être dépassé, même pour une alerte : envoyez-la par e-mail et sur "
                "le site, ou augmentez le quota du mois."
            )
        else:
            message = _(
                "Quota SMS de %(month)s insuffisant : cet envoi demande %(asked)s segments, "
                "il en reste %(remaining)s (%(used)s utilisés sur %(limit)s). Rien n'a été "
                "envoyé."
            )
        self.message = message % values
        super().__init__(str(self.message))


@dataclass(frozen=True)
class QuotaReservation:
    month: date
    segments: int
    used: int  # after the reservation
    limit: int


@dataclass(frozen=True)
class QuotaStatus:
    month: date
    used: int
    limit: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.used / self.limit) if self.limit else 100


def month_of(at: datetime | None = None) -> date:
    """First day of the Europe/Paris calendar month holding ``at`` (default: now)."""
    local = (at or timezone.now()).astimezone(PARIS)
    return local.date().replace(day=1)


def quota_for_month(month: date) -> SmsQuotaMonth:
    """The month's row, created with the configured limit if missing."""
    quota, _created = SmsQuotaMonth.objects.get_or_create(
        month=month.replace(day=1), defaults={"limit": settings.PARVIS_SMS_MONTHLY_QUOTA}
    )
    return quota


def quota_status(*, at: datetime | None = None) -> QuotaStatus:
    """Read-only: the month's use, without creating its row."""
    month = month_of(at)
    row = SmsQuotaMonth.objects.filter(month=month).values("used", "limit").first()
    if row is None:
        return QuotaStatus(month, 0, settings.PARVIS_SMS_MONTHLY_QUOTA)
    return QuotaStatus(month, row["used"], row["limit"])


def quota_check(*, segments: int, at: datetime | None = None, urgent: bool = False) -> QuotaStatus:
    """Read-only: raise :class:`QuotaExceeded` if ``segments`` do not fit now.

    For "this campaign would exceed the quota" before anything is queued; it reserves
    nothing, so the real reservation may still be refused later.
    """
    status = quota_status(at=at)
    if status.used + segments > status.limit:
        raise QuotaExceeded(
            used=status.used,
            limit=status.limit,
            asked=segments,
            month=status.month,
            urgent=urgent,
        )
    return status


def quota_reserve(
    *, segments: int, at: datetime | None = None, urgent: bool = False
) -> QuotaReservation:
    """Take ``segments`` from the month's quota, or raise :class:`QuotaExceeded` and take
    nothing. Runs in the caller's transaction (its rollback gives the segments back)."""
    if segments <= 0:
        raise ValueError("segments must be positive")
    month = month_of(at)
    with transaction.atomic():
        quota = quota_for_month(month)
        taken = SmsQuotaMonth.objects.filter(pk=quota.pk, used__lte=F("limit") - segments).update(
            used=F("used") + segments
        )
        row = SmsQuotaMonth.objects.filter(pk=quota.pk).values("used", "limit").get()
        if not taken:
            raise QuotaExceeded(
                used=row["used"], limit=row["limit"], asked=segments, month=month, urgent=urgent
            )
        _warn_thresholds(quota.pk, month=month, used=row["used"], limit=row["limit"])
    return QuotaReservation(month=month, segments=segments, used=row["used"], limit=row["limit"])


def quota_release(*, segments: int, month: date) -> None:
    """Give back segments reserved for a message that was refused for good (never sent).
    Never makes ``used`` negative."""
    if segments <= 0:
        return
    SmsQuotaMonth.objects.filter(month=month.replace(day=1), used__gte=segments).update(
        used=F("used") - segments
    )


def quota_history(*, months: int = 12) -> list[SmsQuotaMonth]:
    """The last ``months`` months that have a row, most recent first."""
    return list(SmsQuotaMonth.objects.order_by("-month")[:months])


def _warn_thresholds(pk: int, *, month: date, used: int, limit: int) -> None:
    now = timezone.now()
    for percent, field in ((100, "warned_100_at"), (80, "warned_80_at")):
        if used * 100 < percent * limit:
            continue
        claimed = SmsQuotaMonth.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
        if claimed:
            transaction.on_commit(
                lambda percent=percent: _send_warning(
                    percent=percent, month=month, used=used, limit=limit
                )
            )


def warning_recipients() -> list[str]:
    """E-mails of the active members of the Communication group, else ADMINS."""
    emails = list(
        get_user_model()
        .objects.filter(groups__name=WARNING_GROUP, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return emails or [address for _name, address in settings.ADMINS]


def _send_warning(*, percent: int, month: date, used: int, limit: int) -> None:
    recipients = warning_recipients()
    if not recipients:
        logger.warning("SMS quota at %s %% for %s: nobody to warn", percent, month)
        return
    context = {
        "threshold": percent,
        "percent": round(100 * used / limit) if limit else 100,
        "month": month,
        "used": used,
        "limit": limit,
        "remaining": max(limit - used, 0),
    }
    template = "newsletter/email/sms_quota_warning"
    subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=recipients,
    )
    try:
        message.send()
    except Exception:  # a warning must never break the sending it follows
        logger.exception("SMS quota warning not sent")
