"""The booking engine: one set of services for appointments, resources and sessions.

Every function is keyword-only, runs in one transaction, writes the booking's history
and the audit log with the acting user, sends mail/SMS only after commit and raises a
:class:`parvis.bookings.exceptions.BookingError` subclass with a translated message.

Concurrency design — capacity is enforced by the database, never by Python memory
==================================================================================

*Sessions and ticket categories* (camps, shows, flea markets). A booking takes its places
with a conditional UPDATE inside its transaction::

    UPDATE bookings_session SET taken = taken + n
     WHERE id = %s AND NOT cancelled AND taken <= capacity - n

and the same against each ticket category's quota. One row updated means the places are
ours; zero means the session (or category) is full and nothing was taken (the category
update runs in a savepoint, rolled back with the session's when it fails). On PostgreSQL
the UPDATE locks the session row until commit and a concurrent UPDATE re-evaluates its
WHERE clause on the committed row (READ COMMITTED), so two clients can never both take
the last place. Releases (expiry, cancellation, refusal) decrement in the same way. The
CheckConstraint ``taken <= capacity`` is the backstop.

*Resources and desks* (courts, rooms, appointment counters). No two OCCUPYING bookings
(offered, held, pending approval, confirmed) of one resource or one desk overlap:

- the transaction locks the resource row (``SELECT … FOR UPDATE``; for appointments all
  the candidate desks, in id order), then checks for an overlapping occupying booking and
  inserts. The lock serialises bookings of that resource, and each statement under READ
  COMMITTED sees what the previous holder committed;
- PostgreSQL also carries exclusion constraints (migration 0003, btree_gist):
  ``EXCLUDE USING gist (resource_id WITH =, tstzrange(start, "end") WITH &&) WHERE
  (status IN occupying)`` and the same on ``desk_id``. They are the backstop: a violation
  (IntegrityError) becomes :class:`SlotUnavailable`;
- several desks multiply an appointment agenda's capacity: among the desks whose hours
  and absences allow the start (:func:`parvis.bookings.selectors.appointment_slot_problem`)
  the first free one (in the agenda's order) is taken, under the desks' locks.

*SQLite* (the embedded default) has no row locks, but the settings open every
transaction with ``BEGIN IMMEDIATE`` (``transaction_mode="IMMEDIATE"``): a transaction
takes the database's write lock when it starts, before its first read, so writers are
serialised and the check-then-insert above (and the conditional UPDATE) cannot
interleave; others wait up to ``busy_timeout``. Readers never block (WAL).

*Per-person limits* (``max_bookings_per_person``, ``max_minutes_per_week``) are counted
inside the transaction after locking the person's account row, so two simultaneous
requests of one account cannot both pass (guests are counted by e-mail, without lock).

Holds, waiting list and payment
===============================

- A paid booking is HELD until ``held_until = now + agenda.hold_minutes`` while the
  resident pays (:func:`booking_start_payment`: a payment whose payable is the booking).
  ``payment_paid`` → CONFIRMED. ``payment_released``: a *refused* payment keeps the hold
  until ``held_until`` (the resident may pay again); an *abandoned or expired* payment
  releases the hold at once (EXPIRED).
- :func:`bookings_expire` (every minute, command ``expire_bookings``) expires HELD past
  ``held_until`` and OFFERED past ``offer_expires_at``; a booking in the way of a new
  one is also expired on the spot. Freed session places go, in order of arrival, to the
  first WAITING bookings whose places (and category quotas) fit: OFFERED until
  ``now + agenda.offer_hours`` (never past the session's start), with an e-mail and an
  SMS. An offer accepted becomes HELD (to pay) or CONFIRMED; declined or lapsed, it moves
  on to the next. The same happens at once on a cancellation or a refusal. Offers take
  their places with the same conditional UPDATE, under the waiting bookings' row locks,
  so a place is never lost nor given twice.
- *Late payment rule*: a payment confirmed after its hold expired is HONOURED when the
  place can still be taken at that moment (session counter, resource range or the same
  desk, under the same locks and constraints); otherwise the booking becomes CANCELLED
  with its reason and the payment is REFUNDED in full (:func:`payment_refund`; for
  PayFiP the refund is recorded and the service e-mailed, the public accountant pays it
  back). A payment for a booking cancelled or refused meanwhile, or a second payment of
  a booking already paid, is refunded the same way. Every case is in the audit log
  (``booking.late_payment_honoured``, ``booking.late_payment_refunded``…) and the
  resident is told.
- Approval (the village hall): a request is PENDING_APPROVAL and occupies its range; an
  agent approves (→ HELD for ``agenda.offer_hours`` when there is a price, else
  CONFIRMED) or refuses (→ REFUSED, reason e-mailed). Agents' bookings at the counter
  skip approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import notifications
from ..exceptions import (
    BookingClosed,
    BookingError,
    CategoryFull,
    InvalidAnswers,
    InvalidTransition,
    SessionFull,
    SlotUnavailable,
)
from ..models import (
    Agenda,
    AgendaKind,
    AppointmentType,
    Booking,
    BookingStatus,
    Participant,
    Resource,
    Session,
    TariffAudience,
)
from . import _core, rules
from .closures import closure_create  # noqa: F401
from .holds import (  # noqa: F401
    booking_accept_offer,
    booking_decline_offer,
    bookings_expire,
)
from .lifecycle import (  # noqa: F401
    booking_approve,
    booking_cancel,
    booking_mark_attendance,
    booking_move,
    booking_refuse,
)
from .payment import booking_start_payment  # noqa: F401
from .placement import appointment_desks, free_desk, resource_range_check
from .reminders import bookings_send_reminders  # noqa: F401


@dataclass
class ParticipantInput:
    """One place asked for in a session: who, at which category, with which answers."""

    category_id: int | None
    first_name: str = ""
    last_name: str = ""
    family_member_id: int | None = None
    answers: dict = field(default_factory=dict)


def _family_member(user, family_member, field_name: str = "family_member"):
    """The family member, checked to belong to ``user`` (else InvalidAnswers)."""
    from parvis.accounts.models import FamilyMember

    if family_member is None:
        return None
    pk = getattr(family_member, "pk", family_member)
    member = FamilyMember.objects.filter(pk=pk, user=user).first() if user is not None else None
    if member is None:
        raise InvalidAnswers(
            {field_name: [_("Cette personne ne fait pas partie de votre famille.")]}
        )
    return member


def _status_for_payment(amount: int, agenda: Agenda) -> str:
    if amount and agenda.regie_id is None:
        raise BookingClosed(
            _(
                "Le paiement en ligne n'est pas encore ouvert pour cet agenda : contactez "
                "le service."
            )
        )
    return BookingStatus.HELD if amount else BookingStatus.CONFIRMED


def _hold_fields(status: str, agenda: Agenda, now: dt.datetime) -> dict:
    if status == BookingStatus.HELD:
        return {"held_until": now + dt.timedelta(minutes=agenda.hold_minutes)}
    if status == BookingStatus.CONFIRMED:
        return {"confirmed_at": now}
    return {}


def _create(*, fields: dict, actor, now: dt.datetime, kind: str = "created") -> Booking:
    """Insert the booking (an overlap refused by the database becomes SlotUnavailable),
    give it its reference and write its history."""
    try:
        with transaction.atomic():
            booking = Booking.objects.create(created_at=now, **fields)
    except IntegrityError as error:
        if _core.is_overlap_error(error):
            raise SlotUnavailable() from error
        raise
    _core.set_reference(booking)
    _core.record(booking, kind, actor=actor, to_status=booking.status)
    return booking


def _announce(booking: Booking) -> None:
    kind = {
        BookingStatus.CONFIRMED: "confirmed",
        BookingStatus.PENDING_APPROVAL: "pending_approval",
        BookingStatus.WAITING: "waiting",
    }.get(booking.status)
    if kind:
        notifications.notify(booking, kind)


# --- appointments ----------------------------------------------------------------------


def booking_book_appointment(
    *,
    agenda: Agenda,
    appointment_type: AppointmentType,
    start: dt.datetime,
    user=None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    ants_number: str = "",
    family_member=None,
    comment: str = "",
    channel: str = "online",
    actor=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book the appointment starting at ``start`` on a free desk (CONFIRMED, or HELD when
    the type has a price). Raises SlotUnavailable, OutsideOpeningHours, TooSoonOrTooLate,
    BookingClosed, LimitReached, AccountRequired, InvalidAnswers (ANTS number, e-mail)."""
    now = _core.now_or(now)
    if agenda.kind != AgendaKind.APPOINTMENT or appointment_type.agenda_id != agenda.pk:
        raise InvalidTransition()
    amount = appointment_type.price_cents
    who = rules.holder(
        agenda,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        channel=channel,
        guests_allowed=agenda.allow_guests and not amount,
    )
    rules.check_open(agenda, now=now, channel=channel)
    ants = rules.normalise_ants(ants_number) if appointment_type.ants_required else ""
    member = _family_member(who["user"], family_member)
    status = _status_for_payment(amount, agenda)
    desks, end = appointment_desks(
        agenda=agenda,
        appointment_type=appointment_type,
        start=start,
        now=now,
        require_grid=not rules.is_agent_channel(channel),
    )
    with transaction.atomic():
        _core.lock_person(who["user"])
        rules.check_person_limits(agenda, user=who["user"], email=who["email"], now=now)
        desk = free_desk(desks=desks, start=start, end=end, now=now)
        if desk is None:
            raise SlotUnavailable()
        booking = _create(
            fields={
                **who,
                "agenda": agenda,
                "status": status,
                "desk": desk,
                "appointment_type": appointment_type,
                "start": start,
                "end": end,
                "ants_number": ants,
                "family_member": member,
                "comment": comment,
                "amount_cents": amount,
                "channel": channel,
                "created_by": actor if getattr(actor, "is_authenticated", False) else None,
                "email_verified_at": now if who["email"] else None,
                **_hold_fields(status, agenda, now),
            },
            actor=actor or who["user"],
            now=now,
        )
        _announce(booking)
    return booking


# --- resources -------------------------------------------------------------------------


def booking_book_resource(
    *,
    agenda: Agenda,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    user=None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    audience: str = "resident",
    association_name: str = "",
    comment: str = "",
    channel: str = "online",
    actor=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book ``resource`` from ``start`` to ``end``: PENDING_APPROVAL (agenda needs
    approval; an agent's booking skips it), HELD (price to pay) or CONFIRMED. Never two
    occupying bookings overlapping. The price comes from the audience's tariff (per
    booking or per hour); the agenda's deposit is noted on the booking."""
    now = _core.now_or(now)
    if agenda.kind != AgendaKind.RESOURCE or resource.agenda_id != agenda.pk:
        raise InvalidTransition()
    if audience not in TariffAudience.values:
        raise InvalidAnswers({"audience": [_("Choisissez un public.")]})
    if audience == TariffAudience.ASSOCIATION and not association_name.strip():
        raise InvalidAnswers({"association_name": [_("Indiquez le nom de l'association.")]})
    who = rules.holder(
        agenda,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        channel=channel,
        guests_allowed=False,
    )
    rules.check_open(agenda, now=now, channel=channel)
    resource_range_check(resource=resource, start=start, end=end, now=now)
    amount = rules.resource_price(agenda, audience, start, end)
    if agenda.requires_approval and not rules.is_agent_channel(channel):
        status = BookingStatus.PENDING_APPROVAL
        if amount and agenda.regie_id is None:
            _status_for_payment(amount, agenda)
    else:
        status = _status_for_payment(amount, agenda)
    minutes = int((end - start).total_seconds() // 60)
    with transaction.atomic():
        _core.lock_person(who["user"])
        _core.lock_resource(resource)
        rules.check_person_limits(
            agenda, user=who["user"], email=who["email"], now=now, start=start, minutes=minutes
        )
        if not _core.range_is_free(start=start, end=end, now=now, resource_id=resource.pk):
            raise SlotUnavailable()
        booking = _create(
            fields={
                **who,
                "agenda": agenda,
                "status": status,
                "resource": resource,
                "start": start,
                "end": end,
                "audience": audience,
                "association_name": association_name.strip()[:150],
                "comment": comment,
                "amount_cents": amount,
                "deposit_cents": agenda.deposit_cents,
                "channel": channel,
                "created_by": actor if getattr(actor, "is_authenticated", False) else None,
                **_hold_fields(status, agenda, now),
            },
            actor=actor or who["user"],
            now=now,
        )
        _announce(booking)
    return booking


# --- sessions --------------------------------------------------------------------------


def _clean_participants(session: Session, participants, *, user, audience: str, channel: str):
    """(Participant rows unsaved, amount) after checking categories, family members and
    answers; InvalidAnswers lists every problem at once."""
    agenda = session.agenda
    if not participants:
        raise InvalidAnswers({"participants": [_("Indiquez au moins un participant.")]})
    categories = {category.pk: category for category in session.categories.all()}
    questions = list(agenda.questions.all())
    errors: dict[str, list[str]] = {}
    rows, amount = [], 0
    for index, wanted in enumerate(participants):
        prefix = f"participants-{index}-"
        category = categories.get(wanted.category_id) if wanted.category_id else None
        if categories and category is None:
            errors[prefix + "category"] = [_("Choisissez une catégorie de place.")]
        elif category is not None and category.resident_only:
            resident = audience == TariffAudience.RESIDENT and (
                user is not None or rules.is_agent_channel(channel)
            )
            if not resident:
                errors[prefix + "category"] = [
                    _("Cette catégorie est réservée aux habitants de la commune (avec un compte).")
                ]
        member = None
        if wanted.family_member_id:
            try:
                member = _family_member(user, wanted.family_member_id, prefix + "family_member")
            except InvalidAnswers as error:
                errors.update(error.errors)
        answers, answer_errors = rules.clean_answers(questions, wanted.answers, prefix)
        errors.update(answer_errors)
        price = category.price_cents if category is not None else 0
        amount += price
        rows.append(
            Participant(
                category=category,
                family_member=member,
                first_name=(wanted.first_name or (member.first_name if member else ""))[:80],
                last_name=(wanted.last_name or (member.last_name if member else ""))[:80],
                price_cents=price,
                answers=answers,
            )
        )
    if errors:
        raise InvalidAnswers(errors)
    return rows, amount


def booking_book_session(
    *,
    session: Session,
    participants: list[ParticipantInput],
    user=None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    join_waiting_list: bool = False,
    channel: str = "online",
    actor=None,
    audience: str = "resident",
    now: dt.datetime | None = None,
) -> Booking:
    """Take ``len(participants)`` places (HELD when paid, else CONFIRMED), or, when full and
    ``join_waiting_list`` (and the agenda keeps a waiting list), a WAITING booking keeping
    the answers. Raises SessionFull, CategoryFull, LimitReached, InvalidAnswers,
    BookingClosed, TooSoonOrTooLate, AccountRequired.

    Resident-only categories need ``audience="resident"`` and an account (or an agent at
    the counter, who checks the proof of address)."""
    now = _core.now_or(now)
    agenda = session.agenda
    if agenda.kind != AgendaKind.EVENT:
        raise InvalidTransition()
    who = rules.holder(
        agenda,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        channel=channel,
        guests_allowed=False,
    )
    if session.cancelled:
        raise BookingClosed(_("Cette séance est annulée."))
    rules.check_open(agenda, now=now, opens_at=session.opens_at, channel=channel)
    rules.check_delays(agenda, session.start, now=now)
    rules.check_no_closure(agenda, session.start, session.end)
    if len(participants) > agenda.max_places_per_booking:
        raise rules.LimitReached(
            _("Vous pouvez réserver au plus %(n)s places à la fois.")
            % {"n": agenda.max_places_per_booking}
        )
    rows, amount = _clean_participants(
        session, participants, user=who["user"], audience=audience, channel=channel
    )
    status = _status_for_payment(amount, agenda)
    places = len(rows)
    counts = _core.category_counts(row.category_id for row in rows)
    with transaction.atomic():
        _core.lock_person(who["user"])
        rules.check_person_limits(agenda, user=who["user"], email=who["email"], now=now)
        full = _core.take_places(session.pk, places, counts)
        if full:
            # Lapsed holds may be in the way: expire them (their places go to the waiting
            # list first), then try once more.
            lapsed = list(
                session.bookings.filter(status=BookingStatus.HELD, held_until__lte=now).values_list(
                    "pk", flat=True
                )
            )
            for pk in lapsed:
                _core.expire_booking(_core.lock_booking(pk), now=now)
            if lapsed:
                full = _core.take_places(session.pk, places, counts)
        if full:
            if not (join_waiting_list and agenda.waiting_list):
                error = CategoryFull() if full == "category" else SessionFull()
                if not agenda.waiting_list:
                    error.next_step = ""
                raise error
            status = BookingStatus.WAITING
        booking = _create(
            fields={
                **who,
                "agenda": agenda,
                "status": status,
                "session": session,
                "start": session.start,
                "end": session.end,
                "places": places,
                "audience": audience,
                "amount_cents": amount,
                "channel": channel,
                "created_by": actor if getattr(actor, "is_authenticated", False) else None,
                **_hold_fields(status, agenda, now),
            },
            actor=actor or who["user"],
            now=now,
        )
        for row in rows:
            row.booking = booking
        Participant.objects.bulk_create(rows)
        _announce(booking)
    return booking


__all__ = [
    "ParticipantInput",
    "booking_accept_offer",
    "booking_approve",
    "booking_book_appointment",
    "booking_book_resource",
    "booking_book_session",
    "booking_cancel",
    "booking_decline_offer",
    "booking_mark_attendance",
    "booking_move",
    "booking_refuse",
    "booking_start_payment",
    "bookings_expire",
    "bookings_send_reminders",
    "closure_create",
    "BookingError",
]
