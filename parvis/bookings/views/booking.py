"""The booking forms (``/reservations/<agenda>/reserver/``): an appointment, a resource,
places in a session. Every :class:`~parvis.bookings.exceptions.BookingError` comes back as
a message next to the form with its next step (another slot of the day, the waiting list),
and everything typed is kept."""

from __future__ import annotations

import re
import uuid

from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..exceptions import BookingError, InvalidAnswers
from ..forms import (
    ME,
    OTHER,
    AppointmentBookingForm,
    ParticipantForm,
    ResourceBookingForm,
    SessionBookingForm,
    instant_choices,
)
from ..models import AgendaKind, Session
from ..selectors.events import session_availability
from .common import (
    add_invalid_answers,
    booker_or_redirect,
    booking_queryset,
    booking_url,
    can_see,
    instant_param,
    parse_day,
    parse_instant,
    parse_int,
    published_agenda,
    url_with,
)
from .display import day_long, euros, hm, range_label

WAITING_ACTION = "waiting_list"
PLACES_ACTION = "places"


@never_cache
@require_http_methods(["GET", "POST"])
def book(request, slug):
    agenda = published_agenda(slug)
    booker, response = booker_or_redirect(request, agenda)
    if response is not None:
        return response
    previous = _previous_booking(request)
    if agenda.kind == AgendaKind.APPOINTMENT:
        return _book_appointment(request, agenda, booker, previous)
    if agenda.kind == AgendaKind.RESOURCE:
        return _book_resource(request, agenda, booker, previous)
    return _book_session(request, agenda, booker, previous)


def _previous_booking(request):
    """The booking named by ``?depuis=`` (a hold that expired, a cancelled booking) whose
    answers fill the form again — only the visitor's own."""
    public_id = request.GET.get("depuis", "")
    if not public_id:
        return None
    try:
        public_id = uuid.UUID(public_id)
    except ValueError:
        return None
    booking = booking_queryset().filter(public_id=public_id).first()
    if booking is None or not can_see(request, booking):
        return None
    return booking


def _contact_initial(booker, previous) -> dict:
    if previous is not None:
        return {
            "first_name": previous.first_name,
            "last_name": previous.last_name,
            "phone": previous.phone,
            "comment": previous.comment,
        }
    user = booker.user
    if user is None:
        return {}
    return {"first_name": user.first_name, "last_name": user.last_name, "phone": user.phone}


def _family(booker):
    if booker.user is None:
        return []
    return list(booker.user.family_members.all())


def _base_context(request, agenda, booker) -> dict:
    now = timezone.now()
    return {
        "agenda": agenda,
        "booker": booker,
        "is_open": agenda.is_open_for_booking(now),
        "agenda_url": reverse("bookings:agenda", kwargs={"slug": agenda.slug}),
        "family_url": reverse("accounts:family"),
        "form_action": request.get_full_path(),
    }


def _apply_error(form, error: BookingError, *, slot_field: str | None, context: dict) -> None:
    """The engine's refusal next to the form, with what to do next."""
    if isinstance(error, InvalidAnswers):
        add_invalid_answers(form, error, aliases={"start": slot_field} if slot_field else None)
        return
    context["error_next_step"] = error.next_step
    if error.next_step == "other_slot" and slot_field and slot_field in form.fields:
        form.add_error(slot_field, str(error.message))
    else:
        form.add_error(None, str(error.message))


def error_list(*forms) -> list[dict]:
    """Every error of the forms, for the summary at the top (links to the fields)."""
    items = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            items.append({"message": message, "anchor": ""})
        for field in form:
            for message in field.errors:
                label = field.label
                if getattr(form, "number", None):
                    label = _("Participant %(n)s, %(label)s") % {
                        "n": form.number,
                        "label": field.label,
                    }
                items.append({"message": f"{label} : {message}", "anchor": field.auto_id})
    return items


# --- appointments -------------------------------------------------------------------------


def _book_appointment(request, agenda, booker, previous):
    context = _base_context(request, agenda, booker)
    types = list(agenda.appointment_types.all())
    wanted = parse_int(request.GET.get("motif"))
    if previous is not None and wanted is None:
        wanted = previous.appointment_type_id
    appointment_type = next((t for t in types if t.pk == wanted), None)
    if appointment_type is None and len(types) == 1:
        appointment_type = types[0]
    if appointment_type is None:
        return redirect(context["agenda_url"] + "#motifs")
    requested = parse_instant(request.GET.get("debut"))
    if request.method == "POST":
        requested = parse_instant(request.POST.get("start")) or requested
    if requested is None and previous is not None:
        requested = previous.start
    day = parse_day(request.GET.get("jour")) or (
        timezone.localdate(requested) if requested else None
    )
    if day is None:
        return redirect(url_with(context["agenda_url"], "calendrier", motif=appointment_type.pk))

    def free_starts():
        return [
            slot.start
            for slot in selectors.appointment_slots(
                agenda=agenda, appointment_type=appointment_type, day_from=day, day_to=day
            )
            if slot.free > 0
        ]

    starts = free_starts()
    initial = _contact_initial(booker, previous)
    if requested is not None:
        initial["start"] = instant_param(requested)
    if previous is not None:
        initial["ants_number"] = previous.ants_number
        if previous.family_member_id:
            initial["for_whom"] = f"fm-{previous.family_member_id}"
    form = AppointmentBookingForm(
        request.POST or None,
        initial=initial,
        appointment_type=appointment_type,
        starts=starts,
        user=booker.user,
        family_members=_family(booker),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_book_appointment(
                agenda=agenda,
                appointment_type=appointment_type,
                start=data["start"],
                user=booker.user,
                email=booker.email,
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                ants_number=data.get("ants_number", ""),
                family_member=form.family_member,
                comment=data["comment"],
                actor=booker.user,
            )
        except BookingError as error:
            _apply_error(form, error, slot_field="start", context=context)
            form.fields["start"].choices = instant_choices(free_starts())
        else:
            return redirect(booking_url(booking))
    context.update(
        {
            "form": form,
            "errors": error_list(form),
            "appointment_type": appointment_type,
            "day": day,
            "day_title": day_long(day),
            "calendar_url": url_with(
                context["agenda_url"],
                "calendrier",
                motif=appointment_type.pk,
                mois=f"{day:%Y-%m}",
                jour=day.isoformat(),
            ),
            "requested_gone": request.method == "GET"
            and requested is not None
            and requested not in starts,
            "requested_label": hm(requested) if requested else "",
            "no_slot_left": not form.fields["start"].choices,
        }
    )
    return render(request, "bookings/book_appointment.html", context)


# --- resources ----------------------------------------------------------------------------


def _book_resource(request, agenda, booker, previous):
    context = _base_context(request, agenda, booker)
    resources = [resource for resource in agenda.resources.all() if resource.active]
    wanted = parse_int(request.GET.get("ressource"))
    if previous is not None and wanted is None:
        wanted = previous.resource_id
    resource = next((r for r in resources if r.pk == wanted), None)
    if resource is None and len(resources) == 1:
        resource = resources[0]
    if resource is None:
        return redirect(context["agenda_url"] + "#calendrier")
    requested = parse_instant(request.GET.get("debut"))
    if request.method == "POST":
        requested = parse_instant(request.POST.get("start")) or requested
    if requested is None and previous is not None:
        requested = previous.start
    day = parse_day(request.GET.get("jour")) or (
        timezone.localdate(requested) if requested else None
    )
    if day is None:
        return redirect(url_with(context["agenda_url"], "calendrier", ressource=resource.pk))
    prefetch_related_objects([agenda], "tariffs")
    resource.agenda = agenda
    tariffs = list(agenda.tariffs.all())

    def day_slots():
        return selectors.resource_slots(resource=resource, day_from=day, day_to=day)

    slots = day_slots()
    initial = _contact_initial(booker, previous)
    if requested is not None:
        initial["start"] = instant_param(requested)
    requested_end = parse_instant(request.GET.get("fin"))
    if previous is not None:
        initial["audience"] = previous.audience
        initial["association_name"] = previous.association_name
        requested_end = requested_end or previous.end
    if requested_end is not None:
        initial["end"] = instant_param(requested_end)
    form = ResourceBookingForm(
        request.POST or None, initial=initial, resource=resource, slots=slots, tariffs=tariffs
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_book_resource(
                agenda=agenda,
                resource=resource,
                start=data["start"],
                end=data["end"],
                user=booker.user,
                email=booker.email,
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                audience=data["audience"],
                association_name=data["association_name"].strip(),
                comment=data["comment"],
                actor=booker.user,
            )
        except BookingError as error:
            _apply_error(form, error, slot_field="start", context=context)
            fresh = ResourceBookingForm(resource=resource, slots=day_slots(), tariffs=tariffs)
            for name in ("start", "end"):
                if name in form.fields:
                    form.fields[name].choices = fresh.fields[name].choices
        else:
            return redirect(booking_url(booking))
    from .calendar import free_periods

    starts = {slot.start for slot in slots if slot.free > 0}
    context.update(
        {
            "form": form,
            "errors": error_list(form),
            "resource": resource,
            "tariffs": tariffs,
            "day": day,
            "day_title": day_long(day),
            "periods": free_periods(slots) if not resource.slot_minutes else [],
            "calendar_url": url_with(
                context["agenda_url"],
                "calendrier",
                ressource=resource.pk,
                mois=f"{day:%Y-%m}",
                jour=day.isoformat(),
            ),
            "requested_gone": request.method == "GET"
            and requested is not None
            and bool(resource.slot_minutes)
            and requested not in starts,
            "requested_label": hm(requested) if requested else "",
            "no_slot_left": not starts and len(form.fields["start"].choices) <= 1,
        }
    )
    return render(request, "bookings/book_resource.html", context)


# --- sessions -----------------------------------------------------------------------------


def _initial_from_data(form, data) -> None:
    """Turn what was posted into the unbound ``form``'s initial values: the number of
    participants changes without showing errors, and nothing typed is lost."""
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(data, {}, form.add_prefix(name))
        if value not in (None, ""):
            form.initial[name] = value


def _participant_initial(previous, user) -> list[dict]:
    if previous is None:
        return []
    rows = []
    for participant in previous.participants.all():
        if participant.family_member_id:
            who = f"fm-{participant.family_member_id}"
        elif user is not None and (participant.first_name, participant.last_name) == (
            user.first_name,
            user.last_name,
        ):
            who = ME
        else:
            who = OTHER
        row = {
            "who": who,
            "category": str(participant.category_id) if participant.category_id else "",
            "first_name": participant.first_name if who == OTHER else "",
            "last_name": participant.last_name if who == OTHER else "",
        }
        row.update({f"q_{key}": value for key, value in (participant.answers or {}).items()})
        rows.append(row)
    return rows


def _book_session(request, agenda, booker, previous):
    context = _base_context(request, agenda, booker)
    wanted = parse_int(request.GET.get("seance"))
    if previous is not None and wanted is None:
        wanted = previous.session_id
    session = (
        Session.objects.filter(agenda=agenda, pk=wanted, cancelled=False)
        .prefetch_related("categories")
        .first()
        if wanted
        else None
    )
    if session is None:
        return redirect(context["agenda_url"] + "#seances")
    session.agenda = agenda
    availability = session_availability(session)
    questions = list(agenda.questions.all())
    categories = list(session.categories.all())
    family = _family(booker)
    user = booker.user
    max_places = max(1, agenda.max_places_per_booking)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    wants_waiting = request.GET.get("attente") == "1" or action == WAITING_ACTION

    previous_rows = _participant_initial(previous, user)
    if request.method == "POST":
        places = parse_int(request.POST.get("places")) or 1
    else:
        places = parse_int(request.GET.get("places")) or len(previous_rows) or 1
    places = min(max(places, 1), max_places)

    def participant_form(number, data=None, initial=None):
        return ParticipantForm(
            data,
            prefix=f"p{number}",
            number=number,
            categories=categories,
            questions=questions,
            user=user,
            family_members=family,
            initial=initial,
        )

    contact_initial = {"places": places, "phone": user.phone if user else ""}
    if previous is not None:
        contact_initial["phone"] = previous.phone
    if request.method == "POST" and action == PLACES_ACTION:
        # Only the number of participants changed: same answers, no error shown yet.
        form = SessionBookingForm(max_places=max_places, initial=contact_initial)
        _initial_from_data(form, request.POST)
        form.initial["places"] = places
        participant_forms = []
        for number in range(1, places + 1):
            subform = participant_form(number)
            _initial_from_data(subform, request.POST)
            participant_forms.append(subform)
    elif request.method == "POST":
        form = SessionBookingForm(request.POST, max_places=max_places)
        participant_forms = [
            participant_form(number, data=request.POST) for number in range(1, places + 1)
        ]
    else:
        form = SessionBookingForm(max_places=max_places, initial=contact_initial)
        participant_forms = [
            participant_form(
                number,
                initial=previous_rows[number - 1] if number <= len(previous_rows) else None,
            )
            for number in range(1, places + 1)
        ]

    if request.method == "POST" and action != PLACES_ACTION:
        valid = form.is_valid()
        valid = all([subform.is_valid() for subform in participant_forms]) and valid
        if valid:
            try:
                booking = services.booking_book_session(
                    session=session,
                    participants=[subform.to_input() for subform in participant_forms],
                    user=user,
                    email=booker.email,
                    first_name=user.first_name if user else "",
                    last_name=user.last_name if user else "",
                    phone=form.cleaned_data["phone"],
                    join_waiting_list=wants_waiting,
                    actor=user,
                )
            except InvalidAnswers as error:
                _participant_errors(form, participant_forms, error)
            except BookingError as error:
                _apply_error(form, error, slot_field=None, context=context)
            else:
                return redirect(booking_url(booking))
    offer_waiting = agenda.waiting_list and (
        context.get("error_next_step") == "waiting_list"
        or (availability.remaining == 0 and availability.is_open)
    )
    context.update(
        {
            "form": form,
            "participant_forms": participant_forms,
            "errors": error_list(form, *participant_forms),
            "session": session,
            "availability": availability,
            "session_when": range_label(session.start, session.end),
            "categories": categories,
            "waiting_mode": wants_waiting or (availability.remaining == 0 and agenda.waiting_list),
            "offer_waiting": offer_waiting,
            "max_places": max_places,
            "total_label": _total_label(categories, participant_forms),
            "paid": any(category.price_cents for category in categories),
        }
    )
    return render(request, "bookings/book_session.html", context)


def _total_label(categories, participant_forms) -> str:
    prices = {str(category.pk): category.price_cents for category in categories}
    total = 0
    for subform in participant_forms:
        value = subform["category"].value()
        total += prices.get(str(value), 0) if value else 0
    return euros(total) if total else ""


def _participant_errors(form, participant_forms, error: InvalidAnswers) -> None:
    """The engine's per-participant messages next to their fields: keys are
    ``participants-<index from 0>-<field or question key>``; the rest goes on top."""
    unplaced = {}
    for key, messages in (error.errors or {}).items():
        if isinstance(messages, str):
            messages = [messages]
        match = PARTICIPANT_KEY.match(str(key))
        subform = None
        if match and int(match.group(1)) < len(participant_forms):
            subform = participant_forms[int(match.group(1))]
            name = PARTICIPANT_FIELDS.get(match.group(2), match.group(2))
            target = name if name in subform.fields else f"q_{name}"
        if subform is not None and target in subform.fields:
            for message in messages:
                subform.add_error(target, str(message))
        elif key in form.fields:
            for message in messages:
                form.add_error(key, str(message))
        else:
            unplaced[key] = messages
    if unplaced:
        add_invalid_answers(form, InvalidAnswers(unplaced))
    elif not error.errors:
        form.add_error(None, str(error.message))


PARTICIPANT_KEY = re.compile(r"^participants-(\d+)-(.+)$")
PARTICIPANT_FIELDS = {"family_member": "who", "category": "category"}
