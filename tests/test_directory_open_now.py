"""« Ouvert maintenant » from the interval index agrees with the hours engine.

The SQL filter of ``place_list(open_at=...)`` (an EXISTS on materialised intervals) must
keep exactly the places the engine (:mod:`parvis.core.hours`, with dated exceptions) says
are open, for varied values: split days, public holidays, overnight ranges, 24/7, dated
closures and special hours, and the two daylight-saving days.
"""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parvis.core import hours
from parvis.directory import selectors
from parvis.directory.hours_index import current_window, hours_index_refresh, open_intervals
from parvis.directory.models import (
    Category,
    Place,
    PlaceException,
    PlaceKind,
    PlaceOpenInterval,
    PlaceStatus,
)

PARIS = hours.PARIS

VALUES = [
    "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off",
    "Mo-Su 22:00-02:00",
    "Fr-Sa 18:00-01:30; PH off",
    "24/7",
    "Mo-Su 00:00-24:00",
    "Mo-Su 01:30-03:30",
    "Tu,Th 14:00-18:30",
    "Mo-Sa 07:00-20:00; Su 08:00-12:30",
    "We 10:00-12:00; PH 10:00-12:00",
    "Mo-Fr 09:00-17:00; PH closed",
    "Sa-Su 10:00-19:00",
    "Mo 08:00-12:00; Tu-Fr 08:00-12:00,14:00-18:00; Su off",
    "",
]


def _paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def _make_places(anchor: dt.date, rng: random.Random) -> list[Place]:
    """One published place per value, plus copies with exceptions around ``anchor``."""
    places = []
    for index, value in enumerate(VALUES):
        places.append(
            Place.objects.create(
                kind=PlaceKind.FACILITY,
                name=f"Lieu {index:02d}",
                slug=f"lieu-{index:02d}",
                opening_hours=value,
                status=PlaceStatus.PUBLISHED,
            )
        )
    special = ["", "09:00-12:00", "14:00-02:00", "00:00-24:00", "10:00-11:00,15:00-16:00"]
    for index, value in enumerate(VALUES):
        place = Place.objects.create(
            kind=PlaceKind.SERVICE,
            name=f"Exception {index:02d}",
            slug=f"exception-{index:02d}",
            opening_hours=value,
            status=PlaceStatus.PUBLISHED,
        )
        offset = rng.randint(-1, 3)
        length = rng.randint(0, 2)
        PlaceException.objects.create(
            place=place,
            start_date=anchor + dt.timedelta(days=offset),
            end_date=anchor + dt.timedelta(days=offset + length),
            opening_hours=special[index % len(special)],
            label="Exception",
        )
        places.append(place)
    # A draft open around the clock: never listed.
    Place.objects.create(
        kind=PlaceKind.FACILITY, name="Brouillon", slug="brouillon", opening_hours="24/7"
    )
    return places


def _engine_open_ids(at: dt.datetime) -> set[int]:
    return {
        place.pk
        for place in Place.objects.published().prefetch_related("exceptions")
        if hours.is_open(place.opening_hours, at, exceptions=place.hours_exceptions())
    }


def _sql_open_ids(at: dt.datetime) -> set[int]:
    with CaptureQueriesContext(connection) as queries:
        ids = set(selectors.place_list(open_at=at).values_list("pk", flat=True))
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "directory_placeopeninterval" in sql, "the index was not used"
    return ids


# Days worth checking: both daylight-saving changes, public holidays, ordinary weeks.
ANCHORS = [
    dt.date(2026, 3, 29),  # clocks go forward at 02:00
    dt.date(2026, 10, 25),  # clocks go back at 03:00
    dt.date(2026, 4, 6),  # Easter Monday
    dt.date(2026, 5, 14),  # Ascension
    dt.date(2026, 7, 14),
    dt.date(2026, 12, 25),
    dt.date(2027, 1, 13),
]


@pytest.mark.django_db
@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_sql_filter_agrees_with_engine(anchor):
    rng = random.Random(anchor.toordinal())
    _make_places(anchor, rng)
    hours_index_refresh(today=anchor)
    moments = [
        _paris(anchor.year, anchor.month, anchor.day, 0, 0),
        _paris(anchor.year, anchor.month, anchor.day, 1, 45),
        _paris(anchor.year, anchor.month, anchor.day, 3, 15),
        _paris(anchor.year, anchor.month, anchor.day, 12, 0),
        _paris(anchor.year, anchor.month, anchor.day, 23, 59),
    ]
    # Both readings of 02:30 on the night clocks go back, and 01:59:59 before they jump.
    if anchor == dt.date(2026, 10, 25):
        moments += [
            dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # 02:30 summer time
            dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),  # 02:30 winter time
        ]
    if anchor == dt.date(2026, 3, 29):
        moments.append(dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=dt.UTC))
    # Random-ish minutes over the indexed days, edges included.
    # (Arithmetic in UTC: Paris wall-clock arithmetic could land on 02:30 of the night
    # clocks go forward, a time that does not exist.)
    window_start = _paris(anchor.year, anchor.month, anchor.day).astimezone(dt.UTC)
    window_start -= dt.timedelta(days=1)
    moments += [
        (window_start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 9))).astimezone(PARIS)
        for _ in range(40)
    ]
    window_end = current_window().end
    moments += [window_start, window_end - dt.timedelta(seconds=1)]
    for at in moments:
        assert _sql_open_ids(at) == _engine_open_ids(at), at.astimezone(PARIS).isoformat()


@pytest.mark.django_db
def test_outside_the_window_hours_are_evaluated_in_python():
    anchor = dt.date(2026, 6, 10)
    _make_places(anchor, random.Random(1))
    hours_index_refresh(today=anchor)
    for at in (_paris(2026, 6, 1, 10, 0), _paris(2026, 7, 14, 10, 0), _paris(2026, 8, 3, 23, 0)):
        assert not current_window().covers(at)
        with CaptureQueriesContext(connection) as queries:
            ids = set(selectors.place_list(open_at=at).values_list("pk", flat=True))
        assert "directory_placeopeninterval" not in " ".join(
            q["sql"] for q in queries.captured_queries
        )
        assert ids == _engine_open_ids(at)


@pytest.mark.django_db
def test_without_a_window_the_python_path_gives_the_same_answer():
    _make_places(dt.date(2026, 6, 10), random.Random(2))
    at = _paris(2026, 6, 10, 10, 30)
    assert current_window() is None
    assert hours_index_refresh(places=Place.objects.all()) == 0  # no window: nothing to do
    expected = _engine_open_ids(at)
    assert expected  # the sample has places open on a Wednesday morning
    assert set(selectors.place_list(open_at=at).values_list("pk", flat=True)) == expected


@pytest.mark.django_db
def test_partial_refresh_follows_a_change_of_hours():
    place = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Médiathèque",
        slug="mediatheque",
        opening_hours="Tu-Sa 10:00-18:00",
        status=PlaceStatus.PUBLISHED,
    )
    other = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Stade",
        slug="stade",
        opening_hours="Mo-Su 08:00-22:00",
        status=PlaceStatus.PUBLISHED,
    )
    hours_index_refresh(today=dt.date(2026, 6, 9))
    wednesday = _paris(2026, 6, 10, 11, 0)
    assert set(selectors.place_list(open_at=wednesday)) == {place, other}
    other_rows = list(PlaceOpenInterval.objects.filter(place=other).values_list("pk", flat=True))

    place.opening_hours = "Th-Sa 10:00-18:00"
    place.save()
    assert set(selectors.place_list(open_at=wednesday)) == {place, other}  # index not yet told
    hours_index_refresh(places=[place])
    assert list(selectors.place_list(open_at=wednesday)) == [other]
    # The other place's rows were left alone.
    assert list(PlaceOpenInterval.objects.filter(place=other).values_list("pk", flat=True)) == (
        other_rows
    )

    PlaceException.objects.create(
        place=other, start_date=dt.date(2026, 6, 10), end_date=dt.date(2026, 6, 10), label="Gala"
    )
    hours_index_refresh(places=[other.pk])
    assert list(selectors.place_list(open_at=wednesday)) == []
    assert list(selectors.place_list(open_at=wednesday + dt.timedelta(days=1))) == [place, other]


@pytest.mark.django_db
def test_full_refresh_rolls_the_window_and_is_idempotent():
    Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Piscine",
        slug="piscine",
        opening_hours="Mo-Su 09:00-19:00",
        status=PlaceStatus.PUBLISHED,
    )
    first = hours_index_refresh(today=dt.date(2026, 6, 10))
    assert first == 22  # yesterday + today + 20 more days, one stretch each
    assert current_window().start == _paris(2026, 6, 9)
    assert current_window().end == _paris(2026, 7, 1)
    assert hours_index_refresh(today=dt.date(2026, 6, 10)) == first
    assert PlaceOpenInterval.objects.count() == first

    out = StringIO()
    call_command("refresh_directory_hours", "--date", "2026-06-11", stdout=out)
    assert current_window().start == _paris(2026, 6, 10)
    assert "22 plages d'ouverture" in out.getvalue()
    assert PlaceOpenInterval.objects.order_by("start").first().start == _paris(2026, 6, 10, 9)


@pytest.mark.django_db
def test_refresh_if_stale_rolls_the_index_once_a_day(time_machine):
    Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Piscine",
        slug="piscine",
        opening_hours="Mo-Su 09:00-19:00",
        status=PlaceStatus.PUBLISHED,
    )
    time_machine.move_to(_paris(2026, 6, 10, 8), tick=False)
    call_command("refresh_directory_hours", "--if-stale", stdout=StringIO())
    refreshed_at = current_window().refreshed_at
    assert current_window().start == _paris(2026, 6, 9)

    call_command("refresh_directory_hours", "--if-stale", stdout=StringIO())
    assert current_window().refreshed_at == refreshed_at  # same day: nothing recomputed

    time_machine.move_to(_paris(2026, 6, 11, 0, 1), tick=False)
    call_command("refresh_directory_hours", "--if-stale", stdout=StringIO())
    assert current_window().start == _paris(2026, 6, 10)  # a new day: rolled forward


def test_stored_intervals_are_cut_at_local_midnight():
    start, end = _paris(2026, 3, 28), _paris(2026, 3, 31)
    pieces = open_intervals("24/7", start, end)
    assert [(a.astimezone(PARIS), b.astimezone(PARIS)) for a, b in pieces] == [
        (_paris(2026, 3, 28), _paris(2026, 3, 29)),
        (_paris(2026, 3, 29), _paris(2026, 3, 30)),  # 23 hours long
        (_paris(2026, 3, 30), _paris(2026, 3, 31)),
    ]
    assert pieces[1][1] - pieces[1][0] == dt.timedelta(hours=23)
    overnight = open_intervals("Sa 22:00-02:00", start, end)
    assert [(a.astimezone(PARIS), b.astimezone(PARIS)) for a, b in overnight] == [
        (_paris(2026, 3, 28, 22), _paris(2026, 3, 29)),
        (_paris(2026, 3, 29), _paris(2026, 3, 29, 3)),  # 02:00 does not exist that night
    ]


@pytest.mark.django_db
def test_open_now_combines_with_other_filters_in_bounded_queries(django_assert_max_num_queries):
    sport = Category.objects.create(name="Sport", slug="sport")
    tennis = Category.objects.create(name="Tennis", slug="tennis", parent=sport)
    court = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Court de tennis",
        slug="court",
        opening_hours="Mo-Su 08:00-21:00",
        status=PlaceStatus.PUBLISHED,
        wheelchair="yes",
    )
    court.categories.add(tennis)
    court.save()  # parental many-to-many: written on save
    closed = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Gymnase",
        slug="gymnase",
        opening_hours="Mo-Fr 17:00-22:00",
        status=PlaceStatus.PUBLISHED,
        wheelchair="yes",
    )
    closed.categories.add(sport)
    closed.save()
    for index in range(30):
        Place.objects.create(
            kind=PlaceKind.BUSINESS,
            name=f"Commerce {index}",
            slug=f"commerce-{index}",
            opening_hours="Mo-Sa 09:00-19:00",
            status=PlaceStatus.PUBLISHED,
        )
    hours_index_refresh(today=dt.date(2026, 6, 10))
    at = _paris(2026, 6, 10, 10, 0)
    with django_assert_max_num_queries(3):
        found = list(
            selectors.place_list(
                open_at=at, category=sport, wheelchair=True, kinds=[PlaceKind.FACILITY]
            )
        )
    assert found == [court]
    with django_assert_max_num_queries(3):
        assert selectors.place_list(open_at=at).count() == 31
