"""Participant lists for agents: per session and per day, as CSV for spreadsheets and as
rows for the printable page.

* CSV: UTF-8 with a byte-order mark and ``;`` separators (French Excel opens it as is);
  every cell starting with ``= + - @``, a tab or a carriage return is prefixed with ``'``
  so that a spreadsheet never runs a name or an answer as a formula.
* Sensitive answers (:attr:`parvis.bookings.models.Question.sensitive`: allergies,
  treatment) appear only in the per-session list, made for the service that runs the
  session; the per-day list leaves them out and says so. Callers check that the agent
  works for the agenda's service and record the export in the audit log.
* Bounded queries: one for the bookings (with their related rows), one for the
  participants, one for the questions, whatever the number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.payments.formatting import euros
from parvis.payments.models import PaymentStatus

from .models import OCCUPYING, Agenda, AgendaKind, Booking, BookingStatus, Participant, Session

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Statuses listed: those holding a place, then the waiting list.
LISTED = (*OCCUPYING, BookingStatus.WAITING)


def formula_safe(value) -> str:
    """The cell as text, prefixed with ``'`` when a spreadsheet would read a formula."""
    if value is None:
        return ""
    if value is True:
        text = _("oui")
    elif value is False:
        text = _("non")
    else:
        text = str(value)
    if text and text[0] in FORMULA_PREFIXES:
        return "'" + text
    return text


def to_csv(rows: list[list]) -> bytes:
    """UTF-8 with a BOM, ``;`` separated, CRLF line ends, every cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([formula_safe(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass
class ParticipantList:
    """Header and rows of a list, with what the page says about it."""

    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    waiting: list[list] = field(default_factory=list)
    sensitive_included: bool = False
    sensitive_left_out: bool = False

    def csv_rows(self) -> list[list]:
        return [self.header, *self.rows, *self.waiting]


def _attendance(value) -> str:
    if value is True:
        return _("présent")
    if value is False:
        return _("absent")
    return ""


def _payment(booking: Booking) -> str:
    if not booking.amount_cents:
        return _("gratuit")
    status = booking.payment.status if booking.payment_id else ""
    if status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
        return _("payé %(amount)s") % {"amount": euros(booking.amount_cents)}
    if status == PaymentStatus.REFUNDED:
        return _("remboursé")
    return _("à payer %(amount)s") % {"amount": euros(booking.amount_cents)}


def _answer(value) -> str:
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    return "" if value is None else str(value)


def _names(booking: Booking, participant: Participant | None) -> tuple[str, str]:
    """(last name, first name) of who comes: the participant, the family member the
    booking is for, or the holder."""
    if participant is not None:
        return participant.last_name, participant.first_name
    if booking.family_member_id:
        return booking.family_member.last_name, booking.family_member.first_name
    return booking.last_name, booking.first_name


def _bookings(**filters):
    return (
        Booking.objects.filter(status__in=LISTED, **filters)
        .select_related("payment", "family_member", "appointment_type", "resource", "desk")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("category").order_by("id"),
            )
        )
    )


def session_list(session: Session, *, include_sensitive: bool = True) -> ParticipantList:
    """Every participant of ``session`` (places taken, then the waiting list), one row
    each, sorted by name, with every answer — sensitive ones included for the service
    unless ``include_sensitive`` is false."""
    agenda = session.agenda
    questions = [
        question
        for question in agenda.questions.order_by("sort_order", "pk")
        if include_sensitive or not question.sensitive
    ]
    has_sensitive = any(question.sensitive for question in questions)
    header = [
        _("Nom"),
        _("Prénom"),
        _("Catégorie"),
        *[question.label for question in questions],
        _("Réservé par"),
        _("Téléphone"),
        _("E-mail"),
        _("Référence"),
        _("État"),
        _("Paiement"),
        _("Présence"),
    ]
    listing = ParticipantList(
        title=str(session),
        header=header,
        sensitive_included=has_sensitive,
        sensitive_left_out=not include_sensitive
        and agenda.questions.filter(sensitive=True).exists(),
    )
    for booking in _bookings(session=session).order_by("created_at", "pk"):
        target = listing.waiting if booking.status == BookingStatus.WAITING else listing.rows
        people = list(booking.participants.all()) or [None]
        for participant in people:
            answers = (participant.answers if participant else booking.answers) or {}
            target.append(
                [
                    *_names(booking, participant),
                    participant.category.name if participant and participant.category else "",
                    *[_answer(answers.get(question.key)) for question in questions],
                    f"{booking.first_name} {booking.last_name}".strip() or booking.email,
                    booking.phone,
                    booking.email,
                    booking.reference or "",
                    booking.get_status_display(),
                    _payment(booking),
                    _attendance(participant.attended if participant else booking.attended),
                ]
            )
    listing.rows.sort(key=lambda row: (str(row[0]).lower(), str(row[1]).lower()))
    return listing


def day_list(agenda: Agenda, day: dt.date) -> ParticipantList:
    """The agenda's bookings of one local day in time order (events: one row per
    participant, non-sensitive answers only)."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    questions = (
        [q for q in agenda.questions.order_by("sort_order", "pk") if not q.sensitive]
        if agenda.kind == AgendaKind.EVENT
        else []
    )
    header = [
        _("Début"),
        _("Fin"),
        _("Objet"),
        _("Nom"),
        _("Prénom"),
        *[question.label for question in questions],
        _("Téléphone"),
        _("E-mail"),
        _("Référence"),
        _("État"),
        _("Paiement"),
        _("Présence"),
    ]
    listing = ParticipantList(
        title=_("%(agenda)s – %(day)s") % {"agenda": agenda.title, "day": day.strftime("%d/%m/%Y")},
        header=header,
        sensitive_left_out=agenda.kind == AgendaKind.EVENT
        and agenda.questions.filter(sensitive=True).exists(),
    )
    bookings = (
        _bookings(agenda=agenda, start__lt=end, end__gt=start)
        .select_related("session")
        .order_by("start", "created_at", "pk")
    )
    for booking in bookings:
        target = listing.waiting if booking.status == BookingStatus.WAITING else listing.rows
        if booking.appointment_type_id:
            what = booking.appointment_type.name
            if booking.desk_id:
                what = f"{what} ({booking.desk.name})"
        elif booking.resource_id:
            what = booking.resource.name
        elif booking.session_id:
            what = booking.session.title or agenda.title
        else:
            what = ""
        people = list(booking.participants.all()) or [None]
        for participant in people:
            answers = (participant.answers if participant else booking.answers) or {}
            target.append(
                [
                    timezone.localtime(booking.start).strftime("%H:%M") if booking.start else "",
                    timezone.localtime(booking.end).strftime("%H:%M") if booking.end else "",
                    what,
                    *_names(booking, participant),
                    *[_answer(answers.get(question.key)) for question in questions],
                    booking.phone,
                    booking.email,
                    booking.reference or "",
                    booking.get_status_display(),
                    _payment(booking),
                    _attendance(participant.attended if participant else booking.attended),
                ]
            )
    return listing
