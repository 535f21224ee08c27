"""Internals shared by the booking services: locks, counters, history, waiting list.

Every function here runs inside the caller's transaction and never commits by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record
from parvis.core.services_access import user_works_for

from .. import notifications
from ..models import (
    OCCUPYING,
    Booking,
    BookingEvent,
    BookingStatus,
    Desk,
    Resource,
    Session,
    TicketCategory,
)

logger = logging.getLogger(__name__)

#: Names of the PostgreSQL exclusion constraints (migration 0003).
OVERLAP_CONSTRAINTS = ("bookings_no_resource_overlap", "bookings_no_desk_overlap")


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def lock_booking(booking: Booking | int) -> Booking:
    """The booking, re-read under a row lock (PostgreSQL) for the rest of the transaction."""
    pk = getattr(booking, "pk", booking)
    return Booking.objects.select_for_update(of=("self",)).get(pk=pk)


def lock_person(user) -> None:
    """Serialise one account's bookings (per-person limits) on PostgreSQL. SQLite's
    IMMEDIATE transactions serialise all writers already."""
    if user is not None and getattr(user, "pk", None):
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))


def require_agent(actor, agenda) -> None:
    """Agent-only actions: the actor works for the agenda's service (superusers for all)."""
    if not user_works_for(actor, agenda.service):
        raise PermissionDenied(_("Vous ne travaillez pas pour le service de cet agenda."))


def record(
    booking: Booking,
    kind: str,
    *,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    message: str = "",
    data: dict | None = None,
    ip: str | None = None,
) -> None:
    """One line of the booking's history and one audit-log entry, with the actor."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    BookingEvent.objects.create(
        booking=booking,
        actor=actor_obj,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        message=str(message)[:300],
    )
    payload = {"reference": booking.reference, "from": from_status, "to": to_status}
    if message:
        payload["message"] = str(message)[:300]
    payload.update(data or {})
    audit_log_record(actor=actor, action=f"booking.{kind}", obj=booking, data=payload, ip=ip)


def set_status(
    booking: Booking,
    status: str,
    kind: str,
    *,
    actor=None,
    message: str = "",
    fields: dict | None = None,
    data: dict | None = None,
) -> Booking:
    """Move ``booking`` to ``status`` (saving ``fields`` too) and write its history."""
    previous = booking.status
    booking.status = status
    update = ["status", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(booking, name, value)
        update.append(name)
    booking.save(update_fields=update)
    record(
        booking,
        kind,
        actor=actor,
        from_status=previous,
        to_status=status,
        message=message,
        data=data,
    )
    return booking


def set_reference(booking: Booking) -> None:
    """« R2026-000123 »: the year of creation (Paris) and the zero-padded id."""
    year = timezone.localtime(booking.created_at).year
    booking.reference = f"R{year}-{booking.pk:06d}"
    Booking.objects.filter(pk=booking.pk).update(reference=booking.reference)


# --- session places ----------------------------------------------------------------------


class _NoRoom(Exception):
    def __init__(self, what: str):
        self.what = what
        super().__init__(what)


def category_counts(category_ids) -> dict[int, int]:
    return dict(Counter(pk for pk in category_ids if pk is not None))


def take_places(session_id: int, places: int, categories: dict[int, int]) -> str | None:
    """Take ``places`` in the session and ``categories`` ({category id: n}) against their
    quotas, by conditional UPDATEs (the database decides; the row stays locked until the
    transaction ends). Returns None when taken, else "session" or "category" and nothing
    is taken."""
    try:
        with transaction.atomic():
            got = Session.objects.filter(
                pk=session_id, cancelled=False, taken__lte=F("capacity") - places
            ).update(taken=F("taken") + places)
            if got != 1:
                raise _NoRoom("session")
            for category_id, count in sorted(categories.items()):
                got = (
                    TicketCategory.objects.filter(pk=category_id, session_id=session_id)
                    .filter(Q(quota__isnull=True) | Q(taken__lte=F("quota") - count))
                    .update(taken=F("taken") + count)
                )
                if got != 1:
                    raise _NoRoom("category")
    except _NoRoom as no_room:
        return no_room.what
    return None


def booking_categories(booking: Booking) -> dict[int, int]:
    return category_counts(booking.participants.values_list("category_id", flat=True))


def release_places(booking: Booking) -> None:
    """Give back the places of an occupying session booking (counters decremented)."""
    if not booking.session_id:
        return
    Session.objects.filter(pk=booking.session_id).update(taken=F("taken") - booking.places)
    for category_id, count in booking_categories(booking).items():
        TicketCategory.objects.filter(pk=category_id).update(taken=F("taken") - count)


def retake_places(booking: Booking) -> bool:
    """Take again the places of a booking that had released them (late payment)."""
    return take_places(booking.session_id, booking.places, booking_categories(booking)) is None


# --- time ranges (resources, desks) ------------------------------------------------------


def lock_resource(resource: Resource) -> None:
    list(Resource.objects.select_for_update().filter(pk=resource.pk).values_list("pk"))


def lock_desks(desk_ids) -> list[Desk]:
    return list(Desk.objects.select_for_update().filter(pk__in=list(desk_ids)).order_by("pk"))


def overlapping(*, start, end, resource_id=None, desk_id=None, exclude_pk=None):
    """Occupying bookings of one resource or one desk that overlap [start, end)."""
    qs = Booking.objects.filter(status__in=OCCUPYING, start__lt=end, end__gt=start)
    qs = qs.filter(resource_id=resource_id) if resource_id else qs.filter(desk_id=desk_id)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def range_is_free(*, start, end, now, resource_id=None, desk_id=None, exclude_pk=None) -> bool:
    """True when no occupying booking overlaps; a lapsed hold or offer found in the way is
    expired first (the scheduled expiry may not have run yet). Call with the resource or
    desk row locked."""
    clashes = overlapping(
        start=start, end=end, resource_id=resource_id, desk_id=desk_id, exclude_pk=exclude_pk
    )
    lapsed = False
    for other in clashes.filter(
        Q(status=BookingStatus.HELD, held_until__lte=now)
        | Q(status=BookingStatus.OFFERED, offer_expires_at__lte=now)
    ):
        expire_booking(lock_booking(other), now=now)
        lapsed = True
    if lapsed:
        clashes = overlapping(
            start=start, end=end, resource_id=resource_id, desk_id=desk_id, exclude_pk=exclude_pk
        )
    return not clashes.exists()


def is_overlap_error(error: IntegrityError) -> bool:
    text = str(error)
    return any(name in text for name in OVERLAP_CONSTRAINTS) or "conflicting key" in text


# --- holds, offers, waiting list ---------------------------------------------------------


def expire_booking(booking: Booking, *, now: dt.datetime, message: str = "") -> int:
    """HELD or OFFERED whose time ran out → EXPIRED; the places go to the waiting list.
    ``booking`` must be locked. Returns the number of offers made with its places."""
    previous = booking.status
    if previous not in (BookingStatus.HELD, BookingStatus.OFFERED):
        return 0
    set_status(
        booking,
        BookingStatus.EXPIRED,
        "hold_expired" if previous == BookingStatus.HELD else "offer_expired",
        message=message,
    )
    offers = 0
    if booking.session_id:
        release_places(booking)
        offers = offer_free_places(booking.session_id, now=now)
    notifications.notify(booking, "expired", extra={"was": previous})
    return offers


def offer_free_places(session_id: int, *, now: dt.datetime) -> int:
    """Give free places of a session to WAITING bookings in order of arrival: each one
    whose places (and category quotas) fit becomes OFFERED for ``agenda.offer_hours``
    (never past the session's start) and is told by e-mail and SMS. Returns the number
    of offers made. Places are taken by the same conditional UPDATE as a booking, so a
    place is never given twice."""
    session = Session.objects.select_related("agenda").get(pk=session_id)
    if session.cancelled or session.start <= now:
        return 0
    waiting = (
        Booking.objects.select_for_update(of=("self",))
        .filter(session_id=session_id, status=BookingStatus.WAITING)
        .order_by("created_at", "pk")
    )
    offers = 0
    for candidate in waiting:
        result = take_places(session_id, candidate.places, booking_categories(candidate))
        if result == "session":
            session.refresh_from_db(fields=["taken", "capacity"])
            if session.taken >= session.capacity:
                break
            continue
        if result == "category":
            continue
        expires = min(now + dt.timedelta(hours=session.agenda.offer_hours), session.start)
        set_status(
            candidate,
            BookingStatus.OFFERED,
            "offered",
            fields={"offer_expires_at": expires},
        )
        notifications.notify(candidate, "offer", sms=True)
        offers += 1
    return offers


def leave_occupying(
    booking: Booking,
    status: str,
    kind: str,
    *,
    now: dt.datetime,
    actor=None,
    message: str = "",
    fields: dict | None = None,
    give_to_waiting_list: bool = True,
    data: dict | None = None,
) -> Booking:
    """Any status → ``status`` (cancelled, refused, expired); places are released when
    the booking occupied some, and offered to the waiting list."""
    occupied = booking.status in OCCUPYING
    set_status(booking, status, kind, actor=actor, message=message, fields=fields, data=data)
    if occupied and booking.session_id:
        release_places(booking)
        if give_to_waiting_list:
            offer_free_places(booking.session_id, now=now)
    return booking
