"""What the pages read: sessions' places and registration state, the calendar of an
agenda (available count and why a day has nothing) and the agents' planning."""

from __future__ import annotations

import datetime as dt

import pytest

from parvis.bookings import selectors
from parvis.bookings.models import (
    Booking,
    BookingStatus,
    Closure,
    Desk,
    DeskAbsence,
    Participant,
    Session,
)
from parvis.core import hours

from .bookings_helpers import make_appointment_agenda, make_event_agenda, make_resource_agenda

PARIS = hours.PARIS


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


NOW = paris(2026, 7, 1, 12, 0)  # a Wednesday


def book(agenda, *, start, minutes=30, status=BookingStatus.CONFIRMED, **fields):
    return Booking.objects.create(
        agenda=agenda,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        status=status,
        **fields,
    )


# --- events -------------------------------------------------------------------------------


@pytest.fixture
def camp(db):
    agenda = make_event_agenda(
        sessions=3,
        capacity=10,
        categories=[("Plein tarif", 12000, None, False), ("Tarif réduit", 6000, 3, True)],
        starts=paris(2026, 7, 20, 9),
        max_delay_days=365,
    )
    first, second, third = agenda.sessions.order_by("start")
    return agenda, first, second, third


def _take(session: Session, count: int, *, category=None):
    Session.objects.filter(pk=session.pk).update(taken=count)
    if category is not None:
        type(category).objects.filter(pk=category.pk).update(taken=count)


def test_session_places_per_category_and_waiting_list(camp):
    agenda, first, second, third = camp
    full_price, reduced = first.categories.order_by("sort_order")
    Session.objects.filter(pk=first.pk).update(taken=8)
    type(reduced).objects.filter(pk=reduced.pk).update(taken=2)
    _take(second, 10)
    for _index in range(3):
        book(agenda, start=second.start, session=second, status=BookingStatus.WAITING)
    book(agenda, start=second.start, session=second, status=BookingStatus.CANCELLED)

    items = selectors.session_list(agenda=agenda, now=NOW)
    assert [item.session.pk for item in items] == [first.pk, second.pk, third.pk]
    one, two, three = items
    assert (one.remaining, one.state, one.can_book) == (2, "open", True)
    assert [(c.name, c.remaining, c.quota) for c in one.categories] == [
        ("Plein tarif", 2, None),
        ("Tarif réduit", 1, 3),  # quota 3, 2 taken
    ]
    assert one.categories[1].resident_only
    assert "2 places restantes" in one.label
    assert (two.remaining, two.state, two.waiting, two.can_book, two.can_wait) == (
        0,
        "full",
        3,
        False,
        True,
    )
    assert all(c.remaining == 0 for c in two.categories)
    assert (three.remaining, three.waiting) == (10, 0)


def test_registration_window(camp):
    agenda, first, second, third = camp
    agenda.opens_at = paris(2026, 7, 2, 8, 30)
    agenda.save()
    second.opens_at = paris(2026, 6, 15, 8, 30)  # its own opening, already past
    second.save()
    third.cancelled = True
    third.save()
    states = [item.state for item in selectors.session_list(agenda=agenda, now=NOW)]
    assert states == ["not_yet", "open", "cancelled"]
    not_yet = selectors.session_availability(first, now=NOW)
    assert not not_yet.is_open and "2 juillet 2026 à 08:30" in not_yet.label
    assert selectors.session_availability(first, now=paris(2026, 7, 2, 8, 30)).state == "open"
    # The minimum delay closes registrations before the start, and the closing date too.
    agenda.min_delay_hours = 48
    agenda.save()
    assert selectors.session_availability(first, now=paris(2026, 7, 18, 10)).state == "closed"
    assert selectors.session_availability(first, now=paris(2026, 7, 18, 8)).state == "open"
    agenda.closes_at = paris(2026, 7, 10)
    agenda.save()
    assert selectors.session_availability(second, now=paris(2026, 7, 11)).state == "closed"
    # Too far ahead for max_delay_days: not open yet.
    agenda.max_delay_days = 10
    agenda.opens_at = None
    agenda.closes_at = None
    agenda.save()
    second.opens_at = None
    second.save()
    far = selectors.session_availability(second, now=NOW)
    assert far.state == "not_yet" and far.opens_at == second.start - dt.timedelta(days=10)
    # Past sessions are left out unless asked for.
    later = paris(2026, 7, 29)
    assert [item.session.pk for item in selectors.session_list(agenda=agenda, now=later)] == [
        third.pk
    ]
    past = selectors.session_list(agenda=agenda, now=later, include_past=True)
    assert [item.state for item in past][:2] == ["past", "past"]
    agenda.status = agenda.Status.DRAFT
    agenda.save()
    assert selectors.session_availability(third, now=NOW).state == "cancelled"
    assert selectors.session_availability(first, now=NOW).state == "unpublished"


def test_session_list_queries_are_bounded(camp, django_assert_max_num_queries):
    agenda = camp[0]
    make_event_agenda(sessions=1)  # another agenda's sessions are not listed
    for session in agenda.sessions.all():
        book(agenda, start=session.start, session=session, status=BookingStatus.WAITING)
    with django_assert_max_num_queries(2):
        items = selectors.session_list(agenda=agenda, now=NOW)
        assert [len(item.categories) for item in items] == [2, 2, 2]
        assert [item.waiting for item in items] == [1, 1, 1]


# --- calendar -----------------------------------------------------------------------------


@pytest.fixture
def passports(db):
    agenda = make_appointment_agenda(
        desks=1,
        hours="Mo-Fr 08:30-10:00; PH off",
        types=(("Passeport", 30, True),),
        max_delay_days=20,
    )
    return agenda, agenda.desks.get(), agenda.appointment_types.get()


def test_calendar_of_appointments(passports):
    agenda, desk, passport = passports
    Closure.objects.create(
        agenda=agenda, start=paris(2026, 7, 15), end=paris(2026, 7, 16), reason="Grève"
    )
    for minute in (30, 60, 90):
        book(agenda, start=paris(2026, 7, 16, 8) + dt.timedelta(minutes=minute), desk=desk)
    days = selectors.agenda_calendar(
        agenda=agenda,
        day_from=dt.date(2026, 6, 30),
        day_to=dt.date(2026, 7, 22),
        now=NOW,
        appointment_type=passport,
    )
    by_date = {day.date: day for day in days}
    assert len(days) == 23
    assert by_date[dt.date(2026, 6, 30)].state == "past"
    assert by_date[dt.date(2026, 7, 1)].state == "not_bookable"  # only past slots today
    assert (by_date[dt.date(2026, 7, 2)].available, by_date[dt.date(2026, 7, 2)].state) == (
        3,
        "available",
    )
    assert by_date[dt.date(2026, 7, 4)].state == "closed"  # Saturday
    assert by_date[dt.date(2026, 7, 4)].label == "Fermé"
    holiday = by_date[dt.date(2026, 7, 14)]
    assert (holiday.available, holiday.state, holiday.label) == (0, "holiday", "Fête nationale")
    assert (by_date[dt.date(2026, 7, 15)].state, by_date[dt.date(2026, 7, 15)].label) == (
        "closure",
        "Grève",
    )
    assert (by_date[dt.date(2026, 7, 16)].state, by_date[dt.date(2026, 7, 16)].label) == (
        "full",
        "Complet",
    )
    assert by_date[dt.date(2026, 7, 21)].available == 3  # 20 days ahead: until 12:00
    assert by_date[dt.date(2026, 7, 22)].state == "not_bookable"
    assert by_date[dt.date(2026, 7, 22)].label == "Pas encore réservable"


def test_month_calendar_queries_are_bounded(passports, django_assert_max_num_queries):
    agenda, desk, passport = passports
    for day in range(1, 29):
        book(agenda, start=paris(2026, 7, day, 9), desk=desk)
    with django_assert_max_num_queries(6):
        days = selectors.calendar_month(agenda=agenda, year=2026, month=7, now=NOW)
    assert len(days) == 31
    assert selectors.week_window(dt.date(2026, 7, 16)) == (
        dt.date(2026, 7, 13),
        dt.date(2026, 7, 19),
    )
    with pytest.raises(ValueError):
        selectors.agenda_calendar(
            agenda=agenda, day_from=dt.date(2026, 7, 1), day_to=dt.date(2026, 9, 1), now=NOW
        )


def test_calendar_of_resources_and_events(db, django_assert_max_num_queries):
    agenda = make_resource_agenda(resources=3, hours="Mo-Su 08:00-10:00", max_delay_days=30)
    court = agenda.resources.order_by("sort_order").first()
    Closure.objects.create(
        agenda=agenda, start=paris(2026, 7, 3), end=paris(2026, 7, 4), reason="Tournoi"
    )
    book(agenda, start=paris(2026, 7, 2, 8), minutes=120, resource=court)
    with django_assert_max_num_queries(5):
        days = selectors.agenda_calendar(
            agenda=agenda, day_from=dt.date(2026, 7, 2), day_to=dt.date(2026, 7, 4), now=NOW
        )
    assert [(day.available, day.state, day.label) for day in days] == [
        (4, "available", ""),  # 3 courts × 2 slots, 2 taken
        (0, "closure", "Tournoi"),
        (6, "available", ""),
    ]
    one = selectors.agenda_calendar(
        agenda=agenda,
        day_from=dt.date(2026, 7, 2),
        day_to=dt.date(2026, 7, 2),
        now=NOW,
        resource=court,
    )
    assert (one[0].available, one[0].state) == (0, "full")

    camp = make_event_agenda(sessions=2, capacity=5, starts=paris(2026, 7, 6, 9))
    first = camp.sessions.order_by("start").first()
    Session.objects.filter(pk=first.pk).update(taken=5)
    days = selectors.agenda_calendar(
        agenda=camp, day_from=dt.date(2026, 7, 6), day_to=dt.date(2026, 7, 13), now=NOW
    )
    assert (days[0].state, days[1].state, days[-1].available) == ("full", "closed", 5)


# --- planning -----------------------------------------------------------------------------


def test_planning_of_desks(passports, django_assert_max_num_queries):
    agenda, desk, passport = passports
    second = Desk.objects.create(
        agenda=agenda, name="Guichet 2", opening_hours="Mo-Fr 08:30-10:00", sort_order=5
    )
    book(
        agenda,
        start=paris(2026, 7, 2, 9),
        desk=desk,
        appointment_type=passport,
        first_name="Camille",
        last_name="Fictive",
        phone="06 39 98 00 01",
    )
    book(agenda, start=paris(2026, 7, 2, 8, 30), desk=second, first_name="Dominique")
    book(agenda, start=paris(2026, 7, 2, 9, 30), desk=desk, status=BookingStatus.CANCELLED)
    book(agenda, start=paris(2026, 7, 3, 9), desk=desk, first_name="Alex")
    DeskAbsence.objects.create(
        desk=second, start=paris(2026, 7, 3, 8), end=paris(2026, 7, 3, 12), reason="Formation"
    )
    Closure.objects.create(
        agenda=agenda, start=paris(2026, 7, 3, 9, 30), end=paris(2026, 7, 3, 10), reason="Grève"
    )
    with django_assert_max_num_queries(5):
        days = selectors.planning(
            agenda=agenda, day_from=dt.date(2026, 7, 2), day_to=dt.date(2026, 7, 3)
        )
    thursday, friday = days
    assert [column.label for column in thursday.columns] == ["Guichet 1", "Guichet 2"]
    entry = thursday.columns[0].entries[0]
    assert (entry.holder_name, entry.what, entry.phone) == (
        "Camille Fictive",
        "Passeport",
        "06 39 98 00 01",
    )
    assert len(thursday.columns[0].entries) == 1  # the cancelled booking is not listed
    assert [e.holder_name for e in thursday.columns[1].entries] == ["Dominique"]
    assert [b.reason for b in friday.columns[1].breaks] == ["Formation"]
    assert [c.reason for c in friday.closures] == ["Grève"] and not thursday.closures
    only = selectors.planning(
        agenda=agenda, day_from=dt.date(2026, 7, 2), day_to=dt.date(2026, 7, 2), desk=second
    )
    assert [column.label for column in only[0].columns] == ["Guichet 2"]
    assert [e.holder_name for e in only[0].columns[0].entries] == ["Dominique"]


def test_planning_of_sessions_and_resources(db):
    camp = make_event_agenda(sessions=1, capacity=5, starts=paris(2026, 7, 6, 9))
    session = camp.sessions.get()
    booking = book(
        camp,
        start=session.start,
        minutes=60,
        session=session,
        places=2,
        first_name="Camille",
        last_name="Fictive",
    )
    booking.end = session.end
    booking.save()
    Participant.objects.create(booking=booking, first_name="Léo", last_name="Fictive")
    Participant.objects.create(booking=booking, first_name="Jade", last_name="Fictive")
    Session.objects.filter(pk=session.pk).update(taken=2)
    days = selectors.planning(agenda=camp, day_from=dt.date(2026, 7, 6), day_to=dt.date(2026, 7, 7))
    column = days[0].columns[0]
    assert (column.capacity, column.taken, column.waiting) == (5, 2, 0)
    assert column.entries[0].participants == ("Léo Fictive", "Jade Fictive")
    assert days[1].columns[0].key == f"session:{session.pk}"  # the camp lasts several days

    rooms = make_resource_agenda(resources=2, slot_minutes=None, title="Salles")
    room = rooms.resources.order_by("sort_order").last()
    book(rooms, start=paris(2026, 7, 6, 23), minutes=120, resource=room, first_name="Alex")
    days = selectors.planning(
        agenda=rooms, day_from=dt.date(2026, 7, 6), day_to=dt.date(2026, 7, 7)
    )
    assert [[len(c.entries) for c in day.columns] for day in days] == [[0, 1], [0, 1]]
