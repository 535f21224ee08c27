"""One booking for agents: what, who, payment, participants and answers, history; and
its actions (approve, refuse, cancel, move, attendance, settle at the desk), each a POST
to its own URL that calls the engine. A refusal of the engine is shown next to the
form's field on the action's page, with what was typed.

Permissions: ``view_booking`` to read, ``change_booking`` for the actions; always within
the user's services (another service's booking answers 404). The engine checks again
that the actor works for the agenda's service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parvis.payments.exceptions import PaymentError
from parvis.payments.formatting import euros

from .. import services
from ..exceptions import BookingError, InvalidAnswers
from ..models import (
    OCCUPYING,
    AgendaKind,
    Booking,
    BookingEvent,
    BookingStatus,
    Participant,
)
from .access import CHANGE_BOOKING, VIEW_BOOKING, get_scoped_or_404, require
from .forms_bookings import ApproveForm, AttendanceForm, MoveForm, ReasonForm, SettleForm
from .settle import settle_at_desk, settle_refusal

EVENT_LABELS = {
    "created": gettext_lazy("Réservation créée"),
    "held": gettext_lazy("Place bloquée pour le paiement"),
    "confirmed": gettext_lazy("Confirmée"),
    "paid": gettext_lazy("Payée"),
    "payment_started": gettext_lazy("Paiement en ligne commencé"),
    "payment_failed": gettext_lazy("Paiement refusé"),
    "waiting": gettext_lazy("Inscrite sur la liste d'attente"),
    "offered": gettext_lazy("Place proposée"),
    "offer_accepted": gettext_lazy("Place proposée acceptée"),
    "offer_declined": gettext_lazy("Place proposée refusée"),
    "offer_expired": gettext_lazy("Place proposée expirée"),
    "hold_expired": gettext_lazy("Délai de paiement dépassé"),
    "approved": gettext_lazy("Validée par le service"),
    "refused": gettext_lazy("Refusée par le service"),
    "cancelled": gettext_lazy("Annulée"),
    "moved": gettext_lazy("Déplacée"),
    "attendance": gettext_lazy("Présence notée"),
    "refunded": gettext_lazy("Remboursée"),
    "cancelled_by_closure": gettext_lazy("Annulée par une fermeture"),
    "late_payment_honoured": gettext_lazy("Paiement tardif accepté"),
    "late_payment_refunded": gettext_lazy("Paiement tardif remboursé"),
    "duplicate_payment_refunded": gettext_lazy("Second paiement remboursé"),
    "reminder": gettext_lazy("Rappel envoyé"),
}

DETAIL_RELATED = (
    "agenda__service",
    "agenda__regie",
    "desk",
    "appointment_type",
    "resource",
    "session",
    "payment",
    "user",
    "family_member",
    "created_by",
)


def _booking(request, pk, *permissions) -> Booking:
    require(request.user, VIEW_BOOKING, *permissions)
    return get_scoped_or_404(Booking.objects.select_related(*DETAIL_RELATED), request.user, pk=pk)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _next_url(request) -> str | None:
    """Where to go back after an action taken from another admin page (the planning)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target.startswith("/admin/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def to_counter(request):
    return redirect("bookings_counter:choose")


def to_detail(request, pk):
    return redirect("bookings_admin_booking:inspect", pk)


# --- what an agent may do now ------------------------------------------------------------


def available_actions(booking: Booking, user) -> dict[str, bool]:
    if not user.has_perms((VIEW_BOOKING, CHANGE_BOOKING)):
        return {}
    status = booking.status
    movable = booking.agenda.kind in (AgendaKind.APPOINTMENT, AgendaKind.RESOURCE)
    return {
        "approve": status == BookingStatus.PENDING_APPROVAL,
        "refuse": status == BookingStatus.PENDING_APPROVAL,
        "cancel": status in OCCUPYING or status == BookingStatus.WAITING,
        "move": movable
        and status in (BookingStatus.CONFIRMED, BookingStatus.HELD, BookingStatus.PENDING_APPROVAL),
        "attendance": status == BookingStatus.CONFIRMED,
        "settle": settle_refusal(booking) is None,
    }


def _answers(answers: dict, questions) -> list[dict]:
    """The answers in the agenda's question order, labelled, sensitive ones flagged."""
    rows = []
    known = set()
    for question in questions:
        known.add(question.key)
        if question.key in (answers or {}):
            value = answers[question.key]
            if value is True:
                value = _("oui")
            elif value is False:
                value = _("non")
            rows.append({"label": question.label, "value": value, "sensitive": question.sensitive})
    for key, value in (answers or {}).items():
        if key not in known:
            rows.append({"label": key, "value": value, "sensitive": False})
    return rows


def booking_detail(request, pk):
    booking = _booking(request, pk)
    questions = list(booking.agenda.questions.order_by("sort_order", "pk"))
    participants = list(
        Participant.objects.filter(booking=booking)
        .select_related("category", "family_member")
        .order_by("id")
    )
    events = list(
        BookingEvent.objects.filter(booking=booking).select_related("actor").order_by("at", "id")
    )
    actions = available_actions(booking, request.user)
    return TemplateResponse(
        request,
        "bookings/admin/booking_detail.html",
        _detail_context(request, booking, questions, participants, events, actions),
    )


def _detail_context(request, booking, questions, participants, events, actions, **extra):
    context = {
        "booking": booking,
        "agenda": booking.agenda,
        "what": _what(booking),
        "amount": euros(booking.amount_cents) if booking.amount_cents else "",
        "deposit": euros(booking.deposit_cents or booking.agenda.deposit_cents)
        if (booking.deposit_cents or booking.agenda.deposit_cents)
        else "",
        "answers": _answers(booking.answers, questions),
        "participants": [
            {"participant": participant, "answers": _answers(participant.answers, questions)}
            for participant in participants
        ],
        "events": [
            {"event": event, "label": EVENT_LABELS.get(event.kind, event.kind)} for event in events
        ],
        "actions": actions,
        "can_view_payment": request.user.has_perm("payments.view_payment"),
        "forms": {
            "refuse": ReasonForm(prefix="refuse"),
            "cancel": ReasonForm(prefix="cancel"),
            "move": MoveForm(
                prefix="move",
                with_end=booking.agenda.kind == AgendaKind.RESOURCE,
                initial={"start": _local(booking.start), "end": _local(booking.end)},
            ),
            "settle": SettleForm(prefix="settle"),
        },
        "urls": {
            name: reverse(f"bookings_admin_booking:{name}", args=[booking.pk])
            for name in ("approve", "refuse", "cancel", "move", "attendance", "settle")
        },
        "planning_url": _planning_url(booking),
    }
    context.update(extra)
    return context


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _planning_url(booking) -> str:
    url = reverse("bookings_planning:agenda", args=[booking.agenda_id])
    if booking.start:
        return f"{url}?jour={timezone.localdate(booking.start).isoformat()}"
    return url


def _what(booking: Booking) -> str:
    if booking.appointment_type_id:
        desk = f" – {booking.desk.name}" if booking.desk_id else ""
        return f"{booking.appointment_type.name}{desk}"
    if booking.resource_id:
        return booking.resource.name
    if booking.session_id:
        return str(booking.session)
    return ""


# --- actions -----------------------------------------------------------------------------------


def _action(request, pk, *, name, form_factory, run, success, title):
    """Shared shape of the actions: permissions (403), scope (404), the action allowed
    in the booking's status (else back to the page with why), the form, the engine's
    refusal next to its field."""
    booking = _booking(request, pk, CHANGE_BOOKING)
    detail_url = reverse("bookings_admin_booking:inspect", args=[booking.pk])
    if not available_actions(booking, request.user).get(name):
        messages.warning(request, _("Cette action n'est pas possible pour cette réservation."))
        return redirect(detail_url)
    form = form_factory(booking, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = run(booking, form.cleaned_data)
        except InvalidAnswers as error:
            for key, errors in (error.errors or {}).items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, str(message))
        except BookingError as error:
            form.add_error(None, str(error.message))
        except PaymentError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except PermissionDenied:
            raise
        else:
            messages.success(request, success(result))
            return redirect(_next_url(request) or detail_url)
    return TemplateResponse(
        request,
        "bookings/admin/booking_action.html",
        {
            "booking": booking,
            "form": form,
            "title": title,
            "what": _what(booking),
            "action_url": reverse(f"bookings_admin_booking:{name}", args=[booking.pk]),
            "detail_url": detail_url,
            "deposit": euros(booking.deposit_cents or booking.agenda.deposit_cents)
            if name == "approve" and (booking.deposit_cents or booking.agenda.deposit_cents)
            else "",
            "amount": euros(booking.amount_cents) if booking.amount_cents else "",
            "name": name,
        },
    )


def booking_approve_view(request, pk):
    return _action(
        request,
        pk,
        name="approve",
        form_factory=lambda booking, data: ApproveForm(data, prefix="approve"),
        run=lambda booking, data: services.booking_approve(booking=booking, actor=request.user),
        success=lambda booking: (
            _("Demande validée : la personne est prévenue et doit régler %(amount)s.")
            % {"amount": euros(booking.amount_cents)}
            if booking.status == BookingStatus.HELD
            else _("Demande validée : la personne est prévenue.")
        ),
        title=_("Valider la demande"),
    )


def booking_refuse_view(request, pk):
    return _action(
        request,
        pk,
        name="refuse",
        form_factory=lambda booking, data: ReasonForm(data, prefix="refuse"),
        run=lambda booking, data: services.booking_refuse(
            booking=booking, actor=request.user, reason=data["reason"]
        ),
        success=lambda booking: _("Demande refusée : la personne est prévenue."),
        title=_("Refuser la demande"),
    )


def booking_cancel_view(request, pk):
    return _action(
        request,
        pk,
        name="cancel",
        form_factory=lambda booking, data: ReasonForm(data, prefix="cancel"),
        run=lambda booking, data: services.booking_cancel(
            booking=booking, actor=request.user, reason=data["reason"], by_agent=True
        ),
        success=lambda booking: _("Réservation annulée : la personne est prévenue."),
        title=_("Annuler la réservation"),
    )


def booking_move_view(request, pk):
    return _action(
        request,
        pk,
        name="move",
        form_factory=lambda booking, data: MoveForm(
            data,
            prefix="move",
            with_end=booking.agenda.kind == AgendaKind.RESOURCE,
            initial={"start": _local(booking.start), "end": _local(booking.end)},
        ),
        run=lambda booking, data: services.booking_move(
            booking=booking,
            start=data["start"],
            end=data.get("end"),
            actor=request.user,
            by_agent=True,
        ),
        success=lambda booking: (
            _("Réservation déplacée au %(when)s : la personne est prévenue.")
            % {"when": timezone.localtime(booking.start).strftime("%d/%m/%Y %H:%M")}
        ),
        title=_("Déplacer la réservation"),
    )


def booking_attendance_view(request, pk):
    return _action(
        request,
        pk,
        name="attendance",
        form_factory=lambda booking, data: AttendanceForm(data, prefix="attendance"),
        run=lambda booking, data: services.booking_mark_attendance(
            booking=booking,
            attended=data["attended"],
            actor=request.user,
            participant_id=data.get("participant"),
        ),
        success=lambda booking: _("Présence enregistrée."),
        title=_("Noter la présence"),
    )


def booking_settle_view(request, pk):
    def run(booking, data):
        settle_at_desk(
            booking=booking,
            means=data["means"],
            reference=data["reference"],
            actor=request.user,
            ip=_ip(request),
        )
        booking.refresh_from_db()
        return booking

    def success(booking):
        if booking.status == BookingStatus.CONFIRMED:
            return _("Règlement enregistré : la réservation est confirmée.")
        return _(
            "Règlement enregistré, mais la réservation n'a pas pu être confirmée (voir "
            "l'historique) : le paiement sera remboursé."
        )

    return _action(
        request,
        pk,
        name="settle",
        form_factory=lambda booking, data: SettleForm(data, prefix="settle"),
        run=run,
        success=success,
        title=_("Régler à l'accueil"),
    )


__all__ = [
    "booking_approve_view",
    "booking_attendance_view",
    "booking_cancel_view",
    "booking_detail",
    "booking_move_view",
    "booking_refuse_view",
    "booking_settle_view",
]
