"""« Mes réservations » in the resident's personal space: offers to answer, upcoming
bookings (with the waiting-list position), the latest past ones, and the family members
one books for. Only the signed-in account's own bookings; four queries."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OCCUPYING, Booking, BookingStatus

PAST_SHOWN = 5
ACTIVE = (*OCCUPYING, BookingStatus.WAITING)


def _rows(bookings, positions, now):
    from .views.display import range_label, when_label

    rows = []
    for booking in bookings:
        if booking.appointment_type_id:
            what = booking.appointment_type.name
        elif booking.resource_id:
            what = booking.resource.name
        elif booking.session_id:
            what = booking.session.title
        else:
            what = ""
        note = ""
        if booking.status == BookingStatus.HELD and booking.held_until:
            note = _("À payer avant le %(when)s") % {"when": when_label(booking.held_until)}
        elif booking.status == BookingStatus.OFFERED and booking.offer_expires_at:
            note = _("Place proposée : à accepter avant le %(when)s") % {
                "when": when_label(booking.offer_expires_at)
            }
        elif booking.status == BookingStatus.WAITING and booking.pk in positions:
            note = _("Position %(n)s sur la liste d'attente") % {"n": positions[booking.pk]}
        rows.append(
            {
                "booking": booking,
                "title": booking.agenda.title,
                "what": what,
                "when": range_label(booking.start, booking.end) if booking.start else "",
                "status": booking.get_status_display(),
                "note": note,
                "for": booking.family_member.full_name if booking.family_member_id else "",
            }
        )
    return rows


def _waiting_positions(bookings) -> dict[int, int]:
    """Position of each waiting booking in its session's list (one query)."""
    waiting = [b for b in bookings if b.status == BookingStatus.WAITING and b.session_id]
    if not waiting:
        return {}
    queue = Booking.objects.filter(
        session_id__in={b.session_id for b in waiting}, status=BookingStatus.WAITING
    ).order_by("session_id", "created_at", "pk")
    positions, counters = {}, {}
    for pk, session_id in queue.values_list("pk", "session_id"):
        counters[session_id] = counters.get(session_id, 0) + 1
        positions[pk] = counters[session_id]
    return positions


def space_context(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    now = timezone.now()
    mine = Booking.objects.filter(user=user).select_related(
        "agenda", "appointment_type", "resource", "session", "family_member"
    )
    upcoming = list(
        mine.filter(status__in=ACTIVE)
        .filter(Q(end__gt=now) | Q(end__isnull=True))
        .order_by("start", "created_at")
    )
    past = list(
        mine.exclude(pk__in=[b.pk for b in upcoming])
        .filter(Q(end__lte=now) | ~Q(status__in=ACTIVE))
        .order_by("-start", "-created_at")[:PAST_SHOWN]
    )
    positions = _waiting_positions(upcoming)
    offers = [b for b in upcoming if b.status == BookingStatus.OFFERED]
    return {
        "offers": _rows(offers, positions, now),
        "upcoming": _rows([b for b in upcoming if b not in offers], positions, now),
        "past": _rows(past, positions, now),
        "family_count": user.family_members.count(),
    }


def register_space_section() -> None:
    from parvis.accounts import space

    space.register(
        space.Section(
            key="bookings",
            title=_("Mes réservations"),
            template="bookings/space_section.html",
            context=space_context,
            order=20,
        )
    )
