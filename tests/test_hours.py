import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from parvis.core import hours

P = hours.PARIS
TOWN_HALL = "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"


def at(*args):
    return dt.datetime(*args, tzinfo=P)


def test_open_and_closed():
    assert hours.is_open(TOWN_HALL, at(2026, 11, 26, 10, 0))  # Thursday morning
    assert not hours.is_open(TOWN_HALL, at(2026, 11, 26, 12, 30))
    assert not hours.is_open(TOWN_HALL, at(2026, 11, 29, 10, 0))  # Sunday


def test_public_holidays_are_closed():
    assert not hours.is_open(TOWN_HALL, at(2026, 7, 14, 10, 0))  # Fête nationale, a Tuesday
    assert not hours.is_open(TOWN_HALL, at(2026, 12, 25, 10, 0))


def test_next_change_and_label():
    assert hours.next_change(TOWN_HALL, at(2026, 11, 26, 10, 0)) == at(2026, 11, 26, 12, 0)
    assert hours.status_label(TOWN_HALL, at(2026, 11, 26, 10, 0)) == "Ouvert · ferme à 12:00"
    label = hours.status_label(TOWN_HALL, at(2026, 11, 28, 13, 0))  # Saturday afternoon
    assert label == "Fermé · ouvre lundi à 08:30"
    assert hours.status_label(TOWN_HALL, at(2026, 11, 26, 18, 0)) == "Fermé · ouvre demain à 08:30"


def test_daylight_saving_change():
    value = "Mo-Su 01:00-04:00"
    # 2026-03-29: clocks go from 02:00 to 03:00 in Paris.
    assert hours.is_open(value, at(2026, 3, 29, 3, 30))
    utc_instant = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)  # 03:30 in Paris
    assert hours.is_open(value, utc_instant)


def test_week_lists_ranges():
    days = hours.week(TOWN_HALL, dt.date(2026, 11, 23))
    assert len(days) == 7
    assert days[0].ranges == ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 0)))
    assert days[6].is_closed


def test_invalid_value_is_explained():
    with pytest.raises(ValidationError) as error:
        hours.validate_opening_hours("lundi de 9h à midi")
    assert "Horaires illisibles" in str(error.value)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        hours.is_open(TOWN_HALL, dt.datetime(2026, 11, 26, 10))
