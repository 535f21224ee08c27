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


# --- split days, overnight, 24/7 ----------------------------------------------------------


def test_split_day_is_closed_at_lunch_and_reopens():
    assert hours.is_open(TOWN_HALL, at(2026, 11, 24, 11, 59))
    assert not hours.is_open(TOWN_HALL, at(2026, 11, 24, 12, 0))
    assert hours.next_change(TOWN_HALL, at(2026, 11, 24, 12, 30)) == at(2026, 11, 24, 13, 30)
    assert hours.is_open(TOWN_HALL, at(2026, 11, 24, 13, 30))


def test_overnight_range_spills_into_the_next_morning():
    value = "Fr-Sa 22:00-02:00"
    assert hours.is_open(value, at(2026, 11, 27, 23, 0))  # Friday night
    assert hours.is_open(value, at(2026, 11, 28, 1, 30))  # Saturday 01:30, from Friday
    assert not hours.is_open(value, at(2026, 11, 28, 2, 0))
    assert not hours.is_open(value, at(2026, 11, 27, 1, 0))  # Thursday night: closed
    assert hours.next_change(value, at(2026, 11, 27, 23, 0)) == at(2026, 11, 28, 2, 0)
    days = hours.week(value, dt.date(2026, 11, 27))
    assert days[0].ranges == ((dt.time(22, 0), dt.time(23, 59)),)
    assert days[1].ranges == ((dt.time(0, 0), dt.time(2, 0)), (dt.time(22, 0), dt.time(23, 59)))
    assert days[2].ranges == ((dt.time(0, 0), dt.time(2, 0)),)


@pytest.mark.parametrize("value", ["24/7", "Mo-Su 00:00-24:00"])
def test_always_open_never_changes(value):
    for moment in (at(2026, 3, 29, 2, 30), at(2026, 10, 25, 2, 30), at(2026, 12, 25, 0, 0)):
        assert hours.is_open(value, moment)
        assert hours.next_change(value, moment) is None
    assert hours.status_label(value, at(2026, 11, 26, 10, 0)) == "Ouvert"
    span = hours.intervals(value, at(2026, 3, 28, 12, 0), at(2026, 3, 30, 12, 0))
    assert span == [(at(2026, 3, 28, 12, 0), at(2026, 3, 30, 12, 0))]
    assert all(
        day.ranges == ((dt.time(0, 0), dt.time(23, 59)),)
        for day in hours.week(value, dt.date(2026, 10, 24))
    )


# --- public holidays ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, name",
    [
        (dt.date(2026, 7, 14), "Fête nationale"),
        (dt.date(2026, 12, 25), "Noël"),
        (dt.date(2026, 4, 6), "Lundi de Pâques"),
        (dt.date(2026, 5, 14), "Ascension"),
        (dt.date(2027, 3, 29), "Lundi de Pâques"),
    ],
)
def test_french_public_holidays_close_with_ph_off(day, name):
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=P)
    assert not hours.is_open("Mo-Su 08:00-18:00; PH off", moment)
    assert hours.is_open("Mo-Su 08:00-18:00", moment)
    [first, *_rest] = hours.week("Mo-Su 08:00-18:00; PH off", day)
    assert first.is_closed
    assert first.public_holiday == name
    # The day after is an ordinary day.
    assert hours.is_open("Mo-Su 08:00-18:00; PH off", moment + dt.timedelta(days=1))


def test_public_holiday_label_says_when_it_reopens():
    # Monday 13 July 2026 evening: Tuesday 14 July is closed, Wednesday opens.
    label = hours.status_label(TOWN_HALL, at(2026, 7, 13, 18, 0))
    assert label == "Fermé · ouvre mercredi à 08:30"


# --- school holidays (SH), zone B by default ------------------------------------------------


def test_parser_has_no_french_school_holidays():
    """Why Parvis evaluates SH itself: opening-hours-py never matches SH for France."""
    import opening_hours

    raw = opening_hours.OpeningHours(
        "Mo-Fr 08:00-18:00; SH off", timezone=P, country="FR", auto_country=False
    )
    assert raw.is_open(at(2026, 10, 20, 10, 0))  # Toussaint 2026: still "open" there


def test_sh_off_closes_during_toussaint_2026_zone_b():
    value = "Mo-Fr 08:00-18:00; SH off"
    assert hours.is_open(value, at(2026, 10, 16, 10, 0))  # last school day
    assert not hours.is_open(value, at(2026, 10, 19, 10, 0))  # first holiday Monday
    assert not hours.is_open(value, at(2026, 10, 30, 10, 0))
    assert hours.is_open(value, at(2026, 11, 2, 10, 0))  # classes resume
    assert hours.next_change(value, at(2026, 10, 16, 19, 0)) == at(2026, 11, 2, 8, 0)
    assert hours.status_label(value, at(2026, 10, 16, 19, 0)) == (
        "Fermé · ouvre le lundi 2 novembre à 08:00"
    )
    days = hours.week(value, dt.date(2026, 10, 12))
    assert [bool(day.ranges) for day in days[:5]] == [True] * 5
    assert all(day.is_closed for day in hours.week(value, dt.date(2026, 10, 19)))


def test_sh_only_rule_opens_only_during_school_holidays():
    value = "SH Mo-Fr 10:00-12:00"  # read as SH,Mo-Fr by the parser: holidays or weekdays
    assert hours.is_open(value, at(2026, 10, 24, 10, 30))  # holiday Saturday
    assert hours.is_open(value, at(2026, 10, 14, 10, 30))  # school Wednesday
    assert not hours.is_open(value, at(2026, 10, 11, 10, 30))  # school Sunday
    centre = "SH 09:00-17:00"
    assert hours.is_open(centre, at(2026, 7, 20, 10, 0))
    assert not hours.is_open(centre, at(2026, 9, 14, 10, 0))
    assert hours.next_change(centre, at(2026, 9, 14, 10, 0)) == at(2026, 10, 17, 9, 0)


def test_school_zone_setting_changes_winter_holidays(settings):
    value = "Mo-Fr 08:00-18:00; SH off"
    monday = at(2026, 2, 9, 10, 0)  # zone A winter holidays, school for zones B and C
    assert hours.is_open(value, monday)
    settings.PARVIS_SCHOOL_ZONE = "A"
    assert not hours.is_open(value, monday)
    settings.PARVIS_SCHOOL_ZONE = "C"
    assert hours.is_open(value, monday)
    assert not hours.is_open(value, at(2026, 3, 2, 10, 0))


def test_school_holiday_calendar_agrees_with_the_holidays_package():
    """Two independent sources of the ministry's calendar must give the same days
    (the package also lists the Ascension bridge, which is not an SH period)."""
    import holidays

    from parvis.core.hours import school_holidays

    for zone in school_holidays.ZONES:
        ours = {
            day
            for day in school_holidays._days(zone)
            if dt.date(2024, 9, 1) <= day <= school_holidays.LAST_DAY
        }
        package = holidays.France(
            subdiv=f"Zone {zone}", categories=("school",), years=range(2024, 2029), language="fr"
        )
        theirs = {
            day
            for day, name in package.items()
            if "Ascension" not in name and dt.date(2024, 9, 1) <= day <= school_holidays.LAST_DAY
        }
        assert ours == theirs, zone


# --- dated exceptions -------------------------------------------------------------------------


SUMMER = hours.HoursException(dt.date(2026, 8, 3), dt.date(2026, 8, 21), "", "congés d'été")
SHORT_DAY = hours.HoursException(dt.date(2026, 8, 24), dt.date(2026, 8, 24), "10:00-11:00", "")


def test_closure_exception_closes_whole_days_and_is_labelled():
    exceptions = [SUMMER, SHORT_DAY]
    assert hours.is_open(TOWN_HALL, at(2026, 8, 5, 10, 0))
    assert not hours.is_open(TOWN_HALL, at(2026, 8, 5, 10, 0), exceptions=exceptions)
    assert hours.next_change(TOWN_HALL, at(2026, 8, 5, 10, 0), exceptions=exceptions) == at(
        2026, 8, 22, 9, 0
    )
    label = hours.status_label(TOWN_HALL, at(2026, 8, 5, 10, 0), exceptions=exceptions)
    assert label == "Fermé (congés d'été) · ouvre le samedi 22 août à 09:00"
    days = hours.week(TOWN_HALL, dt.date(2026, 8, 17), exceptions=exceptions)
    assert [day.is_closed for day in days] == [True] * 5 + [False, True]
    assert days[0].label == "congés d'été" and days[0].is_exception
    assert days[5].label == "" and not days[5].is_exception


def test_special_hours_on_a_date_replace_the_usual_hours():
    exceptions = [SUMMER, SHORT_DAY]
    monday = dt.date(2026, 8, 24)
    assert hours.week(TOWN_HALL, monday, exceptions=exceptions)[0].ranges == (
        (dt.time(10, 0), dt.time(11, 0)),
    )
    assert not hours.is_open(TOWN_HALL, at(2026, 8, 24, 9, 0), exceptions=exceptions)
    assert hours.is_open(TOWN_HALL, at(2026, 8, 24, 10, 30), exceptions=exceptions)
    assert not hours.is_open(TOWN_HALL, at(2026, 8, 24, 14, 0), exceptions=exceptions)
    spans = hours.intervals(
        TOWN_HALL, at(2026, 8, 21, 0, 0), at(2026, 8, 25, 12, 0), exceptions=exceptions
    )
    assert spans == [
        (at(2026, 8, 22, 9, 0), at(2026, 8, 22, 12, 0)),
        (at(2026, 8, 24, 10, 0), at(2026, 8, 24, 11, 0)),
        (at(2026, 8, 25, 8, 30), at(2026, 8, 25, 12, 0)),
    ]


def test_shortest_exception_wins_and_exceptions_open_an_empty_value():
    open_day = hours.HoursException(dt.date(2026, 8, 12), dt.date(2026, 8, 12), "14:00-16:00")
    assert hours.is_open(TOWN_HALL, at(2026, 8, 12, 15, 0), exceptions=[SUMMER, open_day])
    assert hours.is_open("", at(2026, 8, 12, 15, 0), exceptions=[open_day])
    assert not hours.is_open("", at(2026, 8, 13, 15, 0), exceptions=[open_day])


# --- daylight saving (last Sunday of March and of October 2026) -----------------------------


def elapsed(span):
    """Real duration (subtracting datetimes of one tzinfo would give wall-clock time)."""
    return span[1].astimezone(dt.UTC) - span[0].astimezone(dt.UTC)


def test_spring_forward_2026_03_29():
    value = "Mo-Su 01:00-04:00"
    assert hours.is_open(value, at(2026, 3, 29, 1, 30))
    assert hours.next_change(value, at(2026, 3, 29, 1, 30)) == at(2026, 3, 29, 4, 0)
    spans = hours.intervals(value, at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0))
    assert spans == [(at(2026, 3, 29, 1, 0), at(2026, 3, 29, 4, 0))]
    assert elapsed(spans[0]) == dt.timedelta(hours=2)  # 02:00-03:00 does not exist
    assert hours.week(value, dt.date(2026, 3, 29))[0].ranges == ((dt.time(1), dt.time(4)),)
    # An overnight range closes at the instant 02:00 would be, i.e. 03:00 summer time.
    night = "Mo-Su 22:00-02:00"
    assert hours.next_change(night, at(2026, 3, 28, 23, 0)) == at(2026, 3, 29, 3, 0)


def test_fall_back_2026_10_25():
    value = "Mo-Su 01:00-04:00"
    spans = hours.intervals(value, at(2026, 10, 25, 0, 0), at(2026, 10, 26, 0, 0))
    assert len(spans) == 1
    assert elapsed(spans[0]) == dt.timedelta(hours=4)  # 02:00-03:00 happens twice
    assert spans[0][1].utcoffset() == dt.timedelta(hours=1)  # winter time at 04:00
    assert hours.week(value, dt.date(2026, 10, 25))[0].ranges == ((dt.time(1), dt.time(4)),)
    # 02:30 UTC+2 and 02:30 UTC+1 are both open.
    assert hours.is_open(value, dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC))
    assert hours.is_open(value, dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC))
    change = hours.next_change(value, at(2026, 10, 25, 1, 30))
    assert change == dt.datetime(2026, 10, 25, 3, 0, tzinfo=dt.UTC)
    assert (change.hour, change.minute) == (4, 0)
    # A place open until 02:00 closes when the clock first shows 02:00 (00:00 UTC), and
    # is_open, next_change and intervals agree on it.
    night = "Mo-Su 22:00-02:00"
    first_two = dt.datetime(2026, 10, 25, 0, 0, tzinfo=dt.UTC)
    # (PEP 495: == between time zones is always False inside the repeated hour.)
    change = hours.next_change(night, at(2026, 10, 24, 23, 0))
    assert change.astimezone(dt.UTC) == first_two
    assert hours.is_open(night, first_two - dt.timedelta(minutes=1))
    assert not hours.is_open(night, first_two + dt.timedelta(minutes=15))
    assert not hours.is_open(night, first_two + dt.timedelta(minutes=75))  # 02:15 again
    [saturday_night, *_rest] = hours.intervals(
        night, at(2026, 10, 24, 12, 0), at(2026, 10, 26, 0, 0)
    )
    assert saturday_night[1].astimezone(dt.UTC) == first_two and elapsed(
        saturday_night
    ) == dt.timedelta(hours=4)
    # Town hall across the change: Monday 26 opens at 08:30 winter time.
    assert hours.next_change(TOWN_HALL, at(2026, 10, 24, 13, 0)) == dt.datetime(
        2026, 10, 26, 7, 30, tzinfo=dt.UTC
    )


def test_naive_and_foreign_timezones():
    utc_morning = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris
    assert hours.is_open(TOWN_HALL, utc_morning)
    assert hours.next_change(TOWN_HALL, utc_morning).tzinfo == P


# --- validation ---------------------------------------------------------------------------------


def message(value):
    with pytest.raises(ValidationError) as error:
        hours.validate_opening_hours(value)
    return error.value.messages[0]


def test_syntax_error_is_located():
    text = message("Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH of")
    assert text.startswith("Horaires illisibles près de « of » (caractère 51)")
    assert "Exemple valide : « Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off »" in text
    text = message("Mo-Fr 9h-12h")
    assert "(caractère 7)" in text and "9h" in text and "09:00" in text
    assert "(caractère 1)" in message("Lu-Ve 09:00-12:00")
    assert "anglais" in message("Lu-Ve 09:00-12:00")
    assert "fin du texte (caractère 19)" in message("Mo-Fr 10:00-12:00,")
    assert "24:00" in message("Mo-Fr 25:00-26:00")


@pytest.mark.parametrize(
    "value, where",
    [
        ("sunrise-sunset", "« sunrise-sunset » (caractère 1)"),
        ("Mo-Fr 10:00+", "« 10:00+ » (caractère 7)"),
        ("Mo 10:00-12:00 unknown", "« unknown » (caractère 16)"),
        ('Mo-Fr 08:00-12:00 || "sur rendez-vous"', "(caractère 19)"),
        ("Mo-Fr 08:00-08:00", "« 08:00-08:00 » (caractère 7)"),
        ("mo-fr 10:00-12:00", "majuscule"),
        ("2020 Mo-Fr 08:00-12:00", "aucune ouverture"),
    ],
)
def test_values_the_parser_accepts_but_residents_cannot_use_are_refused(value, where):
    assert where in message(value)


@pytest.mark.parametrize(
    "value",
    [
        TOWN_HALL,
        "24/7",
        "Mo-Su 22:00-02:00",
        "Mo-Fr 08:00-18:00; SH off",
        "SH Mo-Fr 10:00-12:00",
        'Mo-Fr 09:00-12:00 "sur rendez-vous l\'après-midi"',
        "Jul-Aug Mo-Sa 09:00-19:00; Sep-Jun Mo-Fr 09:00-12:00",
        "",
    ],
)
def test_usable_values_pass(value):
    hours.validate_opening_hours(value)


# --- simple grid and description -------------------------------------------------------------


def test_grid_round_trip_and_description():
    grid = hours.parse_grid(TOWN_HALL)
    assert grid.days[0] == (("08:30", "12:00"), ("13:30", "17:00"))
    assert grid.days[5] == (("09:00", "12:00"),) and grid.days[6] == ()
    assert grid.ph_closed
    assert hours.grid_to_value(grid) == TOWN_HALL
    assert hours.describe(TOWN_HALL) == (
        "Du lundi au vendredi de 08:30 à 12:00 et de 13:30 à 17:00 ; "
        "le samedi de 09:00 à 12:00. Fermé les jours fériés."
    )
    mixed = hours.WeekGrid(
        days=((("09:00", "12:00"),), (), (("09:00", "12:00"),), (), (("09:00", "12:00"),), (), ())
    )
    assert hours.grid_to_value(mixed) == "Mo,We,Fr 09:00-12:00"
    assert hours.parse_grid("Mo,We,Fr 09:00-12:00") == mixed


@pytest.mark.parametrize(
    "value",
    ["Mo-Fr 08:00-18:00; SH off", "Mo 22:00-02:00", 'Mo 09:00-12:00 "rdv"', "Jul Mo 09:00-10:00"],
)
def test_complex_values_have_no_grid(value):
    assert hours.parse_grid(value) is None
    assert hours.describe(value) == ""
