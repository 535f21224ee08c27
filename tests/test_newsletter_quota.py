"""The monthly SMS quota: atomic reservations, refusals with the numbers, warnings at
80 % and 100 %, and no overrun when campaigns and an alert race (real threads, each on its
own connection: SQLite file database, or PostgreSQL with DATABASE_URL)."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from parvis.newsletter.models import SmsQuotaMonth
from parvis.newsletter.sms.quota import (
    QuotaExceeded,
    month_of,
    quota_check,
    quota_history,
    quota_release,
    quota_reserve,
    quota_status,
)

from . import factories

UTC = ZoneInfo("UTC")


@pytest.fixture
def small_quota(settings):
    settings.PARVIS_SMS_MONTHLY_QUOTA = 10
    return 10


@pytest.mark.django_db
def test_reserve_counts_segments_in_the_month(small_quota):
    first = quota_reserve(segments=3)
    second = quota_reserve(segments=4)
    assert (first.used, second.used, second.limit) == (3, 7, 10)
    quota = SmsQuotaMonth.objects.get()
    assert quota.month == month_of() and quota.used == 7


@pytest.mark.django_db
def test_over_quota_is_refused_with_the_numbers_and_takes_nothing(small_quota):
    quota_reserve(segments=8)
    with pytest.raises(QuotaExceeded) as caught:
        quota_reserve(segments=3)
    error = caught.value
    assert (error.used, error.limit, error.asked, error.remaining) == (8, 10, 3, 2)
    assert "demande 3 segments" in error.message
    assert "il en reste 2 (8 utilisés sur 10)" in error.message
    assert SmsQuotaMonth.objects.get().used == 8
    quota_reserve(segments=2)  # exactly what is left still fits
    assert SmsQuotaMonth.objects.get().used == 10


@pytest.mark.django_db
def test_an_urgent_alert_cannot_exceed_the_quota_either(small_quota):
    quota_reserve(segments=10)
    with pytest.raises(QuotaExceeded) as caught:
        quota_reserve(segments=1, urgent=True)
    assert "même pour une alerte" in caught.value.message
    assert SmsQuotaMonth.objects.get().used == 10


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_the_segments_back(small_quota):
    with pytest.raises(RuntimeError), transaction.atomic():
        quota_reserve(segments=5)
        raise RuntimeError("send failed before commit")
    assert quota_status().used == 0


@pytest.mark.django_db
def test_release_after_a_permanent_failure(small_quota):
    reservation = quota_reserve(segments=4)
    quota_release(segments=3, month=reservation.month)
    assert quota_status().used == 1
    quota_release(segments=5, month=reservation.month)  # never below zero
    assert quota_status().used == 1


@pytest.mark.django_db
def test_check_is_read_only(small_quota):
    status = quota_check(segments=10)
    assert (status.used, status.limit, status.remaining) == (0, 10, 10)
    assert not SmsQuotaMonth.objects.exists()
    with pytest.raises(QuotaExceeded) as caught:
        quota_check(segments=11)
    assert (caught.value.asked, caught.value.remaining) == (11, 10)
    assert not SmsQuotaMonth.objects.exists()


@pytest.mark.django_db
def test_months_follow_paris_time_and_keep_their_history(small_quota, settings):
    # 31 January 23:30 UTC is already 1 February in Paris.
    quota_reserve(segments=2, at=datetime(2025, 1, 31, 22, 59, tzinfo=UTC))
    quota_reserve(segments=3, at=datetime(2025, 1, 31, 23, 30, tzinfo=UTC))
    settings.PARVIS_SMS_MONTHLY_QUOTA = 500  # a new month takes the new limit
    quota_reserve(segments=1, at=datetime(2025, 3, 10, 9, 0, tzinfo=UTC))
    history = [(q.month, q.used, q.limit) for q in quota_history()]
    assert history == [
        (date(2025, 3, 1), 1, 500),
        (date(2025, 2, 1), 3, 10),
        (date(2025, 1, 1), 2, 10),
    ]


@pytest.mark.django_db
def test_warnings_at_80_and_100_percent_once_each(small_quota, django_capture_on_commit_callbacks):
    factories.make_user("com1@example.org", groups=["Communication"])
    factories.make_user("com2@example.org", groups=["Communication"])
    factories.make_user("autre@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        quota_reserve(segments=7)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        quota_reserve(segments=1)  # 8/10
    [warning] = mail.outbox
    assert sorted(warning.to) == ["com1@example.org", "com2@example.org"]
    assert "80 %" in warning.subject
    assert "8 segments SMS sur 10" in warning.body
    with django_capture_on_commit_callbacks(execute=True):
        quota_reserve(segments=1)  # 9/10: already warned
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        quota_reserve(segments=1)  # 10/10
    assert len(mail.outbox) == 2
    assert "épuisé" in mail.outbox[1].subject
    assert "alertes urgentes comprises" in mail.outbox[1].body
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(QuotaExceeded):
        quota_reserve(segments=1)
    assert len(mail.outbox) == 2
    quota = SmsQuotaMonth.objects.get()
    assert quota.warned_80_at and quota.warned_100_at


@pytest.mark.django_db
def test_warning_goes_to_admins_without_a_communication_group_member(
    small_quota, settings, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("Admin", "admin@example.org")]
    with django_capture_on_commit_callbacks(execute=True):
        quota_reserve(segments=9)
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]


@pytest.mark.django_db
def test_segments_must_be_positive(small_quota):
    with pytest.raises(ValueError):
        quota_reserve(segments=0)


# --- concurrency ------------------------------------------------------------------------


def _run_together(targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as error:  # reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_campaigns_and_an_alert_racing_never_exceed_the_quota(settings):
    assert connection.vendor == "postgresql" or "memory" not in str(
        connection.settings_dict["NAME"]
    )
    settings.PARVIS_SMS_MONTHLY_QUOTA = 50
    factories.make_user("com@example.org", groups=["Communication"])
    granted = {"campaign-a": [], "campaign-b": [], "alert": []}
    refused = {name: 0 for name in granted}

    def sender(name, per_message, messages, urgent=False):
        def run():
            for _ in range(messages):
                try:
                    with transaction.atomic():
                        quota_reserve(segments=per_message, urgent=urgent)
                    granted[name].append(per_message)
                except QuotaExceeded:
                    refused[name] += 1

        return run

    errors = _run_together(
        [
            sender("campaign-a", 3, 20),
            sender("campaign-b", 2, 20),
            sender("alert", 1, 20, urgent=True),
        ]
    )
    assert errors == []
    quota = SmsQuotaMonth.objects.get()
    total = sum(sum(values) for values in granted.values())
    assert quota.used == total
    assert total <= 50
    assert total >= 48  # 120 segments were asked: the quota is filled, not under-used
    assert sum(refused.values()) > 0
    # Each warning once, even with three senders crossing the thresholds together.
    subjects = [m.subject for m in mail.outbox]
    assert sum("80 %" in s for s in subjects) == 1
    assert sum("épuisé" in s for s in subjects) == (1 if total == 50 else 0)
