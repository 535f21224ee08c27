"""A booking's page (``/reservations/reservation/<public_id>/``, owner only) and what can be
done from it: pay (while the place is held), add it to one's calendar, cancel, move, answer
an offered place."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.payments.models import CLOSED_UNPAID_STATUSES, OPEN_STATUSES, PAID_STATUSES

from .. import selectors, services
from ..exceptions import BookingError
from ..forms import CancelForm, MoveForm
from ..ics import booking_location
from ..models import AgendaKind, Booking, BookingStatus, RefundPolicy
from .agendas import _calendar, _month_params, _resource_words, _window
from .booking import error_list
from .common import (
    booking_queryset,
    booking_url,
    client_ip,
    owner_required,
    to_provider,
    url_with,
)
from .display import day_label, day_long, euros, hm, range_label, when_label

MOVABLE_KINDS = (AgendaKind.APPOINTMENT, AgendaKind.RESOURCE)
MOVABLE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL, BookingStatus.HELD)
CANCELLABLE_STATUSES = (
    BookingStatus.WAITING,
    BookingStatus.HELD,
    BookingStatus.PENDING_APPROVAL,
    BookingStatus.CONFIRMED,
)


def _actor(request):
    return request.user if request.user.is_authenticated else None


def cancel_deadline(booking: Booking) -> dt.datetime | None:
    if booking.start is None:
        return None
    return booking.start - dt.timedelta(hours=booking.agenda.cancel_until_hours)


def _until_label(moment: dt.datetime, now: dt.datetime) -> str:
    """« 10 h 42 » today, else « mardi 12 janvier 2027 à 10 h 42 »."""
    if timezone.localdate(moment) == timezone.localdate(now):
        return hm(moment)
    return when_label(moment)


def waiting_position(booking: Booking) -> int | None:
    if booking.status != BookingStatus.WAITING or booking.session_id is None:
        return None
    before = Q(created_at__lt=booking.created_at) | Q(
        created_at=booking.created_at, pk__lt=booking.pk
    )
    ahead = Booking.objects.filter(
        session_id=booking.session_id, status=BookingStatus.WAITING
    ).filter(before)
    return ahead.count() + 1


def can_cancel(booking: Booking, now: dt.datetime) -> bool:
    if booking.status not in CANCELLABLE_STATUSES:
        return False
    if booking.status in (BookingStatus.WAITING, BookingStatus.HELD):
        return True
    deadline = cancel_deadline(booking)
    return deadline is None or now < deadline


def can_move(booking: Booking, now: dt.datetime) -> bool:
    if booking.agenda.kind not in MOVABLE_KINDS or booking.status not in MOVABLE_STATUSES:
        return False
    deadline = cancel_deadline(booking)
    return deadline is None or now < deadline


def refund_statement(booking: Booking, now: dt.datetime) -> str:
    """What cancelling now means for the money, per the agenda's policy."""
    payment = booking.payment
    paid = payment is not None and payment.status in PAID_STATUSES
    deadline = cancel_deadline(booking)
    if not booking.amount_cents or not paid:
        if booking.amount_cents and booking.status == BookingStatus.HELD:
            return _("Rien n'a encore été payé : annuler libère simplement la place.")
        return _("Cette réservation est gratuite ou n'a pas été payée : rien à rembourser.")
    if booking.agenda.refund_policy == RefundPolicy.NONE:
        return _("Aucun remboursement n'est prévu en cas d'annulation pour cet agenda.")
    if deadline is None or now < deadline:
        return _(
            "Les %(amount)s payés vous seront remboursés en totalité si vous annulez avant le "
            "%(deadline)s."
        ) % {
            "amount": euros(payment.amount - payment.refunded_amount),
            "deadline": when_label(deadline) if deadline else "",
        }
    return _("Le délai d'annulation est dépassé : aucun remboursement n'est possible en ligne.")


def _what(booking: Booking) -> str:
    if booking.appointment_type_id:
        return str(booking.appointment_type.name)
    if booking.resource_id:
        return str(booking.resource.name)
    if booking.session_id:
        return booking.session.title or str(booking.agenda.title)
    return str(booking.agenda.title)


def rebook_url(booking: Booking) -> str:
    base = reverse("bookings:book", kwargs={"slug": booking.agenda.slug})
    params = {"depuis": booking.public_id}
    if booking.appointment_type_id:
        params["motif"] = booking.appointment_type_id
    if booking.resource_id:
        params["ressource"] = booking.resource_id
    if booking.session_id:
        params["seance"] = booking.session_id
    return url_with(base, **params)


def detail_context(request, booking: Booking, **extra) -> dict:
    now = timezone.now()
    agenda = booking.agenda
    participants = list(booking.participants.select_related("category"))
    labels = (
        {question.key: question.label for question in agenda.questions.all()}
        if any(p.answers for p in participants)
        else {}
    )
    payment = booking.payment
    held = booking.status == BookingStatus.HELD and booking.held_until is not None
    hold_open = held and booking.held_until > now
    facts = [
        {"label": _("Réservation"), "value": str(agenda.title)},
        {"label": _("Objet"), "value": _what(booking)},
    ]
    if booking.start is not None:
        facts.append({"label": _("Date"), "value": range_label(booking.start, booking.end)})
    location = booking_location(booking)
    if location:
        facts.append({"label": _("Lieu"), "value": location})
    if booking.family_member_id or booking.first_name or booking.last_name:
        facts.append({"label": _("Pour"), "value": booking.holder_name})
    if booking.ants_number:
        facts.append({"label": _("N° de pré-demande ANTS"), "value": booking.ants_number})
    if booking.association_name:
        facts.append({"label": _("Association"), "value": booking.association_name})
    if booking.amount_cents:
        facts.append({"label": _("Montant"), "value": euros(booking.amount_cents)})
    if booking.deposit_cents:
        facts.append(
            {
                "label": _("Caution"),
                "value": _("%(amount)s, à déposer auprès du service (non encaissée en ligne)")
                % {"amount": euros(booking.deposit_cents)},
            }
        )
    if booking.reference:
        facts.append({"label": _("Référence"), "value": booking.reference})
    payment_failed = payment is not None and held and payment.status in CLOSED_UNPAID_STATUSES
    context = {
        "booking": booking,
        "agenda": agenda,
        "facts": facts,
        "participants": [
            {
                "name": f"{p.first_name} {p.last_name}".strip(),
                "category": p.category.name if p.category_id else "",
                "price": euros(p.price_cents) if p.price_cents else "",
                "answers": _answers(labels, p.answers),
            }
            for p in participants
        ],
        "status_label": booking.get_status_display(),
        "hold_until": _until_label(booking.held_until, now) if held else "",
        "hold_open": hold_open,
        "can_pay": hold_open and booking.amount_cents > 0 and agenda.regie_id is not None,
        "payment_failed": payment_failed,
        "payment_open": payment is not None and payment.status in OPEN_STATUSES,
        "payment_paid": payment is not None and payment.status in PAID_STATUSES,
        "offer_until": (
            _until_label(booking.offer_expires_at, now)
            if booking.status == BookingStatus.OFFERED and booking.offer_expires_at
            else ""
        ),
        "offer_open": booking.status == BookingStatus.OFFERED
        and (booking.offer_expires_at is None or booking.offer_expires_at > now),
        "position": waiting_position(booking),
        "can_cancel": can_cancel(booking, now),
        "can_move": can_move(booking, now),
        "cancel_deadline": when_label(cancel_deadline(booking)) if cancel_deadline(booking) else "",
        "refund": refund_statement(booking, now),
        "documents": booking.appointment_type.documents if booking.appointment_type_id else "",
        "ics": booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL)
        and booking.start is not None,
        "rebook_url": rebook_url(booking),
        "ended": booking.status
        in (BookingStatus.CANCELLED, BookingStatus.EXPIRED, BookingStatus.REFUSED),
        "is_guest": booking.user_id is None,
    }
    context.update(extra)
    return context


def _answers(labels: dict, answers: dict) -> list[dict]:
    if not answers:
        return []
    rows = []
    for key, value in answers.items():
        if isinstance(value, bool):
            value = _("oui") if value else _("non")
        rows.append({"label": labels.get(key, key), "value": value})
    return rows


@never_cache
@require_GET
@owner_required
def booking_detail(request, booking):
    return render(request, "bookings/booking_detail.html", detail_context(request, booking))


def _detail_with_error(request, booking, error: BookingError, status=409):
    fresh = booking_queryset().get(pk=booking.pk)
    context = detail_context(
        request, fresh, action_error=str(error.message), error_next_step=error.next_step
    )
    return render(request, "bookings/booking_detail.html", context, status=status)


@never_cache
@require_POST
@owner_required
def booking_pay(request, booking):
    """Start (or start again) the payment of a held place, then off to the provider."""
    try:
        result = services.booking_start_payment(booking=booking, ip=client_ip(request))
    except BookingError as error:
        return _detail_with_error(request, booking, error)
    return to_provider(request, result, booking.agenda.regie)


@never_cache
@require_http_methods(["GET", "POST"])
@owner_required
def booking_cancel(request, booking):
    now = timezone.now()
    form = CancelForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(
                booking=booking, actor=_actor(request), reason=form.cleaned_data["reason"]
            )
        except BookingError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Votre réservation est annulée."))
            return redirect(booking_url(booking))
    context = detail_context(request, booking, form=form, action_error=error)
    context["possible"] = can_cancel(booking, now)
    return render(request, "bookings/booking_cancel.html", context, status=409 if error else 200)


@never_cache
@require_POST
@owner_required
def booking_accept(request, booking):
    try:
        services.booking_accept_offer(booking=booking, actor=_actor(request))
    except BookingError as error:
        return _detail_with_error(request, booking, error)
    messages.success(request, _("Vous avez accepté la place proposée."))
    return redirect(booking_url(booking))


@never_cache
@require_POST
@owner_required
def booking_decline(request, booking):
    try:
        services.booking_decline_offer(booking=booking, actor=_actor(request))
    except BookingError as error:
        return _detail_with_error(request, booking, error)
    messages.success(
        request, _("Vous avez refusé la place : elle est proposée à la personne suivante.")
    )
    return redirect(booking_url(booking))


@never_cache
@require_GET
@owner_required
def booking_ics(request, booking):
    """The booking as an iCalendar file for the resident's own calendar."""
    from ..ics import booking_ics as make_ics

    content = make_ics(booking)
    reference = booking.reference or str(booking.public_id)[:8]
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reservation-{reference}.ics"'
    return response


# --- move ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@owner_required
def booking_move(request, booking):
    """Choose another day and time (same type or resource), then move the booking."""
    now = timezone.now()
    agenda = booking.agenda
    base_url = reverse("bookings:move", kwargs={"public_id": booking.public_id})
    context = detail_context(request, booking)
    if not can_move(booking, now):
        context["action_error"] = _("Cette réservation ne peut plus être déplacée en ligne.")
        return render(request, "bookings/booking_move.html", context, status=409)
    first_day, last_day = _window(agenda, now)
    month, chosen_day = _month_params(request, first_day, last_day)
    kwargs = {"now": now}
    if booking.appointment_type_id:
        kwargs["appointment_type"] = booking.appointment_type
        words = None
    else:
        booking.resource.agenda = agenda
        kwargs["resource"] = booking.resource
        words = _resource_words([booking.resource])
    month_view = _calendar(
        agenda,
        base_url=base_url,
        params={},
        first_day=first_day,
        last_day=last_day,
        month=month,
        chosen_day=chosen_day,
        words=words,
        **kwargs,
    )
    day = month_view.selected.date if month_view.selected else None

    def day_slots():
        if day is None:
            return []
        if booking.appointment_type_id:
            return selectors.appointment_slots(
                agenda=agenda, appointment_type=booking.appointment_type, day_from=day, day_to=day
            )
        return selectors.resource_slots(resource=booking.resource, day_from=day, day_to=day)

    free_range = bool(booking.resource_id and not booking.resource.slot_minutes)
    form = MoveForm(request.POST or None, slots=day_slots(), free_range=free_range)
    if request.method == "POST" and form.is_valid():
        start = form.cleaned_data["start"]
        end = form.cleaned_data.get("end")
        if end is None and booking.end and booking.start:
            end = start + (booking.end - booking.start)
        try:
            services.booking_move(booking=booking, start=start, end=end, actor=_actor(request))
        except BookingError as error:
            form.add_error("start" if error.next_step == "other_slot" else None, str(error.message))
            fresh = MoveForm(slots=day_slots(), free_range=free_range)
            for name in form.fields:
                form.fields[name].choices = fresh.fields[name].choices
        else:
            messages.success(
                request,
                _("Votre réservation est déplacée au %(when)s.") % {"when": when_label(start)},
            )
            return redirect(booking_url(booking))
    context.update(
        {
            "month": month_view,
            "day": day,
            "day_title": day_long(day) if day else "",
            "day_short": day_label(day) if day else "",
            "form": form,
            "errors": error_list(form),
            "free_range": free_range,
            "current": range_label(booking.start, booking.end) if booking.start else "",
        }
    )
    return render(request, "bookings/booking_move.html", context)
