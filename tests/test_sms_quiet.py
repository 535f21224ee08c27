"""Quiet hours: no campaign SMS at night, on Sundays and French public holidays."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from parvis.newsletter.sms.quiet import in_quiet_hours, next_allowed_time

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (paris(2025, 6, 11, 7, 59), True),  # Wednesday before 08:00
        (paris(2025, 6, 11, 8, 0), False),
        (paris(2025, 6, 11, 19, 59), False),
        (paris(2025, 6, 11, 20, 0), True),
        (paris(2025, 6, 14, 12, 0), False),  # Saturday noon
        (paris(2025, 6, 15, 12, 0), True),  # Sunday noon
        (paris(2025, 7, 14, 12, 0), True),  # Bastille Day, a Monday
        (paris(2025, 12, 25, 10, 0), True),  # Christmas
    ],
)
def test_in_quiet_hours(moment, quiet):
    assert in_quiet_hours(moment) is quiet


def test_quiet_hours_are_read_in_paris_time():
    # 06:30 UTC in June is 08:30 in Paris: allowed.
    assert not in_quiet_hours(datetime(2025, 6, 11, 6, 30, tzinfo=UTC))
    # 19:30 UTC in June is 21:30 in Paris: quiet.
    assert in_quiet_hours(datetime(2025, 6, 11, 19, 30, tzinfo=UTC))


def test_next_allowed_time():
    assert next_allowed_time(paris(2025, 6, 11, 10, 0)) == paris(2025, 6, 11, 10, 0)
    assert next_allowed_time(paris(2025, 6, 11, 21, 0)) == paris(2025, 6, 12, 8, 0)
    assert next_allowed_time(paris(2025, 6, 12, 3, 0)) == paris(2025, 6, 12, 8, 0)
    # Saturday evening: Sunday is quiet, so Monday 08:00.
    assert next_allowed_time(paris(2025, 6, 14, 22, 0)) == paris(2025, 6, 16, 8, 0)
    # Sunday 13 July 2025 then Bastille Day: Tuesday 15 July.
    assert next_allowed_time(paris(2025, 7, 13, 9, 0)) == paris(2025, 7, 15, 8, 0)
    moment = next_allowed_time(paris(2025, 7, 13, 9, 0))
    assert not in_quiet_hours(moment)


def test_quiet_window_is_configurable(settings):
    settings.PARVIS_SMS_QUIET_HOURS = "21:30-07:00"
    assert not in_quiet_hours(paris(2025, 6, 11, 21, 0))
    assert in_quiet_hours(paris(2025, 6, 11, 21, 30))
    assert next_allowed_time(paris(2025, 6, 11, 23, 0)) == paris(2025, 6, 12, 7, 0)
    settings.PARVIS_SMS_QUIET_HOURS = ""
    assert not in_quiet_hours(paris(2025, 6, 11, 3, 0))
    assert in_quiet_hours(paris(2025, 6, 15, 3, 0))  # Sundays stay quiet
