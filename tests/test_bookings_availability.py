"""Availability of appointments and resources: desks' hours, absences, public holidays,
closures, booking delays, daylight-saving changes and existing bookings; validation of
free ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from parvis.bookings import selectors
from parvis.bookings.exceptions import OutsideOpeningHours, TooSoonOrTooLate
from parvis.bookings.models import (
    Agenda,
    AgendaKind,
    AppointmentType,
    Booking,
    BookingStatus,
    Closure,
    Desk,
    DeskAbsence,
    Resource,
)
from parvis.core import hours
from parvis.core.models import Service
from parvis.directory.models import Place, PlaceException, PlaceKind, PlaceStatus

PARIS = hours.PARIS
UTC = dt.UTC


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def local(slot_time: dt.datetime) -> str:
    """A UTC instant as Paris wall clock with its offset, e.g. '2026-03-29 03:00+02:00'."""
    return slot_time.astimezone(PARIS).strftime("%Y-%m-%d %H:%M%z")


def starts(slots) -> list[str]:
    return [slot.start.astimezone(PARIS).strftime("%H:%M") for slot in slots]


@pytest.fixture
def service(db):
    return Service.objects.create(name="État civil", slug="etat-civil")


@pytest.fixture
def passports(service):
    agenda = Agenda.objects.create(
        kind=AgendaKind.APPOINTMENT,
        title="Passeports et cartes d'identité",
        slug="passeports",
        service=service,
        status=Agenda.Status.PUBLISHED,
        min_delay_hours=0,
        max_delay_days=400,
    )
    desk = Desk.objects.create(
        agenda=agenda, name="Guichet 1", opening_hours="Mo-Fr 08:30-12:00; PH off"
    )
    passport = AppointmentType.objects.create(
        agenda=agenda, name="Passeport", duration_minutes=30, ants_required=True
    )
    return agenda, desk, passport


# A Monday, long before the days asked for.
MONDAY_BEFORE = paris(2026, 6, 1, 9, 0)


def book(agenda, *, desk=None, resource=None, start, minutes=30, status=BookingStatus.CONFIRMED):
    return Booking.objects.create(
        agenda=agenda,
        desk=desk,
        resource=resource,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        status=status,
        first_name="Camille",
        last_name="Fictive",
        email="camille.fictive@example.org",
    )


# --- appointments -------------------------------------------------------------------------


def test_grid_of_a_desk_follows_its_hours(passports):
    agenda, desk, passport = passports
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 6, 8),  # Monday
        day_to=dt.date(2026, 6, 8),
        now=MONDAY_BEFORE,
    )
    assert starts(slots) == ["08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert all(slot.free == 1 for slot in slots)
    assert all(slot.start.utcoffset() == dt.timedelta(0) for slot in slots)
    assert slots[0].end - slots[0].start == dt.timedelta(minutes=30)
    # A 20-minute type: 11:50 would end after noon, so the last start is 11:30.
    id_card = AppointmentType.objects.create(agenda=agenda, name="CNI", duration_minutes=20)
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=id_card,
        day_from=dt.date(2026, 6, 8),
        day_to=dt.date(2026, 6, 8),
        now=MONDAY_BEFORE,
    )
    assert starts(slots)[-3:] == ["10:50", "11:10", "11:30"]
    # The week-end: nothing.
    assert not selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 6, 13),
        day_to=dt.date(2026, 6, 14),
        now=MONDAY_BEFORE,
    )


def test_public_holidays_close_the_desks(passports):
    agenda, desk, passport = passports
    # Tuesday 14 July 2026 (Fête nationale) and Thursday 6 May 2027 (Ascension).
    for holiday, ordinary in (
        (dt.date(2026, 7, 14), dt.date(2026, 7, 15)),
        (dt.date(2027, 5, 6), dt.date(2027, 5, 7)),
    ):
        assert hours.public_holiday(holiday)
        slots = selectors.appointment_slots(
            agenda=agenda,
            appointment_type=passport,
            day_from=holiday,
            day_to=ordinary,
            now=MONDAY_BEFORE,
        )
        days = {selectors_local_date(slot.start) for slot in slots}
        assert days == {ordinary}
        desks, problem = selectors.appointment_slot_problem(
            agenda=agenda,
            appointment_type=passport,
            start=dt.datetime.combine(holiday, dt.time(9), tzinfo=PARIS),
            now=MONDAY_BEFORE,
        )
        assert desks == [] and problem.code == "hours"
        assert isinstance(problem.error(), OutsideOpeningHours)


def selectors_local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(PARIS).date()


def test_absences_and_a_second_desk(passports):
    agenda, desk, passport = passports
    second = Desk.objects.create(
        agenda=agenda, name="Guichet 2", opening_hours="Mo-Fr 09:00-11:00; PH off"
    )
    DeskAbsence.objects.create(
        desk=desk, start=paris(2026, 6, 8, 9, 45), end=paris(2026, 6, 8, 10, 45), reason="Formation"
    )
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 6, 8),
        day_to=dt.date(2026, 6, 8),
        now=MONDAY_BEFORE,
    )
    free = {slot.start.astimezone(PARIS).strftime("%H:%M"): slot.free for slot in slots}
    assert free == {
        "08:30": 1,
        "09:00": 2,
        "09:30": 1,  # desk 1 absent from 09:45: the 09:30 appointment would not end in time
        "10:00": 1,
        "10:30": 1,
        "11:00": 1,  # desk 2 closes at 11:00
        "11:30": 1,
    }
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda, appointment_type=passport, start=paris(2026, 6, 8, 10), now=MONDAY_BEFORE
    )
    assert problem is None and desks == [second]
    # Desk 2 is inactive: 10:00 has no desk any more, because desk 1 is absent.
    second.active = False
    second.save()
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda, appointment_type=passport, start=paris(2026, 6, 8, 10), now=MONDAY_BEFORE
    )
    assert desks == [] and problem.code == "absence"


def test_closures_remove_slots(passports):
    agenda, desk, passport = passports
    Closure.objects.create(
        agenda=agenda,
        start=paris(2026, 6, 9, 10, 0),
        end=paris(2026, 6, 10, 0, 0),
        reason="Grève",
    )
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 6, 9),
        day_to=dt.date(2026, 6, 10),
        now=MONDAY_BEFORE,
    )
    tuesday = [slot for slot in slots if selectors_local_date(slot.start) == dt.date(2026, 6, 9)]
    assert starts(tuesday) == ["08:30", "09:00", "09:30"]
    assert len(slots) - len(tuesday) == 7  # Wednesday untouched
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda, appointment_type=passport, start=paris(2026, 6, 9, 11), now=MONDAY_BEFORE
    )
    assert desks == [] and problem.code == "closure" and "Grève" in problem


def test_min_and_max_delays(passports):
    agenda, desk, passport = passports
    agenda.min_delay_hours = 24
    agenda.max_delay_days = 3
    agenda.save()
    now = paris(2026, 6, 8, 9, 10)  # Monday 09:10
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 6, 8),
        day_to=dt.date(2026, 6, 12),
        now=now,
    )
    assert local(slots[0].start) == "2026-06-09 09:30+0200"  # at least 24 hours ahead
    assert local(slots[-1].start) == "2026-06-11 09:00+0200"  # at most 3 days ahead
    for start, code in (
        (paris(2026, 6, 8, 11, 30), "too_soon"),
        (paris(2026, 6, 9, 9, 0), "too_soon"),
        (paris(2026, 6, 11, 9, 30), "too_late"),
        (paris(2026, 6, 1, 9, 0), "too_soon"),  # in the past
    ):
        desks, problem = selectors.appointment_slot_problem(
            agenda=agenda, appointment_type=passport, start=start, now=now
        )
        assert desks == [] and problem.code == code, start
        assert isinstance(problem.error(), TooSoonOrTooLate)
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda, appointment_type=passport, start=paris(2026, 6, 9, 9, 30), now=now
    )
    assert problem is None and desks == [desk]


@pytest.fixture
def night_desk(passports):
    """A desk open on Sundays from 01:00 to 04:00, through the clock changes."""
    agenda, desk, passport = passports
    desk.opening_hours = "Su 01:00-04:00"
    desk.save()
    return agenda, desk, passport


def test_spring_forward_has_no_two_o_clock(night_desk):
    agenda, desk, passport = night_desk
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 3, 29),
        day_to=dt.date(2026, 3, 29),
        now=paris(2026, 3, 1, 12),
    )
    assert [local(slot.start) for slot in slots] == [
        "2026-03-29 01:00+0100",
        "2026-03-29 01:30+0100",
        "2026-03-29 03:00+0200",
        "2026-03-29 03:30+0200",
    ]
    assert all(slot.end - slot.start == dt.timedelta(minutes=30) for slot in slots)
    # 02:30 does not exist that night; the hours engine reads it as 03:30 CEST, and the
    # slot 01:30 CET lasts until 03:00 CEST.
    assert slots[1].end == slots[2].start


def test_fall_back_offers_the_repeated_hour_twice(night_desk):
    agenda, desk, passport = night_desk
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 10, 25),
        day_to=dt.date(2026, 10, 25),
        now=paris(2026, 10, 1, 12),
    )
    assert [local(slot.start) for slot in slots] == [
        "2026-10-25 01:00+0200",
        "2026-10-25 01:30+0200",
        "2026-10-25 02:00+0200",
        "2026-10-25 02:30+0200",
        "2026-10-25 02:00+0100",
        "2026-10-25 02:30+0100",
        "2026-10-25 03:00+0100",
        "2026-10-25 03:30+0100",
    ]
    assert len({slot.start for slot in slots}) == 8
    # The second 02:00 (fold=1) is a real start, and a booking at the first one does not
    # take it.
    second_two = dt.datetime(2026, 10, 25, 2, 0, tzinfo=PARIS, fold=1)
    assert second_two.astimezone(UTC) == dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    book(agenda, desk=desk, start=dt.datetime(2026, 10, 25, 0, 0, tzinfo=UTC))  # 02:00+02
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 10, 25),
        day_to=dt.date(2026, 10, 25),
        now=paris(2026, 10, 1, 12),
    )
    taken = [local(slot.start) for slot in slots if not slot.free]
    assert taken == ["2026-10-25 02:00+0200"]
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda, appointment_type=passport, start=second_two, now=paris(2026, 10, 1, 12)
    )
    assert problem is None and desks == [desk]


def test_dst_days_of_an_ordinary_desk_keep_their_local_hours(passports):
    """On the Friday before and the Monday after each change, a Monday-to-Friday desk
    opens at 08:30 local time: the UTC offset changes, the wall clock does not."""
    agenda, desk, passport = passports
    agenda.max_delay_days = 400
    agenda.save()
    for friday, monday, before, after in (
        (dt.date(2026, 3, 27), dt.date(2026, 3, 30), "+0100", "+0200"),
        (dt.date(2026, 10, 23), dt.date(2026, 10, 26), "+0200", "+0100"),
    ):
        slots = selectors.appointment_slots(
            agenda=agenda,
            appointment_type=passport,
            day_from=friday,
            day_to=monday,
            now=paris(2026, 3, 1, 12),
        )
        assert [local(slot.start) for slot in slots[::7]] == [
            f"{friday} 08:30{before}",
            f"{monday} 08:30{after}",
        ]
        assert len(slots) == 14


def test_existing_bookings_take_their_desk(passports):
    agenda, desk, passport = passports
    second = Desk.objects.create(
        agenda=agenda, name="Guichet 2", opening_hours="Mo-Fr 08:30-12:00; PH off"
    )
    book(agenda, desk=desk, start=paris(2026, 6, 8, 9, 0))
    # An agent booked desk 2 off the grid, from 09:15 to 09:45: both 09:00 and 09:30 lose it.
    book(agenda, desk=second, start=paris(2026, 6, 8, 9, 15))
    book(agenda, desk=desk, start=paris(2026, 6, 8, 10, 0), status=BookingStatus.HELD)
    book(agenda, desk=second, start=paris(2026, 6, 8, 10, 0), status=BookingStatus.CANCELLED)
    book(agenda, desk=second, start=paris(2026, 6, 8, 10, 30), status=BookingStatus.EXPIRED)
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 6, 8),
        day_to=dt.date(2026, 6, 8),
        now=MONDAY_BEFORE,
    )
    free = {slot.start.astimezone(PARIS).strftime("%H:%M"): slot.free for slot in slots}
    assert free["08:30"] == 2
    assert free["09:00"] == 0
    assert free["09:30"] == 1
    assert free["10:00"] == 1  # held on desk 1; the cancellation of desk 2 frees it
    assert free["10:30"] == 2
    bookable = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 6, 8),
        day_to=dt.date(2026, 6, 8),
        now=MONDAY_BEFORE,
        include_full=False,
    )
    assert "09:00" not in starts(bookable) and len(bookable) == len(slots) - 1
    # The problem check ignores bookings (the engine checks them under lock).
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda, appointment_type=passport, start=paris(2026, 6, 8, 9), now=MONDAY_BEFORE
    )
    assert problem is None and desks == [desk, second]


def test_slot_problem_grid_and_type(passports, service):
    agenda, desk, passport = passports
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda, appointment_type=passport, start=paris(2026, 6, 8, 9, 10), now=MONDAY_BEFORE
    )
    assert desks == [] and problem.code == "grid"
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda,
        appointment_type=passport,
        start=paris(2026, 6, 8, 9, 10),
        now=MONDAY_BEFORE,
        require_grid=False,
    )
    assert problem is None and desks == [desk]
    # 11:45 + 30 minutes ends after noon, even off the grid.
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda,
        appointment_type=passport,
        start=paris(2026, 6, 8, 11, 45),
        now=MONDAY_BEFORE,
        require_grid=False,
    )
    assert desks == [] and problem.code == "hours"
    other = Agenda.objects.create(
        kind=AgendaKind.APPOINTMENT, title="Urbanisme", slug="urbanisme", service=service
    )
    other_type = AppointmentType.objects.create(agenda=other, name="Conseil", duration_minutes=30)
    desks, problem = selectors.appointment_slot_problem(
        agenda=agenda, appointment_type=other_type, start=paris(2026, 6, 8, 9), now=MONDAY_BEFORE
    )
    assert desks == [] and problem.code == "invalid"


def test_every_offered_slot_passes_the_problem_check(passports):
    agenda, desk, passport = passports
    Desk.objects.create(agenda=agenda, name="Guichet 2", opening_hours="Mo-Fr 08:40-11:00")
    id_card = AppointmentType.objects.create(agenda=agenda, name="CNI", duration_minutes=20)
    for kind in (passport, id_card):
        slots = selectors.appointment_slots(
            agenda=agenda,
            appointment_type=kind,
            day_from=dt.date(2026, 6, 8),
            day_to=dt.date(2026, 6, 9),
            now=MONDAY_BEFORE,
        )
        assert slots
        for slot in slots:
            desks, problem = selectors.appointment_slot_problem(
                agenda=agenda, appointment_type=kind, start=slot.start, now=MONDAY_BEFORE
            )
            assert problem is None and len(desks) == slot.free


def test_appointment_slots_query_count_does_not_grow_with_the_window(
    passports, django_assert_max_num_queries
):
    agenda, desk, passport = passports
    Desk.objects.create(agenda=agenda, name="Guichet 2", opening_hours="Mo-Sa 09:00-12:00")
    for day in range(8, 13):
        book(agenda, desk=desk, start=paris(2026, 6, day, 9, 0))
        DeskAbsence.objects.create(
            desk=desk, start=paris(2026, 6, day, 11), end=paris(2026, 6, day, 12)
        )
    with django_assert_max_num_queries(4):
        slots = selectors.appointment_slots(
            agenda=agenda,
            appointment_type=passport,
            day_from=dt.date(2026, 6, 1),
            day_to=dt.date(2026, 7, 1),
            now=paris(2026, 5, 31, 12),
        )
    assert len(slots) > 150  # 22 weekdays and 4 Saturdays


# --- resources ----------------------------------------------------------------------------


@pytest.fixture
def sports(db):
    return Service.objects.create(name="Sports", slug="sports")


@pytest.fixture
def tennis(sports):
    agenda = Agenda.objects.create(
        kind=AgendaKind.RESOURCE,
        title="Courts de tennis",
        slug="tennis",
        service=sports,
        status=Agenda.Status.PUBLISHED,
        max_delay_days=30,
    )
    court = Resource.objects.create(
        agenda=agenda, name="Court 1", opening_hours="Mo-Su 08:00-21:00", slot_minutes=60
    )
    return agenda, court


@pytest.fixture
def hall(sports):
    place = Place.objects.create(
        kind=PlaceKind.FACILITY,
        name="Salle des fêtes",
        slug="salle-des-fetes",
        opening_hours="Mo-Sa 08:00-12:00,14:00-23:30",
        status=PlaceStatus.PUBLISHED,
    )
    PlaceException.objects.create(
        place=place,
        start_date=dt.date(2026, 6, 12),
        end_date=dt.date(2026, 6, 12),
        label="Désinfection",
    )
    agenda = Agenda.objects.create(
        kind=AgendaKind.RESOURCE,
        title="Salle des fêtes",
        slug="salle",
        service=sports,
        place=place,
        status=Agenda.Status.PUBLISHED,
        requires_approval=True,
    )
    room = Resource.objects.create(agenda=agenda, name="Grande salle", min_minutes=60)
    return agenda, room


def test_fixed_slots_of_a_court(tennis):
    agenda, court = tennis
    book(agenda, resource=court, start=paris(2026, 6, 10, 10), minutes=60)
    book(agenda, resource=court, start=paris(2026, 6, 10, 12), status=BookingStatus.CANCELLED)
    Closure.objects.create(
        agenda=agenda, start=paris(2026, 6, 10, 18), end=paris(2026, 6, 11), reason="Tournoi"
    )
    slots = selectors.resource_slots(
        resource=court,
        day_from=dt.date(2026, 6, 10),
        day_to=dt.date(2026, 6, 10),
        now=paris(2026, 6, 9, 12),
    )
    assert starts(slots) == [f"{hour:02d}:00" for hour in range(8, 21)]
    taken = [slot.start.astimezone(PARIS).hour for slot in slots if not slot.free]
    assert taken == [10, 18, 19, 20]
    # Delays: from now (10:20) on, and the court is bookable 30 days ahead at most.
    slots = selectors.resource_slots(
        resource=court,
        day_from=dt.date(2026, 6, 10),
        day_to=dt.date(2026, 7, 31),
        now=paris(2026, 6, 10, 10, 20),
    )
    assert local(slots[0].start) == "2026-06-10 11:00+0200"
    assert local(slots[-1].start) == "2026-07-10 10:00+0200"
    court.active = False
    court.save()
    assert not selectors.resource_slots(
        resource=court,
        day_from=dt.date(2026, 6, 10),
        day_to=dt.date(2026, 6, 10),
        now=paris(2026, 6, 9, 12),
    )


def test_a_resource_without_hours_uses_its_place_and_its_exceptions(hall):
    agenda, room = hall
    slots = selectors.resource_slots(
        resource=room,
        day_from=dt.date(2026, 6, 11),  # Thursday
        day_to=dt.date(2026, 6, 14),  # Sunday
        now=paris(2026, 6, 1, 12),
    )
    by_day = {}
    for slot in slots:
        by_day.setdefault(selectors_local_date(slot.start), []).append(slot)
    # Thursday: 8 half hours in the morning, 19 in the afternoon; Friday is the place's
    # exception (closed), Sunday is not in its hours.
    assert sorted(by_day) == [dt.date(2026, 6, 11), dt.date(2026, 6, 13)]
    assert len(by_day[dt.date(2026, 6, 11)]) == 8 + 19
    assert starts(by_day[dt.date(2026, 6, 11)])[7:9] == ["11:30", "14:00"]
    assert all(slot.end - slot.start == dt.timedelta(minutes=30) for slot in slots)


def test_free_range_validation(hall):
    agenda, room = hall
    now = paris(2026, 6, 1, 12)

    def problem(start, end):
        found = selectors.resource_range_problem(resource=room, start=start, end=end, now=now)
        return found.code if found else None

    assert problem(paris(2026, 6, 11, 14), paris(2026, 6, 11, 18)) is None
    assert problem(paris(2026, 6, 11, 14), paris(2026, 6, 11, 14, 30)) == "duration"  # < 60
    assert problem(paris(2026, 6, 11, 14), paris(2026, 6, 11, 18, 30)) == "duration"  # > 240
    assert problem(paris(2026, 6, 11, 14), paris(2026, 6, 11, 13)) == "invalid"
    assert problem(paris(2026, 6, 11, 11), paris(2026, 6, 11, 14, 30)) == "hours"  # lunch
    assert problem(paris(2026, 6, 12, 9), paris(2026, 6, 12, 11)) == "hours"  # exception
    assert problem(paris(2026, 6, 11, 14, 10), paris(2026, 6, 11, 16, 10)) == "grid"
    assert problem(paris(2026, 6, 11, 14), paris(2026, 6, 11, 15, 15)) == "grid"
    # Ending at closing time (23:30) is fine, ending after it is not.
    assert problem(paris(2026, 6, 11, 20), paris(2026, 6, 11, 23, 30)) is None
    assert problem(paris(2026, 6, 11, 21), paris(2026, 6, 12, 0, 0)) == "hours"
    assert problem(paris(2026, 5, 31, 14), paris(2026, 5, 31, 16)) == "too_soon"
    assert problem(paris(2026, 12, 1, 14), paris(2026, 12, 1, 16)) == "too_late"
    Closure.objects.create(
        agenda=agenda, start=paris(2026, 6, 11, 17), end=paris(2026, 6, 11, 19), reason="Élections"
    )
    found = selectors.resource_range_problem(
        resource=room, start=paris(2026, 6, 11, 14), end=paris(2026, 6, 11, 18), now=now
    )
    assert found.code == "closure" and "Élections" in found
    assert isinstance(found.error(), OutsideOpeningHours)
    # Existing bookings are the engine's business (checked under lock).
    book(agenda, resource=room, start=paris(2026, 6, 11, 8), minutes=120)
    assert problem(paris(2026, 6, 11, 8), paris(2026, 6, 11, 10)) is None
    room.active = False
    room.save()
    assert problem(paris(2026, 6, 11, 8), paris(2026, 6, 11, 10)) == "inactive"


def test_fixed_slot_ranges(tennis):
    agenda, court = tennis
    court.max_minutes = 120
    court.save()
    now = paris(2026, 6, 1, 12)

    def problem(start, end):
        found = selectors.resource_range_problem(resource=court, start=start, end=end, now=now)
        return found.code if found else None

    assert problem(paris(2026, 6, 10, 9), paris(2026, 6, 10, 10)) is None
    assert problem(paris(2026, 6, 10, 9), paris(2026, 6, 10, 11)) is None  # two slots
    assert problem(paris(2026, 6, 10, 9), paris(2026, 6, 10, 12)) == "duration"  # > 120
    assert problem(paris(2026, 6, 10, 9), paris(2026, 6, 10, 9, 30)) == "duration"
    assert problem(paris(2026, 6, 10, 9, 30), paris(2026, 6, 10, 10, 30)) == "grid"
    assert problem(paris(2026, 6, 10, 20), paris(2026, 6, 10, 21)) is None
    assert problem(paris(2026, 6, 10, 21), paris(2026, 6, 10, 22)) == "hours"


def test_resource_slots_across_daylight_saving(tennis):
    agenda, court = tennis
    court.opening_hours = "Su 01:00-04:00"
    court.save()
    agenda.max_delay_days = 400
    agenda.save()
    march = selectors.resource_slots(
        resource=court,
        day_from=dt.date(2026, 3, 29),
        day_to=dt.date(2026, 3, 29),
        now=paris(2026, 3, 1),
    )
    october = selectors.resource_slots(
        resource=court,
        day_from=dt.date(2026, 10, 25),
        day_to=dt.date(2026, 10, 25),
        now=paris(2026, 3, 1),
    )
    assert [local(slot.start) for slot in march] == [
        "2026-03-29 01:00+0100",
        "2026-03-29 03:00+0200",
    ]
    assert [local(slot.start) for slot in october] == [
        "2026-10-25 01:00+0200",
        "2026-10-25 02:00+0200",
        "2026-10-25 02:00+0100",
        "2026-10-25 03:00+0100",
    ]
    found = selectors.resource_range_problem(
        resource=court, start=october[1].start, end=october[3].start, now=paris(2026, 3, 1)
    )
    assert found is None  # two slots of an hour, through the change of time


def test_unreadable_hours_close_the_desk_instead_of_failing(passports, caplog):
    agenda, desk, passport = passports
    desk.opening_hours = "du lundi au vendredi"
    desk.save()
    slots = selectors.appointment_slots(
        agenda=agenda,
        appointment_type=passport,
        day_from=dt.date(2026, 6, 8),
        day_to=dt.date(2026, 6, 12),
        now=MONDAY_BEFORE,
    )
    assert slots == []
    assert "unreadable opening hours" in caplog.text


def test_what_is_offered_is_what_the_engine_books(passports):
    """Slots and the engine agree: an offered start books, a full one is refused, and the
    engine's refusal of an hour not offered carries the selector's reason."""
    from parvis.bookings.exceptions import SlotUnavailable
    from parvis.bookings.services import booking_book_appointment

    from .bookings_helpers import make_resident

    agenda, desk, passport = passports
    Desk.objects.create(agenda=agenda, name="Guichet 2", opening_hours="Mo-Fr 09:00-10:00")
    collection = AppointmentType.objects.create(agenda=agenda, name="Retrait", duration_minutes=30)

    def free_at(hour, minute=0):
        slots = selectors.appointment_slots(
            agenda=agenda,
            appointment_type=collection,
            day_from=dt.date(2026, 6, 8),
            day_to=dt.date(2026, 6, 8),
            now=MONDAY_BEFORE,
        )
        return {slot.start: slot.free for slot in slots}[paris(2026, 6, 8, hour, minute)]

    assert free_at(9) == 2
    for _index in range(2):
        booking_book_appointment(
            agenda=agenda,
            appointment_type=collection,
            start=paris(2026, 6, 8, 9),
            user=make_resident(),
            now=MONDAY_BEFORE,
        )
    assert free_at(9) == 0 and free_at(9, 30) == 2
    with pytest.raises(SlotUnavailable):
        booking_book_appointment(
            agenda=agenda,
            appointment_type=collection,
            start=paris(2026, 6, 8, 9),
            user=make_resident(),
            now=MONDAY_BEFORE,
        )
    with pytest.raises(OutsideOpeningHours) as refused:
        booking_book_appointment(
            agenda=agenda,
            appointment_type=collection,
            start=paris(2026, 6, 8, 9, 10),
            user=make_resident(),
            now=MONDAY_BEFORE,
        )
    assert str(refused.value.message) == "Cette heure ne correspond pas à un créneau proposé."
