"""Holds, payment and the waiting list: an unpaid hold expires and its place goes to the
first person waiting, an offer not taken moves on, a payment makes the booking
confirmed, a late payment is honoured or refunded — counters always right."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from parvis.bookings import services
from parvis.bookings.exceptions import HoldExpired, OfferExpired, SessionFull
from parvis.bookings.models import OCCUPYING, Booking, BookingStatus
from parvis.core.models import AuditLogEntry
from parvis.newsletter.models import Delivery
from parvis.payments import providers
from parvis.payments.models import Payment, PaymentStatus, Refund
from parvis.payments.services import (
    payment_create,
    payment_handle_notification,
    payment_mark_paid,
)

from . import bookings_helpers as bh

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (e-mails, SMS) of the block."""

    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture


def _camp(capacity=1, price_cents=9000, **fields):
    agenda = bh.make_event_agenda(capacity=capacity, price_cents=price_cents, **fields)
    return agenda, agenda.sessions.get()


def _book(session, user, places=1, **kwargs):
    return services.booking_book_session(
        session=session, participants=bh.participants(session, places), user=user, **kwargs
    )


def _counters_match(session):
    session.refresh_from_db()
    occupying = Booking.objects.filter(session=session, status__in=OCCUPYING)
    assert session.taken == sum(booking.places for booking in occupying)
    for category in session.categories.all():
        used = sum(booking.participants.filter(category=category).count() for booking in occupying)
        assert category.taken == used
    return session.taken


def _notify_provider(payment, outcome):
    """What the dummy simulator does when the resident chooses ``outcome``."""
    payment.refresh_from_db()
    query = providers.dummy_notification(
        regie=payment.regie, transaction_id=payment.provider_reference, outcome=outcome
    )
    payment_handle_notification(regie=payment.regie, query_string=query)
    payment.refresh_from_db()
    return payment


def _subjects():
    return [message.subject for message in mail.outbox]


def test_hold_expires_offer_moves_on_accept_pay_confirmed(commit):
    agenda, session = _camp(capacity=1, offer_hours=48)
    anna, basile, chloe = (
        bh.make_resident("anna@example.org", first_name="Anna"),
        bh.make_resident("basile@example.org", first_name="Basile"),
        bh.make_resident("chloe@example.org", first_name="Chloé", phone="06 39 98 00 01"),
    )
    held = _book(session, anna)
    assert held.status == BookingStatus.HELD
    assert held.held_until == held.created_at + dt.timedelta(minutes=agenda.hold_minutes)
    with pytest.raises(SessionFull):
        _book(session, basile)
    with commit():
        waiting_b = _book(session, basile, join_waiting_list=True)
        waiting_c = _book(session, chloe, join_waiting_list=True)
    assert waiting_b.status == waiting_c.status == BookingStatus.WAITING
    assert _counters_match(session) == 1
    assert any("Liste d'attente" in subject for subject in _subjects())
    mail.outbox.clear()

    # Nothing happens before the hold's end…
    assert services.bookings_expire(now=held.held_until - MINUTE)["holds"] == 0
    # …then the place goes to Basile, first on the list.
    with commit():
        counts = services.bookings_expire(now=held.held_until + MINUTE)
    assert counts == {"holds": 1, "offers_lapsed": 0, "offers_made": 1}
    held.refresh_from_db()
    waiting_b.refresh_from_db()
    waiting_c.refresh_from_db()
    assert held.status == BookingStatus.EXPIRED
    assert waiting_b.status == BookingStatus.OFFERED
    assert waiting_c.status == BookingStatus.WAITING
    expected_end = held.held_until + MINUTE + dt.timedelta(hours=48)
    assert waiting_b.offer_expires_at == expected_end
    assert _counters_match(session) == 1
    to_basile = [m for m in mail.outbox if m.to == ["basile@example.org"]]
    assert len(to_basile) == 1 and "Une place s'est libérée" in to_basile[0].subject
    assert [m.to for m in mail.outbox if "Place libérée" in m.subject] == [["anna@example.org"]]
    # Running again changes nothing (idempotent).
    assert services.bookings_expire(now=held.held_until + 2 * MINUTE) == {
        "holds": 0,
        "offers_lapsed": 0,
        "offers_made": 0,
    }
    mail.outbox.clear()

    # Basile does not answer: the offer lapses and moves on to Chloé (e-mail and SMS).
    with commit():
        counts = services.bookings_expire(now=waiting_b.offer_expires_at + MINUTE)
    assert counts == {"holds": 0, "offers_lapsed": 1, "offers_made": 1}
    waiting_b.refresh_from_db()
    waiting_c.refresh_from_db()
    assert waiting_b.status == BookingStatus.EXPIRED
    assert waiting_c.status == BookingStatus.OFFERED
    assert _counters_match(session) == 1
    assert [m.to for m in mail.outbox if "Une place" in m.subject] == [["chloe@example.org"]]
    sms = Delivery.objects.get(channel="sms")
    assert sms.address == "+33639980001" and waiting_c.reference in sms.text
    with pytest.raises(OfferExpired):
        services.booking_accept_offer(booking=waiting_b)

    # Chloé accepts (→ held for the payment time), pays, and is confirmed.
    accepted_at = timezone.now()
    booking = services.booking_accept_offer(booking=waiting_c, actor=chloe, now=accepted_at)
    assert booking.status == BookingStatus.HELD and booking.offer_expires_at is None
    assert booking.held_until == accepted_at + dt.timedelta(minutes=agenda.hold_minutes)
    mail.outbox.clear()
    start = services.booking_start_payment(booking=booking)
    booking.refresh_from_db()
    payment = booking.payment
    assert payment.status == PaymentStatus.PENDING and payment.amount == 9000
    assert start.redirect_url or start.form_url
    with commit():
        _notify_provider(payment, "paid")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.confirmed_at
    assert _counters_match(session) == 1
    confirmation = next(m for m in mail.outbox if "Réservation confirmée" in m.subject)
    assert confirmation.to == ["chloe@example.org"]
    name, content, mimetype = confirmation.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]).startswith(f"booking-{booking.public_id}@")
    assert event.decoded("DTSTART") == session.start


def test_refused_payment_keeps_the_hold_and_the_resident_pays_again(commit):
    _agenda, session = _camp(capacity=1)
    resident = bh.make_resident()
    booking = _book(session, resident)
    services.booking_start_payment(booking=booking)
    booking.refresh_from_db()
    first = _notify_provider(booking.payment, "failed")
    assert first.status == PaymentStatus.FAILED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert _counters_match(session) == 1
    assert booking.events.filter(kind="payment_failed").exists()
    # Pay again: a new payment, which succeeds.
    services.booking_start_payment(booking=booking)
    booking.refresh_from_db()
    assert booking.payment_id != first.pk
    with commit():
        _notify_provider(booking.payment, "paid")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_abandoned_payment_releases_the_place_at_once_to_the_waiting_list(commit):
    _agenda, session = _camp(capacity=1)
    payer, waiting_person = bh.make_resident(), bh.make_resident()
    booking = _book(session, payer)
    waiting = _book(session, waiting_person, join_waiting_list=True)
    services.booking_start_payment(booking=booking)
    booking.refresh_from_db()
    with commit():
        _notify_provider(booking.payment, "cancelled")
    booking.refresh_from_db()
    waiting.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert waiting.status == BookingStatus.OFFERED
    assert _counters_match(session) == 1
    with pytest.raises(HoldExpired):
        services.booking_start_payment(booking=booking)


def test_paying_after_the_hold_has_run_out_expires_it_first():
    _agenda, session = _camp(capacity=2)
    booking = _book(session, bh.make_resident())
    with pytest.raises(HoldExpired):
        services.booking_start_payment(booking=booking, now=booking.held_until + MINUTE)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED and booking.payment is None
    assert _counters_match(session) == 0


def _late_payment(booking):
    """A payment that the provider confirms after the hold expired."""
    payment = payment_create(
        regie=booking.agenda.regie,
        amount=booking.amount_cents,
        label="Réservation",
        payable=booking,
        user=booking.user,
    )
    Booking.objects.filter(pk=booking.pk).update(payment=payment)
    return payment


def test_late_payment_is_honoured_when_the_place_is_still_free(commit):
    _agenda, session = _camp(capacity=1)
    booking = _book(session, bh.make_resident())
    payment = _late_payment(booking)
    services.bookings_expire(now=booking.held_until + MINUTE)
    assert _counters_match(session) == 0
    with commit():
        payment_mark_paid(payment=payment, source="test")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert _counters_match(session) == 1
    assert AuditLogEntry.objects.filter(action="booking.late_payment_honoured").count() == 1
    assert not Refund.objects.exists()
    assert any("Réservation confirmée" in subject for subject in _subjects())


def test_late_payment_is_refunded_when_the_place_went_to_someone_else(commit):
    agenda, session = _camp(capacity=1)
    late, waiting_person = bh.make_resident("tardif@example.org"), bh.make_resident()
    booking = _book(session, late)
    waiting = _book(session, waiting_person, join_waiting_list=True)
    payment = _late_payment(booking)
    services.bookings_expire(now=booking.held_until + MINUTE)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    mail.outbox.clear()
    with commit():
        payment_mark_paid(payment=payment, source="test")
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "remboursé" in booking.cancel_reason
    assert payment.status == PaymentStatus.REFUNDED
    refund = Refund.objects.get(payment=payment)
    assert refund.amount == 9000
    assert _counters_match(session) == 1  # still Basile's offered place
    assert AuditLogEntry.objects.filter(action="booking.late_payment_refunded").count() == 1
    told = [m for m in mail.outbox if m.to == ["tardif@example.org"]]
    assert told and "annulée" in told[0].subject and "90,00" in told[0].body


def test_late_payfip_payment_refund_is_recorded_and_the_service_alerted(commit):
    regie = bh.make_paid_regie("cantine", backend="payfip_ws", numcli="123456")
    service = bh.make_service("Enfance-jeunesse", email="enfance@example.org")
    agenda = bh.make_resource_agenda(
        tariffs=[("resident", 1000, "booking")], regie=regie, service=service
    )
    court = agenda.resources.get()
    start = bh.next_weekday_at(10)
    late = services.booking_book_resource(
        agenda=agenda,
        resource=court,
        start=start,
        end=start + dt.timedelta(hours=1),
        user=bh.make_resident(),
    )
    payment = _late_payment(late)
    services.bookings_expire(now=late.held_until + MINUTE)
    other = services.booking_book_resource(
        agenda=agenda,
        resource=court,
        start=start,
        end=start + dt.timedelta(hours=1),
        user=bh.make_resident(),
    )
    assert other.status == BookingStatus.HELD
    with commit():
        payment_mark_paid(payment=payment, source="test")
    late.refresh_from_db()
    assert late.status == BookingStatus.CANCELLED
    refund = Refund.objects.get(payment=payment)
    assert refund.amount == 1000 and refund.executed_online is False
    alert = [m for m in mail.outbox if m.to == ["enfance@example.org"]]
    assert len(alert) == 1 and "Remboursement à effectuer" in alert[0].subject
    assert payment.refdet in alert[0].body


def test_a_resource_hold_past_its_time_does_not_block_a_new_booking():
    agenda = bh.make_resource_agenda(tariffs=[("resident", 800, "hour")])
    court = agenda.resources.get()
    start = bh.next_weekday_at(18)
    first = services.booking_book_resource(
        agenda=agenda,
        resource=court,
        start=start,
        end=start + dt.timedelta(hours=1),
        user=bh.make_resident(),
    )
    later = first.held_until + MINUTE
    second = services.booking_book_resource(
        agenda=agenda,
        resource=court,
        start=start,
        end=start + dt.timedelta(hours=1),
        user=bh.make_resident(),
        now=later,
    )
    first.refresh_from_db()
    assert first.status == BookingStatus.EXPIRED
    assert second.status == BookingStatus.HELD


def test_decline_offer_gives_the_place_to_the_next_and_cancel_frees_places(commit):
    _agenda, session = _camp(capacity=2, price_cents=0)
    first = _book(session, bh.make_resident(), places=2)
    assert first.status == BookingStatus.CONFIRMED
    second = _book(session, bh.make_resident(), places=2, join_waiting_list=True)
    third = _book(session, bh.make_resident(), places=1, join_waiting_list=True)
    with commit():
        services.booking_cancel(booking=first, actor=first.user)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == BookingStatus.OFFERED and third.status == BookingStatus.WAITING
    assert _counters_match(session) == 2
    services.booking_decline_offer(booking=second)
    third.refresh_from_db()
    assert third.status == BookingStatus.OFFERED
    assert _counters_match(session) == 1
    accepted = services.booking_accept_offer(booking=third)
    assert accepted.status == BookingStatus.CONFIRMED  # free: no payment
    assert _counters_match(session) == 1


def test_a_smaller_request_further_down_takes_a_place_a_larger_one_cannot():
    _agenda, session = _camp(capacity=2, price_cents=0)
    holder = _book(session, bh.make_resident(), places=1)
    _book(session, bh.make_resident(), places=1)
    family = _book(session, bh.make_resident(), places=2, join_waiting_list=True)
    single = _book(session, bh.make_resident(), places=1, join_waiting_list=True)
    services.booking_cancel(booking=holder, actor=holder.user)
    family.refresh_from_db()
    single.refresh_from_db()
    assert family.status == BookingStatus.WAITING
    assert single.status == BookingStatus.OFFERED
    assert _counters_match(session) == 2


def test_capacity_raised_by_an_agent_goes_to_the_waiting_list_at_the_next_run():
    _agenda, session = _camp(capacity=1, price_cents=0)
    _book(session, bh.make_resident())
    waiting = _book(session, bh.make_resident(), join_waiting_list=True)
    session.capacity = 2
    session.save(update_fields=["capacity"])
    assert services.bookings_expire()["offers_made"] == 1
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    assert _counters_match(session) == 2


def test_second_payment_of_a_paid_booking_is_refunded():
    _agenda, session = _camp(capacity=1)
    booking = _book(session, bh.make_resident())
    first = _late_payment(booking)
    second = payment_create(
        regie=booking.agenda.regie, amount=booking.amount_cents, label="x", payable=booking
    )
    payment_mark_paid(payment=first, source="test")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_id == first.pk
    payment_mark_paid(payment=second, source="test")
    booking.refresh_from_db()
    second.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_id == first.pk
    assert second.status == PaymentStatus.REFUNDED
    assert Payment.objects.get(pk=first.pk).status == PaymentStatus.PAID
    assert AuditLogEntry.objects.filter(action="booking.duplicate_payment_refunded").exists()
