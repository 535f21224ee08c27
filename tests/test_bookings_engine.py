"""The booking engine: the agenda's rules, prices, approval, cancellation and refunds,
moves, attendance, closures, reminders, e-mails with their .ics, RGPD."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from parvis.bookings import retention, services
from parvis.bookings.exceptions import (
    AccountRequired,
    BookingClosed,
    BookingError,
    CancellationTooLate,
    InvalidAnswers,
    LimitReached,
    OutsideOpeningHours,
    SlotUnavailable,
    TooSoonOrTooLate,
)
from parvis.bookings.models import OCCUPYING, Booking, BookingStatus, Closure, RefundPolicy
from parvis.core.models import AuditLogEntry
from parvis.newsletter.models import Delivery
from parvis.payments.models import PaymentStatus
from parvis.payments.services import payment_create, payment_mark_paid

from . import bookings_helpers as bh

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture


@pytest.fixture
def resident(db):
    return bh.make_resident("camille.martin@example.org", phone="06 39 98 00 02")


def _appointment(agenda, start, user, type_name="Passeport", **kwargs):
    kwargs.setdefault("ants_number", "AB12CD34EF")
    return services.booking_book_appointment(
        agenda=agenda,
        appointment_type=agenda.appointment_types.get(name=type_name),
        start=start,
        user=user,
        **kwargs,
    )


def _court(agenda, start, user, hours=1, **kwargs):
    return services.booking_book_resource(
        agenda=agenda,
        resource=kwargs.pop("resource", None) or agenda.resources.first(),
        start=start,
        end=start + hours * HOUR,
        user=user,
        **kwargs,
    )


def _pay(booking):
    payment = payment_create(
        regie=booking.agenda.regie, amount=booking.amount_cents, label="x", payable=booking
    )
    payment_mark_paid(payment=payment, source="test")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    return payment


# --- appointments ------------------------------------------------------------------------


def test_appointment_confirmation_e_mail_lists_documents_and_carries_the_ics(resident, commit):
    town_hall = bh.make_place()
    agenda = bh.make_appointment_agenda(place=town_hall)
    start = bh.next_weekday_at(10)
    with commit():
        booking = _appointment(agenda, start, resident, ants_number=" ab12 cd34-ef ")
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.ants_number == "AB12CD34EF"
    year = timezone.localtime(booking.created_at).year
    assert booking.reference == f"R{year}-{booking.pk:06d}"
    message = mail.outbox[-1]
    assert message.to == ["camille.martin@example.org"]
    assert booking.reference in message.subject
    assert "Photo d'identité" in message.body and "AB12CD34EF" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == f"reservation-{booking.reference}.ics"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == start and event.decoded("DTEND") == start + 30 * (HOUR / 60)
    text = content if isinstance(content, str) else content.decode()
    assert text.count("DTSTART:") == 1 and "Z\r\n" in text
    assert "Mairie de Gréasque" in str(event["LOCATION"])
    assert "Passeport" in str(event["SUMMARY"])
    uid = str(event["UID"])

    # Moved: same UID, a higher SEQUENCE, the desk kept.
    mail.outbox.clear()
    with commit():
        moved = services.booking_move(booking=booking, start=start + HOUR, actor=resident)
    assert moved.desk_id == booking.desk_id and moved.start == start + HOUR
    event = Calendar.from_ical(mail.outbox[-1].attachments[0][1]).walk("VEVENT")[0]
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert "modifiée" in mail.outbox[-1].subject


def test_two_desks_two_appointments_then_the_slot_is_taken(resident):
    agenda = bh.make_appointment_agenda(desks=2)
    start = bh.next_weekday_at(9)
    first = _appointment(agenda, start, resident)
    second = _appointment(agenda, start, bh.make_resident())
    assert {first.desk_id, second.desk_id} == set(agenda.desks.values_list("pk", flat=True))
    with pytest.raises(SlotUnavailable) as taken:
        _appointment(agenda, start, bh.make_resident())
    assert taken.value.next_step == "other_slot"
    # An overlapping shorter appointment is refused too; right after, it is free.
    with pytest.raises(SlotUnavailable):
        _appointment(agenda, start + 10 * (HOUR / 60), bh.make_resident(), "Retrait")
    assert _appointment(agenda, start + HOUR / 2, bh.make_resident(), "Retrait").desk_id


def test_desk_hours_delays_and_opening_are_enforced(resident):
    agenda = bh.make_appointment_agenda(hours=bh.OFFICE_HOURS, min_delay_hours=24)
    with pytest.raises(OutsideOpeningHours):
        _appointment(agenda, bh.next_weekday_at(19), resident)
    with pytest.raises(TooSoonOrTooLate):
        _appointment(agenda, bh.next_weekday_at(10, days_ahead=0) - dt.timedelta(days=7), resident)
    soon = timezone.now() + HOUR
    with pytest.raises(TooSoonOrTooLate):
        _appointment(agenda, soon.replace(minute=0, second=0, microsecond=0) + HOUR, resident)
    agenda.status = agenda.Status.DRAFT
    agenda.save()
    with pytest.raises(BookingClosed):
        _appointment(agenda, bh.next_weekday_at(10), resident)
    agenda.status = agenda.Status.PUBLISHED
    agenda.opens_at = timezone.now() + dt.timedelta(days=1)
    agenda.save()
    with pytest.raises(BookingClosed) as closed:
        _appointment(agenda, bh.next_weekday_at(10), resident)
    assert "ouvriront" in str(closed.value.message)
    # An agent at the counter may book before the online opening.
    booked = _appointment(agenda, bh.next_weekday_at(10), resident, channel="counter")
    assert booked.channel == "counter"


def test_ants_number_is_required_and_checked_for_identity_documents(resident):
    agenda = bh.make_appointment_agenda()
    start = bh.next_weekday_at(10)
    for bad in ("", "AB12", "AB12CD34EF9", "AB12CD34É1", "AB12_CD34E"):
        with pytest.raises(InvalidAnswers) as invalid:
            _appointment(agenda, start, resident, ants_number=bad)
        assert list(invalid.value.errors) == ["ants_number"]
    assert not Booking.objects.exists()
    # Not asked for a collection: ignored.
    booking = _appointment(agenda, start, resident, "Retrait", ants_number="n'importe quoi")
    assert booking.ants_number == ""


def test_guests_book_free_appointments_only_with_an_e_mail(commit):
    agenda = bh.make_appointment_agenda()
    start = bh.next_weekday_at(11)
    with pytest.raises(InvalidAnswers) as invalid:
        _appointment(agenda, start, None)
    assert "email" in invalid.value.errors
    with commit():
        guest = _appointment(agenda, start, None, email="Invite@Example.org", first_name="Lou")
    assert guest.user is None and guest.email == "invite@example.org"
    assert mail.outbox[-1].to == ["invite@example.org"]
    agenda.allow_guests = False
    agenda.save()
    with pytest.raises(AccountRequired):
        _appointment(agenda, start + HOUR, None, email="invite@example.org")
    courts = bh.make_resource_agenda()
    with pytest.raises(AccountRequired) as required:
        _court(courts, start, None, email="invite@example.org")
    assert required.value.next_step == "sign_in"


def test_a_family_member_of_another_account_is_refused(resident):
    from parvis.accounts.models import FamilyMember

    other = bh.make_resident(children=1)
    agenda = bh.make_appointment_agenda()
    start = bh.next_weekday_at(10)
    with pytest.raises(InvalidAnswers) as invalid:
        _appointment(agenda, start, resident, family_member=FamilyMember.objects.get(user=other))
    assert "family_member" in invalid.value.errors
    child = FamilyMember.objects.create(user=resident, first_name="Léo", last_name="Martin")
    booking = _appointment(agenda, start, resident, family_member=child)
    assert booking.holder_name == "Léo Martin"


# --- resources -----------------------------------------------------------------------------


def test_resource_prices_per_hour_and_audience_with_the_deposit(resident):
    agenda = bh.make_resource_agenda(
        slot_minutes=None,
        tariffs=[("resident", 800, "hour"), ("non_resident", 1200, "hour")],
        deposit_cents=30000,
    )
    start = bh.next_weekday_at(9)
    booking = services.booking_book_resource(
        agenda=agenda,
        resource=agenda.resources.get(),
        start=start,
        end=start + dt.timedelta(minutes=90),
        user=resident,
    )
    assert booking.amount_cents == 1200 and booking.status == BookingStatus.HELD
    assert booking.deposit_cents == 30000
    outsider = _court(agenda, start + 2 * HOUR, bh.make_resident(), audience="non_resident")
    assert outsider.amount_cents == 1200
    with pytest.raises(InvalidAnswers) as invalid:
        _court(agenda, start + 4 * HOUR, bh.make_resident(), audience="association")
    assert "association_name" in invalid.value.errors
    # Associations without their own tariff pay the resident one.
    club = _court(
        agenda,
        start + 4 * HOUR,
        bh.make_resident(),
        audience="association",
        association_name="Tennis club",
    )
    assert club.amount_cents == 800
    free = _court(bh.make_resource_agenda(), start, resident)
    assert free.status == BookingStatus.CONFIRMED and free.amount_cents == 0


def test_no_two_bookings_of_one_court_overlap_but_two_courts_are_independent(resident):
    agenda = bh.make_resource_agenda(resources=2)
    court1, court2 = agenda.resources.order_by("sort_order")
    start = bh.next_weekday_at(17)
    _court(agenda, start, resident, hours=2, resource=court1)
    with pytest.raises(SlotUnavailable):
        _court(agenda, start + HOUR, bh.make_resident(), resource=court1)
    assert _court(agenda, start + HOUR, bh.make_resident(), resource=court2)
    assert _court(agenda, start + 2 * HOUR, bh.make_resident(), resource=court1)


def test_weekly_minutes_and_upcoming_bookings_limits(resident):
    agenda = bh.make_resource_agenda(max_minutes_per_week=120)
    monday = bh.next_weekday_at(9, days_ahead=7)
    monday -= dt.timedelta(days=timezone.localtime(monday).weekday())
    _court(agenda, monday, resident, hours=2)
    with pytest.raises(LimitReached) as limit:
        _court(agenda, monday + dt.timedelta(days=2), resident)
    assert "2 h" in str(limit.value.message)
    # The next ISO week starts afresh.
    assert _court(agenda, monday + dt.timedelta(days=7), resident)
    # Upcoming bookings per person (counted by account or e-mail).
    limited = bh.make_appointment_agenda(max_bookings_per_person=1)
    _appointment(limited, bh.next_weekday_at(10), None, email="lou@example.org")
    with pytest.raises(LimitReached):
        _appointment(limited, bh.next_weekday_at(11), None, email="LOU@example.org")


def test_approval_occupies_the_range_then_approve_or_refuse(resident, commit):
    service = bh.make_service("Vie associative", groups=["Agents vie associative"])
    agent = bh.make_agent("agent@example.org", service)
    stranger = bh.make_agent("autre@example.org", bh.make_service())
    hall = bh.make_resource_agenda(
        service=service,
        requires_approval=True,
        tariffs=[("resident", 25000, "booking")],
        deposit_cents=50000,
        slot_minutes=None,
        max_minutes=720,
    )
    start = bh.next_weekday_at(9, days_ahead=20)
    with commit():
        request = _court(hall, start, resident, hours=8)
    assert request.status == BookingStatus.PENDING_APPROVAL and request.amount_cents == 25000
    assert "Demande reçue" in mail.outbox[-1].subject
    with pytest.raises(SlotUnavailable):
        _court(hall, start + HOUR, bh.make_resident())
    with pytest.raises(PermissionDenied):
        services.booking_approve(booking=request, actor=stranger)
    approved_at = timezone.now()
    with commit():
        approved = services.booking_approve(booking=request, actor=agent, now=approved_at)
    assert approved.status == BookingStatus.HELD
    assert approved.held_until == approved_at + dt.timedelta(hours=hall.offer_hours)
    assert "à payer" in mail.outbox[-1].subject

    other = _court(hall, start + dt.timedelta(days=1), bh.make_resident("b@example.org"), hours=4)
    with pytest.raises(InvalidAnswers):
        services.booking_refuse(booking=other, actor=agent, reason=" ")
    with commit():
        services.booking_refuse(booking=other, actor=agent, reason="Salle réservée au conseil")
    other.refresh_from_db()
    assert other.status == BookingStatus.REFUSED
    assert "Salle réservée au conseil" in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["b@example.org"]
    # The range is free again; an agent's booking at the counter skips approval.
    counter = _court(
        hall, start + dt.timedelta(days=1), resident, hours=4, channel="counter", actor=agent
    )
    assert counter.status == BookingStatus.HELD and counter.created_by == agent


# --- sessions ------------------------------------------------------------------------------


CAMP_QUESTIONS = [
    {"key": "age", "label": "Âge", "kind": "number", "min_value": 6, "max_value": 12},
    {"key": "allergies", "label": "Allergies", "kind": "text", "required": False},
    {"key": "taille", "label": "Taille de t-shirt", "kind": "choice", "choices": "S\nM\nL"},
    {"key": "naissance", "label": "Date de naissance", "kind": "date"},
    {"key": "photo", "label": "Droit à l'image", "kind": "boolean", "required": False},
]


def test_answers_are_checked_per_participant_and_kept_normalised(resident):
    from parvis.bookings.services import ParticipantInput

    agenda = bh.make_event_agenda(capacity=10, questions=CAMP_QUESTIONS)
    session = agenda.sessions.get()
    category = session.categories.get()
    good = {"age": "8", "taille": "M", "naissance": "14/05/2017", "allergies": " arachide "}
    bad = {"age": "15", "taille": "XL", "naissance": "hier"}
    with pytest.raises(InvalidAnswers) as invalid:
        services.booking_book_session(
            session=session,
            participants=[
                ParticipantInput(category.pk, "Léo", "Martin", answers=good),
                ParticipantInput(category.pk, "Jade", "Martin", answers=bad),
                ParticipantInput(category.pk, "Inès", "Martin", answers={}),
            ],
            user=resident,
        )
    errors = invalid.value.errors
    assert set(errors) == {
        "participants-1-age",
        "participants-1-taille",
        "participants-1-naissance",
        "participants-2-age",
        "participants-2-taille",
        "participants-2-naissance",
    }
    assert "12" in errors["participants-1-age"][0]
    session.refresh_from_db()
    assert session.taken == 0 and not Booking.objects.exists()
    booking = services.booking_book_session(
        session=session,
        participants=[ParticipantInput(category.pk, "Léo", "Martin", answers=good)],
        user=resident,
    )
    assert booking.participants.get().answers == {
        "age": 8,
        "taille": "M",
        "naissance": "2017-05-14",
        "allergies": "arachide",
        "photo": False,
    }


def test_places_per_booking_resident_only_categories_and_session_opening(resident):
    agenda = bh.make_event_agenda(
        capacity=20,
        max_places_per_booking=2,
        categories=[("Habitants", 0, None, True), ("Extérieurs", 0, None, False)],
    )
    session = agenda.sessions.get()
    residents_only, outsiders = session.categories.order_by("sort_order")
    with pytest.raises(LimitReached):
        services.booking_book_session(
            session=session, participants=bh.participants(session, 3), user=resident
        )
    with pytest.raises(InvalidAnswers) as invalid:
        services.booking_book_session(
            session=session,
            participants=bh.participants(session, 1, category=residents_only),
            user=resident,
            audience="non_resident",
        )
    assert "participants-0-category" in invalid.value.errors
    ok = services.booking_book_session(
        session=session,
        participants=bh.participants(session, 1, category=outsiders),
        user=resident,
        audience="non_resident",
    )
    assert ok.status == BookingStatus.CONFIRMED
    session.opens_at = timezone.now() + HOUR
    session.save()
    with pytest.raises(BookingClosed):
        services.booking_book_session(
            session=session, participants=bh.participants(session, 1), user=resident
        )


# --- cancellation and refunds ----------------------------------------------------------


def test_cancel_refunds_in_full_or_not_according_to_the_policy(resident, commit):
    agenda = bh.make_event_agenda(capacity=5, price_cents=4000)
    session = agenda.sessions.get()
    booking = services.booking_book_session(
        session=session, participants=bh.participants(session, 2), user=resident
    )
    payment = _pay(booking)
    with commit():
        services.booking_cancel(booking=booking, actor=resident, reason="Empêchement")
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Empêchement"
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_amount == 8000
    assert "80,00" in mail.outbox[-1].body and "remboursé" in mail.outbox[-1].body
    session.refresh_from_db()
    assert session.taken == 0

    agenda.refund_policy = RefundPolicy.NONE
    agenda.save()
    kept = services.booking_book_session(
        session=session, participants=bh.participants(session, 1), user=resident
    )
    kept_payment = _pay(kept)
    with commit():
        services.booking_cancel(booking=kept, actor=resident)
    kept_payment.refresh_from_db()
    assert kept_payment.status == PaymentStatus.PAID and not kept_payment.refunds.exists()
    assert "n'est pas remboursé" in mail.outbox[-1].body


def test_cancel_deadline_binds_residents_not_agents(resident):
    service = bh.make_service()
    agent = bh.make_agent("accueil@example.org", service)
    agenda = bh.make_resource_agenda(service=service, cancel_until_hours=48)
    start = bh.next_weekday_at(10, days_ahead=4)
    booking = _court(agenda, start, resident)
    with pytest.raises(CancellationTooLate):
        services.booking_cancel(booking=booking, actor=resident, now=start - 47 * HOUR)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, actor=bh.make_resident())
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, actor=resident, by_agent=True)
    services.booking_cancel(
        booking=booking, actor=agent, by_agent=True, reason="Terrain inondé", now=start - HOUR
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    entry = AuditLogEntry.objects.filter(action="booking.cancelled").get()
    assert entry.actor == agent and entry.data["by_agent"] is True


def test_a_move_that_fails_keeps_the_old_slot(resident):
    agenda = bh.make_resource_agenda(tariffs=[("resident", 800, "hour")])
    start = bh.next_weekday_at(10)
    mine = _court(agenda, start, resident)
    _pay(mine)
    _court(agenda, start + 2 * HOUR, bh.make_resident())
    with pytest.raises(SlotUnavailable):
        services.booking_move(booking=mine, start=start + 2 * HOUR, actor=resident)
    with pytest.raises(BookingError):  # longer: another price, already paid
        services.booking_move(booking=mine, start=start, end=start + 2 * HOUR, actor=resident)
    mine.refresh_from_db()
    assert (mine.start, mine.end) == (start, start + HOUR)
    assert mine.status == BookingStatus.CONFIRMED
    moved = services.booking_move(booking=mine, start=start + 4 * HOUR, actor=resident)
    assert moved.start == start + 4 * HOUR
    # The old hour is free for someone else.
    assert _court(agenda, start, bh.make_resident())


def test_attendance_per_booking_and_per_participant(resident):
    service = bh.make_service()
    agent = bh.make_agent("animateur@example.org", service)
    agenda = bh.make_event_agenda(service=service, capacity=5)
    session = agenda.sessions.get()
    booking = services.booking_book_session(
        session=session, participants=bh.participants(session, 2), user=resident
    )
    first, second = booking.participants.order_by("pk")
    services.booking_mark_attendance(
        booking=booking, attended=False, actor=agent, participant_id=first.pk
    )
    booking.refresh_from_db()
    assert booking.attended is None
    services.booking_mark_attendance(
        booking=booking, attended=True, actor=agent, participant_id=second.pk
    )
    booking.refresh_from_db()
    assert booking.attended is True
    services.booking_mark_attendance(booking=booking, attended=False, actor=agent)
    assert set(booking.participants.values_list("attended", flat=True)) == {False}
    with pytest.raises(PermissionDenied):
        services.booking_mark_attendance(booking=booking, attended=True, actor=resident)


# --- closures ------------------------------------------------------------------------------


def test_closure_cancels_refunds_and_tells_each_holder(commit):
    service = bh.make_service("Sports")
    agent = bh.make_agent("sports@example.org", service)
    agenda = bh.make_resource_agenda(
        service=service, tariffs=[("resident", 1000, "booking")], refund_policy=RefundPolicy.NONE
    )
    day = bh.next_weekday_at(0, days_ahead=5)
    paid_holder = bh.make_resident("paye@example.org", phone="06 39 98 00 03")
    inside_paid = _court(agenda, day + 10 * HOUR, paid_holder)
    payment = _pay(inside_paid)
    inside_held = _court(agenda, day + 12 * HOUR, bh.make_resident("attente@example.org"))
    outside = _court(agenda, day + dt.timedelta(days=1, hours=10), bh.make_resident())
    mail.outbox.clear()
    with commit():
        closure = services.closure_create(
            agenda=agenda,
            start=day,
            end=day + dt.timedelta(days=1),
            reason="Grève",
            message="Les courts sont fermés pour travaux d'urgence.",
            actor=agent,
        )
    assert closure.cancelled_bookings == 2
    for booking in (inside_paid, inside_held, outside):
        booking.refresh_from_db()
    assert inside_paid.status == inside_held.status == BookingStatus.CANCELLED
    assert outside.status == BookingStatus.HELD
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED  # in full despite the NONE policy
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {"paye@example.org", "attente@example.org"}
    assert "travaux d'urgence" in told["paye@example.org"].body
    sms = Delivery.objects.get(channel="sms")
    assert sms.address == "+33639980003" and "travaux d'urgence" in sms.text
    with pytest.raises(OutsideOpeningHours):
        _court(agenda, day + 15 * HOUR, bh.make_resident())
    with pytest.raises(PermissionDenied):
        services.closure_create(
            agenda=agenda, start=day, end=day + HOUR, reason="x", actor=bh.make_resident()
        )
    assert Closure.objects.count() == 1


def test_closure_cancels_a_session_and_its_waiting_list():
    service = bh.make_service()
    agent = bh.make_agent("culture@example.org", service)
    agenda = bh.make_event_agenda(service=service, capacity=1)
    session = agenda.sessions.get()
    taken = services.booking_book_session(
        session=session, participants=bh.participants(session, 1), user=bh.make_resident()
    )
    waiting = services.booking_book_session(
        session=session,
        participants=bh.participants(session, 1),
        user=bh.make_resident(),
        join_waiting_list=True,
    )
    services.closure_create(
        agenda=agenda, start=session.start, end=session.end, reason="Intempéries", actor=agent
    )
    taken.refresh_from_db()
    waiting.refresh_from_db()
    session.refresh_from_db()
    assert taken.status == waiting.status == BookingStatus.CANCELLED
    assert session.cancelled and session.taken == 0
    with pytest.raises(BookingClosed):
        services.booking_book_session(
            session=session, participants=bh.participants(session, 1), user=bh.make_resident()
        )


# --- reminders, commands, RGPD ------------------------------------------------------------


def test_reminder_the_day_before_once(resident, commit):
    agenda = bh.make_resource_agenda()
    now = timezone.now()
    tomorrow = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
    tomorrow += dt.timedelta(days=1)
    booking = _court(agenda, tomorrow, resident)
    _court(agenda, tomorrow + dt.timedelta(days=1), bh.make_resident())  # not yet
    mail.outbox.clear()
    with commit():
        assert services.bookings_send_reminders(now=now) == 1
    assert services.bookings_send_reminders(now=now) == 0
    assert len(mail.outbox) == 1 and "Rappel" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][0].endswith(".ics")
    booking.refresh_from_db()
    assert booking.reminder_sent_at == now
    assert Delivery.objects.filter(channel="sms").count() == 1


def test_scheduled_commands_run(resident):
    agenda = bh.make_event_agenda(capacity=1, price_cents=500)
    session = agenda.sessions.get()
    booking = services.booking_book_session(
        session=session, participants=bh.participants(session, 1), user=resident
    )
    Booking.objects.filter(pk=booking.pk).update(held_until=timezone.now() - HOUR)
    call_command("expire_bookings", stdout=open("/dev/null", "w"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    call_command("send_booking_reminders", stdout=open("/dev/null", "w"))


def test_rgpd_export_erase_and_purge(resident):
    agenda = bh.make_event_agenda(capacity=3, questions=CAMP_QUESTIONS[:1])
    session = agenda.sessions.get()
    booking = services.booking_book_session(
        session=session,
        participants=bh.participants(session, 1, answers={"age": 9}),
        user=resident,
    )
    rows = retention.export("CAMILLE.martin@example.org")
    assert rows[0]["reference"] == booking.reference
    assert rows[0]["participants"][0]["reponses"] == {"age": 9}
    assert retention.erase("camille.martin@example.org") == 1
    booking.refresh_from_db()
    assert booking.email == "" and booking.user is None
    assert booking.participants.get().answers == {}
    assert retention.export("camille.martin@example.org") == []
    old = services.booking_book_session(
        session=session,
        participants=bh.participants(session, 1, answers={"age": 7}),
        user=bh.make_resident(),
    )
    Booking.objects.filter(pk=old.pk).update(end=timezone.now() - dt.timedelta(days=800))
    assert retention.purge() == 1
    old.refresh_from_db()
    assert old.email == "" and old.first_name == "—" and old.status in OCCUPYING
    assert retention.purge() == 0  # already done


def test_booking_queries_do_not_grow_with_the_number_of_places(resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agenda = bh.make_event_agenda(capacity=20, questions=CAMP_QUESTIONS[:1])
    session = agenda.sessions.get()
    people = [resident, bh.make_resident(), bh.make_resident()]
    counts = []
    for user, places in zip(people, (1, 1, 4), strict=True):  # the first warms caches
        with CaptureQueriesContext(connection) as queries:
            services.booking_book_session(
                session=session,
                participants=bh.participants(session, places, answers={"age": 9}),
                user=user,
            )
        counts.append(len(queries))
    assert counts[1] == counts[2] and counts[2] <= 25, counts
