"""Booking for a resident at the counter or by phone.

The page is built from its query string (the account chosen, the appointment type,
resource or session, the day, the number of places) and posts everything else. The
booking goes through the engine with ``channel`` counter/phone, ``actor`` and
``created_by`` the agent. A paid booking is either settled at once at the desk
(:func:`parvis.payments.services.payment_record_offline`, in the same transaction as
the booking: both or neither) or left held for the resident to pay online.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from parvis.accounts.models import FamilyMember
from parvis.payments.exceptions import PaymentError
from parvis.payments.formatting import euros

from .. import notifications, selectors, services
from ..exceptions import BookingError, InvalidAnswers
from ..models import Agenda, AgendaKind, Booking, BookingStatus, Session
from .access import ADD_BOOKING, agendas_for, get_scoped_or_404, require
from .forms_bookings import (
    AccountSearchForm,
    AppointmentForm,
    ParticipantForm,
    PaymentChoiceForm,
    PersonForm,
    ResourceForm,
    WaitingListForm,
    search_accounts,
)
from .settle import settle_at_desk

PARIS = timezone.get_default_timezone()


def choose_agenda(request):
    require(request.user, ADD_BOOKING)
    agendas = (
        agendas_for(request.user)
        .filter(status=Agenda.Status.PUBLISHED)
        .select_related("service")
        .order_by("service__name", "title")
    )
    return TemplateResponse(request, "bookings/admin/counter_choose.html", {"agendas": agendas})


@dataclass(frozen=True)
class CategoryChoice:
    id: int
    label: str


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _place_error(form, error: BookingError, field: str | None) -> None:
    form.add_error(field if field in form.fields else None, str(error.message))


class CounterPage:
    """The state of one counter page: what the query string chose, and the forms."""

    def __init__(self, request, agenda: Agenda):
        self.request = request
        self.agenda = agenda
        self.query = request.GET
        self.data = request.POST if request.method == "POST" else None
        self.today = timezone.localdate()
        self.day = parse_date(self.query.get("jour") or "") or self.today
        self.account = None
        account_id = _int(self.query.get("compte"))
        if account_id:
            from django.contrib.auth import get_user_model

            self.account = get_user_model().objects.filter(pk=account_id, is_active=True).first()
        self.family = list(FamilyMember.objects.filter(user=self.account)) if self.account else []
        self.search_form = AccountSearchForm(self.query or None)
        self.results = search_accounts(self.query.get("q", "")) if self.account is None else []
        self.result_links = [
            {"user": user, "url": self.account_url(user.pk)} for user in self.results
        ]
        self.person_form = PersonForm(self.data, account=self.account, prefix="person")
        self.extra_forms: list = []
        self.participant_forms: list = []
        self.payment_form = None
        self.kind_form = None
        self.ready = False  # everything chosen: the booking form is shown
        getattr(self, f"_build_{agenda.kind}")()

    # -- query string --------------------------------------------------------------------------
    def url(self, **changes) -> str:
        params = {key: self.query.get(key, "") for key in self.KEYS}
        params.update({key: str(value) for key, value in changes.items()})
        return f"{self.request.path}?{urlencode({k: v for k, v in params.items() if v})}"

    KEYS = ("compte", "q", "type", "jour", "ressource", "seance", "places")

    def hidden(self, *exclude: str) -> list[tuple[str, str]]:
        """The query string's other choices, for a GET form that changes one of them."""
        return [
            (key, self.query[key])
            for key in self.KEYS
            if key not in exclude and self.query.get(key)
        ]

    def hidden_for_search(self):
        return self.hidden("q", "compte")

    def hidden_for_what(self):
        return self.hidden("type", "jour", "ressource", "places")

    def hidden_for_places(self):
        return self.hidden("places")

    def session_url(self, session_id) -> str:
        return self.url(seance=session_id, places="")

    def account_url(self, account_id) -> str:
        return self.url(compte=account_id, q="")

    # -- appointments --------------------------------------------------------------------------
    def _build_appointment(self):
        self.types = list(self.agenda.appointment_types.order_by("sort_order", "pk"))
        self.appointment_type = next(
            (item for item in self.types if str(item.pk) == self.query.get("type")),
            self.types[0] if len(self.types) == 1 else None,
        )
        self.slots = []
        if self.appointment_type is not None:
            self.slots = selectors.appointment_slots(
                agenda=self.agenda,
                appointment_type=self.appointment_type,
                day_from=self.day,
                day_to=self.day,
                include_full=False,
            )
            self.kind_form = AppointmentForm(
                self.data,
                slots=self.slots,
                appointment_type=self.appointment_type,
                family=self.family,
                prefix="booking",
            )
            self.ready = True
            if self.appointment_type.price_cents:
                self.payment_form = PaymentChoiceForm(self.data, prefix="payment")

    def _book_appointment(self, person: dict):
        data = self.kind_form.cleaned_data
        start = parse_datetime(data["slot"])
        member = self._family_member(data.get("family_member"))
        return services.booking_book_appointment(
            agenda=self.agenda,
            appointment_type=self.appointment_type,
            start=start,
            ants_number=data.get("ants_number", ""),
            family_member=member,
            comment=self.person_form.cleaned_data.get("comment", ""),
            channel=self.person_form.cleaned_data["channel"],
            actor=self.request.user,
            **person,
        )

    # -- resources -----------------------------------------------------------------------------
    def _build_resource(self):
        self.resources = list(
            self.agenda.resources.filter(active=True).order_by("sort_order", "pk")
        )
        self.resource = next(
            (item for item in self.resources if str(item.pk) == self.query.get("ressource")),
            self.resources[0] if len(self.resources) == 1 else None,
        )
        self.slots = []
        if self.resource is not None:
            free_range = not self.resource.slot_minutes
            if not free_range:
                self.slots = selectors.resource_slots(
                    resource=self.resource, day_from=self.day, day_to=self.day
                )
            self.kind_form = ResourceForm(
                self.data, slots=self.slots, free_range=free_range, prefix="booking"
            )
            self.ready = True
            if any(tariff.amount_cents for tariff in self.agenda.tariffs.all()):
                self.payment_form = PaymentChoiceForm(self.data, prefix="payment")

    def _book_resource(self, person: dict):
        data = self.kind_form.cleaned_data
        if "slot" in data:
            start = parse_datetime(data["slot"])
            slot = next((s for s in self.slots if s.start == start), None)
            end = slot.end if slot else start + dt.timedelta(minutes=self.resource.slot_minutes)
        else:
            start = dt.datetime.combine(self.day, data["start_time"], tzinfo=PARIS)
            end = dt.datetime.combine(self.day, data["end_time"], tzinfo=PARIS)
        return services.booking_book_resource(
            agenda=self.agenda,
            resource=self.resource,
            start=start,
            end=end,
            audience=data["audience"],
            association_name=data.get("association_name", ""),
            comment=self.person_form.cleaned_data.get("comment", ""),
            channel=self.person_form.cleaned_data["channel"],
            actor=self.request.user,
            **person,
        )

    # -- events --------------------------------------------------------------------------------
    def _build_event(self):
        self.sessions = selectors.session_list(agenda=self.agenda, include_cancelled=False)
        session_id = self.query.get("seance")
        self.session = next(
            (item for item in self.sessions if str(item.session.pk) == session_id), None
        )
        self.session_links = [
            {
                "item": item,
                "url": self.session_url(item.session.pk),
                "selected": item is self.session,
            }
            for item in self.sessions
        ]
        if self.session is None:
            return
        limit = max(self.agenda.max_places_per_booking, 1)
        self.places = min(max(_int(self.query.get("places")) or 1, 1), limit)
        self.place_choices = range(1, limit + 1)
        categories = [
            CategoryChoice(
                id=category.id,
                label=_("%(name)s – %(price)s – %(remaining)s place(s)")
                % {
                    "name": category.name,
                    "price": euros(category.price_cents) if category.price_cents else _("gratuit"),
                    "remaining": category.remaining,
                },
            )
            for category in self.session.categories
        ]
        questions = list(self.agenda.questions.order_by("sort_order", "pk"))
        self.participant_forms = [
            ParticipantForm(
                self.data,
                categories=categories,
                questions=questions,
                family=self.family,
                prefix=f"p{index}",
            )
            for index in range(self.places)
        ]
        self.waiting_form = WaitingListForm(self.data, prefix="waiting")
        self.extra_forms = [self.waiting_form]
        self.ready = True
        if any(category.price_cents for category in self.session.categories):
            self.payment_form = PaymentChoiceForm(self.data, prefix="payment")

    def _book_event(self, person: dict):
        inputs = []
        for form in self.participant_forms:
            data = form.cleaned_data
            member = self._family_member(data.get("family_member"))
            inputs.append(
                services.ParticipantInput(
                    category_id=_int(data.get("category")),
                    first_name=data.get("first_name") or (member.first_name if member else ""),
                    last_name=data.get("last_name") or (member.last_name if member else ""),
                    family_member_id=member.pk if member else None,
                    answers=form.answers(),
                )
            )
        session = Session.objects.select_related("agenda").get(pk=self.session.session.pk)
        return services.booking_book_session(
            session=session,
            participants=inputs,
            join_waiting_list=self.waiting_form.cleaned_data.get("join_waiting_list", False),
            channel=self.person_form.cleaned_data["channel"],
            actor=self.request.user,
            **person,
        )

    # -- shared --------------------------------------------------------------------------------
    def _family_member(self, value):
        pk = _int(value)
        return next((member for member in self.family if member.pk == pk), None)

    def forms(self) -> list:
        forms = [self.person_form]
        if self.kind_form is not None:
            forms.append(self.kind_form)
        forms.extend(self.participant_forms)
        forms.extend(self.extra_forms)
        if self.payment_form is not None:
            forms.append(self.payment_form)
        return forms

    def add_engine_error(self, error: BookingError) -> None:
        """The engine's refusal next to the field it is about (the page keeps the rest)."""
        if isinstance(error, InvalidAnswers):
            for key, messages_ in (error.errors or {}).items():
                target, field = self._target(key)
                for message in messages_:
                    target.add_error(field if field in target.fields else None, str(message))
            return
        target = self.kind_form or self.person_form
        field = "slot" if "slot" in getattr(target, "fields", {}) else None
        _place_error(target, error, field)

    def _target(self, key: str):
        if key.startswith("participants-"):
            parts = key.split("-", 2)
            index = _int(parts[1]) if len(parts) > 1 else None
            if index is not None and index < len(self.participant_forms):
                form = self.participant_forms[index]
                name = parts[2] if len(parts) > 2 else ""
                if name in ("category", "family_member"):
                    return form, name
                return form, f"q_{name}"
        if key in ("ants_number", "family_member") and self.kind_form is not None:
            return self.kind_form, key
        if key == "email":
            return self.person_form, "email"
        return (self.kind_form or self.person_form), None

    def book(self) -> Booking | None:
        """Validate, book through the engine and settle at the desk when asked; None (and
        errors on the forms) when something is refused. One transaction."""
        if not all([form.is_valid() for form in self.forms()]):
            return None
        person = self.person_form.person()
        try:
            with transaction.atomic():
                booking = getattr(self, f"_book_{self.agenda.kind}")(person)
                if (
                    self.payment_form is not None
                    and booking.status == BookingStatus.HELD
                    and booking.amount_cents
                    and self.payment_form.cleaned_data["settle"] == PaymentChoiceForm.DESK
                ):
                    settle_at_desk(
                        booking=booking,
                        means=self.payment_form.cleaned_data["means"],
                        reference=self.payment_form.cleaned_data["reference"],
                        actor=self.request.user,
                        ip=self.request.META.get("REMOTE_ADDR"),
                    )
                    booking.refresh_from_db()
                elif booking.status == BookingStatus.HELD:
                    # Left to pay online: the person gets the link to pay by e-mail.
                    notifications.notify(booking, "held")
        except BookingError as error:
            self.add_engine_error(error)
            return None
        except PaymentError as error:
            field = error.field if error.field in self.payment_form.fields else None
            self.payment_form.add_error(field, error.message)
            return None
        return booking


def counter_book(request, pk):
    require(request.user, ADD_BOOKING)
    agenda = get_scoped_or_404(
        Agenda.objects.select_related("service", "regie"), request.user, pk=pk
    )
    page = CounterPage(request, agenda)
    if request.method == "POST" and page.ready:
        booking = page.book()
        if booking is not None:
            messages.success(request, _success_message(booking))
            return redirect("bookings_admin_booking:inspect", booking.pk)
    return TemplateResponse(
        request,
        "bookings/admin/counter_book.html",
        {
            "agenda": agenda,
            "page": page,
            "is_appointment": agenda.kind == AgendaKind.APPOINTMENT,
            "is_resource": agenda.kind == AgendaKind.RESOURCE,
            "is_event": agenda.kind == AgendaKind.EVENT,
            "previous_day_url": page.url(jour=(page.day - dt.timedelta(days=1)).isoformat()),
            "next_day_url": page.url(jour=(page.day + dt.timedelta(days=1)).isoformat()),
            "change_account_url": page.url(compte=""),
        },
    )


def _success_message(booking: Booking) -> str:
    reference = booking.reference or str(booking.public_id)
    if booking.status == BookingStatus.HELD:
        return _(
            "Réservation %(reference)s enregistrée, en attente du paiement en ligne jusqu'à "
            "%(until)s."
        ) % {
            "reference": reference,
            "until": timezone.localtime(booking.held_until).strftime("%H:%M")
            if booking.held_until
            else "—",
        }
    if booking.status == BookingStatus.WAITING:
        return _("Séance complète : %(reference)s est inscrite sur la liste d'attente.") % {
            "reference": reference
        }
    if booking.status == BookingStatus.PENDING_APPROVAL:
        return _("Demande %(reference)s enregistrée, à valider par le service.") % {
            "reference": reference
        }
    return _("Réservation %(reference)s confirmée.") % {"reference": reference}
