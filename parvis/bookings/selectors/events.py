"""Sessions with places: remaining places, per category, registration window, waiting
list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ..models import Agenda, BookingStatus, Session
from ._common import now_or


@dataclass(frozen=True)
class CategoryAvailability:
    id: int
    name: str
    price_cents: int
    quota: int | None
    taken: int
    #: Places still available in this category: its quota left, capped by the session's.
    remaining: int
    resident_only: bool


class SessionState:
    OPEN = "open"
    FULL = "full"  # open, no place left (the waiting list may be offered)
    NOT_YET = "not_yet"  # registrations open later
    CLOSED = "closed"  # registrations closed (agenda's closing date, minimum delay)
    PAST = "past"
    CANCELLED = "cancelled"
    UNPUBLISHED = "unpublished"


@dataclass(frozen=True)
class SessionAvailability:
    session: Session
    capacity: int
    taken: int
    remaining: int
    categories: list[CategoryAvailability]
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    #: Registrations accepted now (places may still be 0: then only the waiting list).
    is_open: bool
    state: str
    label: str
    waiting: int
    waiting_list: bool

    @property
    def can_book(self) -> bool:
        return self.is_open and self.remaining > 0

    @property
    def can_wait(self) -> bool:
        return self.is_open and self.remaining == 0 and self.waiting_list


def _registration_opens(agenda: Agenda, session: Session) -> dt.datetime | None:
    """The session's (or else the agenda's) opening, and not before the agenda's longest
    delay before the session (``max_delay_days``)."""
    opening = session.opens_at or agenda.opens_at
    earliest = session.start - dt.timedelta(days=agenda.max_delay_days)
    if opening is None or opening < earliest:
        return earliest
    return opening


def _registration_closes(agenda: Agenda, session: Session) -> dt.datetime | None:
    """The agenda's closing date, or the session's start minus the minimum delay, whichever
    comes first."""
    latest = session.start - dt.timedelta(hours=agenda.min_delay_hours)
    if agenda.closes_at and agenda.closes_at < latest:
        return agenda.closes_at
    return latest


def session_availability(
    session: Session, *, now: dt.datetime | None = None, waiting: int | None = None
) -> SessionAvailability:
    """Places and registration state of one session. ``waiting`` (the waiting list's
    length) is counted when not given (one query); categories use the prefetch cache."""
    now = now_or(now)
    agenda = session.agenda
    if waiting is None:
        waiting = getattr(session, "waiting_count", None)
    if waiting is None:
        waiting = session.bookings.filter(status=BookingStatus.WAITING).count()
    remaining = session.remaining
    categories = [
        CategoryAvailability(
            id=category.pk,
            name=category.name,
            price_cents=category.price_cents,
            quota=category.quota,
            taken=category.taken,
            remaining=(
                min(max(category.quota - category.taken, 0), remaining)
                if category.quota is not None
                else remaining
            ),
            resident_only=category.resident_only,
        )
        for category in session.categories.all()
    ]
    opens_at = _registration_opens(agenda, session)
    closes_at = _registration_closes(agenda, session)
    if session.cancelled:
        state, label = SessionState.CANCELLED, _("Séance annulée")
    elif not agenda.is_published:
        state, label = SessionState.UNPUBLISHED, _("Inscriptions non ouvertes")
    elif session.start <= now:
        state, label = SessionState.PAST, _("Séance passée")
    elif opens_at and now < opens_at:
        state, label = (
            SessionState.NOT_YET,
            _("Inscriptions à partir du %(date)s") % {"date": _format(opens_at)},
        )
    elif closes_at and now >= closes_at:
        state, label = SessionState.CLOSED, _("Inscriptions closes")
    elif remaining == 0:
        state, label = SessionState.FULL, _("Complet")
    else:
        state = SessionState.OPEN
        label = _("%(count)s place restante") if remaining == 1 else _("%(count)s places restantes")
        label = label % {"count": remaining}
    return SessionAvailability(
        session=session,
        capacity=session.capacity,
        taken=session.taken,
        remaining=remaining,
        categories=categories,
        opens_at=opens_at,
        closes_at=closes_at,
        is_open=state in (SessionState.OPEN, SessionState.FULL),
        state=state,
        label=label,
        waiting=waiting,
        waiting_list=agenda.waiting_list,
    )


def _format(moment: dt.datetime) -> str:
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(moment), "j F Y à H:i")


def sessions_queryset(agenda: Agenda):
    """Sessions of ``agenda`` with their categories and waiting-list length (two queries)."""
    return (
        Session.objects.filter(agenda=agenda)
        .annotate(waiting_count=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)))
        .prefetch_related("categories")
        .order_by("start", "pk")
    )


def session_list(
    *,
    agenda: Agenda,
    now: dt.datetime | None = None,
    include_past: bool = False,
    include_cancelled: bool = True,
    day_from: dt.date | None = None,
    day_to: dt.date | None = None,
) -> list[SessionAvailability]:
    """The agenda's sessions in time order (upcoming only unless ``include_past``), each
    with its availability. Two queries."""
    from ._common import days_window

    now = now_or(now)
    sessions = sessions_queryset(agenda)
    if not include_past:
        sessions = sessions.filter(start__gt=now)
    if not include_cancelled:
        sessions = sessions.filter(cancelled=False)
    if day_from is not None:
        sessions = sessions.filter(start__gte=days_window(day_from, day_from)[0])
    if day_to is not None:
        sessions = sessions.filter(start__lt=days_window(day_to, day_to)[1])
    result = []
    for session in sessions:
        session.agenda = agenda  # no query per session
        result.append(session_availability(session, now=now))
    return result
