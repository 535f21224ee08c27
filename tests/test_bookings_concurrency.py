"""Capacity under real concurrency: threads, each on its own database connection (the SQLite
file database of the test settings, or PostgreSQL with DATABASE_URL), released together
by a barrier. Nobody gets a place that does not exist; nobody loses one they got."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings, strategies

from parvis.bookings import services
from parvis.bookings.exceptions import BookingError, SessionFull, SlotUnavailable
from parvis.bookings.models import (
    OCCUPYING,
    Booking,
    BookingEvent,
    BookingStatus,
    Session,
    TicketCategory,
)

from . import bookings_helpers as bh

pytestmark = pytest.mark.django_db(transaction=True)


def _connection_budget(wanted: int) -> int:
    """How many threads may hold a connection at once. SQLite: all of them. PostgreSQL:
    what ``max_connections`` leaves free (other clients included), keeping a margin."""
    if connection.vendor != "postgresql":
        return wanted
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        used = int(cursor.fetchone()[0])
    return max(2, min(wanted, limit - used - 10))


def run_together(count: int, target) -> tuple[list, list]:
    """Start ``count`` threads at the same instant (barrier); each runs ``target(i)`` on
    its own connection, closed at the end. Returns (results, unexpected exceptions)."""
    barrier = threading.Barrier(count)
    gate = threading.BoundedSemaphore(_connection_budget(count))
    results, errors = [], []
    lock = threading.Lock()

    def run(index):
        try:
            barrier.wait(timeout=30)
            with gate:
                try:
                    outcome = target(index)
                finally:
                    connections.close_all()
            with lock:
                results.append(outcome)
        except Exception as error:  # reported by the test
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


def _session_counters_match(session: Session) -> None:
    session.refresh_from_db()
    occupying = Booking.objects.filter(session=session, status__in=OCCUPYING)
    assert session.taken == sum(b.places for b in occupying)
    for category in TicketCategory.objects.filter(session=session):
        held = occupying.filter(participants__category=category).count()
        assert category.taken == held, category.name


def test_rush_200_clients_for_50_places():
    agenda = bh.make_event_agenda(capacity=50, title="Séjour d'été – semaine 1")
    session = agenda.sessions.get()
    residents = [bh.make_resident(f"parent{i}@example.org") for i in range(200)]

    def book(index):
        try:
            booking = services.booking_book_session(
                session=session,
                participants=bh.participants(session, 1),
                user=residents[index],
                join_waiting_list=index % 2 == 0,
            )
        except SessionFull:
            return "full"
        return booking.status

    started = time.monotonic()
    results, errors = run_together(200, book)
    elapsed = time.monotonic() - started
    assert errors == [], errors[:3]
    assert len(results) == 200
    confirmed = results.count(BookingStatus.CONFIRMED)
    assert confirmed == 50
    assert set(results) <= {BookingStatus.CONFIRMED, BookingStatus.WAITING, "full"}
    assert results.count(BookingStatus.WAITING) + results.count("full") == 150
    assert Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count() == 50
    _session_counters_match(session)
    assert session.taken == session.capacity == 50
    # Every place is someone's: fifty distinct parents hold one each.
    holders = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED)
    assert holders.values("user").distinct().count() == 50
    assert elapsed < 60


def test_rush_on_paid_places_with_a_quota_per_category():
    """12 places, at most 4 at the reduced price: 8 full-price and 30 reduced-price
    clients at once. Every full-price client gets a place, exactly 4 reduced ones."""
    agenda = bh.make_event_agenda(
        capacity=12,
        categories=[("Plein tarif", 1500, None, False), ("Tarif réduit", 800, 4, False)],
        title="Spectacle de fin d'année",
    )
    session = agenda.sessions.get()
    full, reduced = session.categories.order_by("sort_order")
    residents = [bh.make_resident(f"spectateur{i}@example.org") for i in range(38)]

    def book(index):
        category = full if index < 8 else reduced
        try:
            booking = services.booking_book_session(
                session=session,
                participants=bh.participants(session, 1, category=category),
                user=residents[index],
            )
        except BookingError as error:
            return category.name, type(error).__name__
        return category.name, booking.status

    results, errors = run_together(38, book)
    assert errors == []
    assert results.count(("Plein tarif", BookingStatus.HELD)) == 8
    assert results.count(("Tarif réduit", BookingStatus.HELD)) == 4
    refused = {outcome for name, outcome in results if outcome != BookingStatus.HELD}
    assert refused <= {"CategoryFull", "SessionFull"} and "CategoryFull" in refused
    session.refresh_from_db()
    reduced.refresh_from_db()
    assert session.taken == 12 and reduced.taken == 4
    _session_counters_match(session)


def test_two_desks_take_two_clients_at_the_same_time_and_no_more():
    agenda = bh.make_appointment_agenda(desks=2, title="Passeports")
    kind = agenda.appointment_types.get(name="Passeport")
    start = bh.next_weekday_at(10)
    residents = [bh.make_resident(f"usager{i}@example.org") for i in range(12)]

    def book(index):
        try:
            booking = services.booking_book_appointment(
                agenda=agenda,
                appointment_type=kind,
                start=start,
                user=residents[index],
                ants_number=f"AB12CD34{index:02d}",
            )
        except SlotUnavailable:
            return "taken"
        return booking.desk_id

    results, errors = run_together(12, book)
    assert errors == []
    desks = [result for result in results if result != "taken"]
    assert sorted(desks) == sorted(agenda.desks.values_list("pk", flat=True))
    assert results.count("taken") == 10


def _overlaps_in_sql(resource_id: int) -> int:
    """Pairs of occupying bookings of the resource that overlap, counted by the database."""
    statuses = ", ".join(f"'{status}'" for status in OCCUPYING)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
                 ON a.resource_id = b.resource_id AND a.id < b.id
                 AND a.start < b."end" AND b.start < a."end"
                WHERE a.resource_id = %s AND a.status IN ({statuses})
                  AND b.status IN ({statuses})""",
            [resource_id],
        )
        return cursor.fetchone()[0]


ranges = strategies.lists(
    strategies.tuples(strategies.integers(0, 15), strategies.integers(1, 4)),
    min_size=2,
    max_size=8,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=ranges)
def test_random_concurrent_resource_bookings_never_overlap(batch):
    agenda = bh.make_resource_agenda(slot_minutes=None, min_minutes=30, max_minutes=240)
    resource = agenda.resources.get()
    day_start = bh.next_weekday_at(8)
    residents = [bh.make_resident() for _ in batch]
    wanted = [
        (
            day_start + dt.timedelta(minutes=30 * offset),
            day_start + dt.timedelta(minutes=30 * (offset + length)),
        )
        for offset, length in batch
    ]

    def book(index):
        start, end = wanted[index]
        try:
            services.booking_book_resource(
                agenda=agenda, resource=resource, start=start, end=end, user=residents[index]
            )
        except SlotUnavailable:
            return index, False
        return index, True

    results, errors = run_together(len(batch), book)
    assert errors == []
    assert _overlaps_in_sql(resource.pk) == 0
    booked = [wanted[index] for index, ok in results if ok]
    assert len(booked) == Booking.objects.filter(resource=resource).count() >= 1
    # Nobody was refused for nothing: each refused range meets a booked one.
    for index, ok in results:
        if not ok:
            start, end = wanted[index]
            assert any(start < other_end and other_start < end for other_start, other_end in booked)


def test_the_database_itself_refuses_overlaps_on_postgresql():
    """The backstop below the engine's locks: on PostgreSQL an exclusion constraint; on
    SQLite the migration adds nothing and the engine's IMMEDIATE transaction is the
    guard (then an insert behind the engine's back is not refused)."""
    agenda = bh.make_resource_agenda()
    resource = agenda.resources.get()
    start = timezone.now() + dt.timedelta(days=3)
    fields = {"agenda": agenda, "resource": resource, "start": start}
    Booking.objects.create(
        status=BookingStatus.CONFIRMED, end=start + dt.timedelta(hours=1), **fields
    )
    # Not occupying: never in the way.
    Booking.objects.create(
        status=BookingStatus.CANCELLED, end=start + dt.timedelta(hours=1), **fields
    )
    overlapping = {"status": BookingStatus.HELD, "end": start + dt.timedelta(minutes=30), **fields}
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="bookings_no_resource_overlap"):
            with transaction.atomic():
                Booking.objects.create(**overlapping)
    else:
        Booking.objects.create(**overlapping)
        assert _overlaps_in_sql(resource.pk) == 1


def test_expiry_runs_and_cancellations_at_once_give_each_freed_place_once():
    """Ten lapsed holds, ten confirmed places, fifteen people waiting. Four expiry runs
    and five cancellations hit at the same instant: each freed place is offered exactly
    once, in order of arrival, and the counters match the bookings."""
    agenda = bh.make_event_agenda(capacity=20, price_cents=0)
    session = agenda.sessions.get()
    residents = [bh.make_resident() for _ in range(35)]
    confirmed = [
        services.booking_book_session(
            session=session, participants=bh.participants(session, 1), user=residents[i]
        )
        for i in range(10)
    ]
    held = [
        services.booking_book_session(
            session=session, participants=bh.participants(session, 1), user=residents[i]
        )
        for i in range(10, 20)
    ]
    waiting = [
        services.booking_book_session(
            session=session,
            participants=bh.participants(session, 1),
            user=residents[i],
            join_waiting_list=True,
        )
        for i in range(20, 35)
    ]
    assert {b.status for b in waiting} == {BookingStatus.WAITING}
    # The holds run out (their payment never came).
    lapsed_at = timezone.now() - dt.timedelta(minutes=1)
    Booking.objects.filter(pk__in=[b.pk for b in held]).update(
        status=BookingStatus.HELD, held_until=lapsed_at
    )

    def act(index):
        if index < 4:
            return services.bookings_expire()
        booking = confirmed[index - 4]
        services.booking_cancel(booking=booking, actor=booking.user)
        return None

    results, errors = run_together(9, act)
    assert errors == []
    assert sum(r["holds"] for r in results if r) == 10
    _session_counters_match(session)
    statuses = [Booking.objects.get(pk=b.pk).status for b in waiting]
    assert statuses == [BookingStatus.OFFERED] * 15  # 10 lapsed + 5 cancelled places
    assert session.taken == 20
    assert BookingEvent.objects.filter(kind="offered").count() == 15
    assert BookingEvent.objects.filter(kind="hold_expired").count() == 10
