"""Public pages: the published agendas, and one agenda with its availability (a month
calendar for appointments and resources, the list of sessions for events)."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Count, F, Min, Q, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from .. import selectors
from ..models import Agenda, AgendaKind, Session
from ..selectors.calendar import agenda_calendar
from ..selectors.events import session_list
from .calendar import build_month, clamp_month, free_periods, month_bounds
from .common import instant_param, parse_day, parse_int, parse_month, published_agenda, url_with
from .display import day_label, hm, range_label, when_label

KIND_HEADINGS = [
    (AgendaKind.APPOINTMENT, _("Rendez-vous")),
    (AgendaKind.RESOURCE, _("Équipements et salles")),
    (AgendaKind.EVENT, _("Inscriptions et billetterie")),
]
#: How far ahead the list page looks for the next free slot, and for how long it keeps it.
HINT_DAYS = 14
HINT_SECONDS = 60


def _opening_hint(agenda: Agenda, now: dt.datetime) -> str:
    if agenda.opens_at and now < agenda.opens_at:
        return _("Ouverture des réservations le %(when)s") % {"when": when_label(agenda.opens_at)}
    if agenda.closes_at and now >= agenda.closes_at:
        return _("Les réservations sont closes.")
    return ""


def _next_slot_hint(agenda: Agenda, now: dt.datetime) -> str:
    """« Prochain créneau libre : … » from the selectors (cached a minute per agenda)."""
    key = f"bookings:hint:{agenda.pk}:{agenda.updated_at.timestamp()}"
    hint = cache.get(key)
    if hint is not None:
        return hint
    today = timezone.localdate(now)
    last = today + dt.timedelta(days=min(HINT_DAYS, agenda.max_delay_days))
    first = None
    label = ""
    if agenda.kind == AgendaKind.APPOINTMENT:
        # The first motif only (four queries): the hint names it.
        appointment_type = next(iter(agenda.appointment_types.all()), None)
        if appointment_type is not None:
            label = appointment_type.name
            slots = selectors.appointment_slots(
                agenda=agenda, appointment_type=appointment_type, day_from=today, day_to=last
            )
            first = next((slot.start for slot in slots if slot.free > 0), None)
    else:
        for resource in agenda.resources.all():
            if not resource.active:
                continue
            slots = selectors.resource_slots(resource=resource, day_from=today, day_to=last)
            found = next((slot.start for slot in slots if slot.free > 0), None)
            if found and (first is None or found < first):
                first = found
    if first is not None and label:
        hint = _("Prochain créneau libre (%(motif)s) : %(when)s") % {
            "motif": label,
            "when": when_label(first),
        }
    elif first is not None:
        hint = _("Prochain créneau libre : %(when)s") % {"when": when_label(first)}
    else:
        hint = _("Aucun créneau libre dans les %(days)s prochains jours.") % {"days": HINT_DAYS}
    cache.set(key, hint, HINT_SECONDS)
    return hint


def _event_hints(agendas: list[Agenda], now: dt.datetime) -> dict[int, str]:
    """One query for every event agenda: upcoming sessions, places left, next one."""
    rows = (
        Session.objects.filter(agenda__in=agendas, cancelled=False, start__gt=now)
        .values("agenda_id")
        .annotate(
            sessions=Count("pk"),
            left=Sum(F("capacity") - F("taken")),
            next_free=Min("start", filter=Q(taken__lt=F("capacity"))),
        )
    )
    hints = {}
    for row in rows:
        if row["next_free"] is None:
            hints[row["agenda_id"]] = _("Complet : inscription sur liste d'attente possible.")
            continue
        hints[row["agenda_id"]] = ngettext(
            "%(left)s place restante ; prochaine séance avec des places le %(when)s",
            "%(left)s places restantes ; prochaine séance avec des places le %(when)s",
            row["left"],
        ) % {"left": row["left"], "when": when_label(row["next_free"])}
    return hints


@require_GET
def agenda_list(request):
    """The published agendas grouped by kind, each with a hint of its next availability."""
    now = timezone.now()
    agendas = list(
        Agenda.objects.filter(status=Agenda.Status.PUBLISHED)
        .select_related("place")
        .prefetch_related("appointment_types", "resources")
        .order_by("title")
    )
    event_hints = _event_hints([a for a in agendas if a.kind == AgendaKind.EVENT], now)
    groups = []
    for kind, heading in KIND_HEADINGS:
        items = []
        for agenda in (a for a in agendas if a.kind == kind):
            hint = _opening_hint(agenda, now)
            if not hint:
                if kind == AgendaKind.EVENT:
                    hint = event_hints.get(agenda.pk, _("Aucune séance à venir pour le moment."))
                else:
                    hint = _next_slot_hint(agenda, now)
            items.append({"agenda": agenda, "hint": hint})
        if items:
            groups.append({"kind": kind, "heading": heading, "items": items})
    return render(request, "bookings/agenda_list.html", {"groups": groups})


# --- one agenda ---------------------------------------------------------------------------


def _window(agenda: Agenda, now: dt.datetime) -> tuple[dt.date, dt.date]:
    today = timezone.localdate(now)
    return today, timezone.localdate(now + dt.timedelta(days=agenda.max_delay_days))


def _month_params(request, first_day, last_day):
    chosen_day = parse_day(request.GET.get("jour"))
    month = parse_month(request.GET.get("mois"))
    if month is None and chosen_day is not None:
        month = chosen_day.replace(day=1)
    return clamp_month(month, first_day, last_day), chosen_day


def _calendar(agenda, *, base_url, params, first_day, last_day, month, chosen_day, words, **kw):
    start, end = month_bounds(month)
    days = agenda_calendar(agenda=agenda, day_from=start, day_to=end, **kw)
    return build_month(
        month=month,
        days=days,
        first_day=first_day,
        last_day=last_day,
        day_url=lambda day: url_with(
            base_url, "creneaux", **params, mois=f"{day:%Y-%m}", jour=day.isoformat()
        ),
        month_url=lambda month: url_with(base_url, "calendrier", **params, mois=f"{month:%Y-%m}"),
        selected=chosen_day,
        availability_words=words,
    )


@require_GET
def agenda_detail(request, slug):
    agenda = published_agenda(slug)
    now = timezone.now()
    context = {
        "agenda": agenda,
        "opening_hint": _opening_hint(agenda, now),
        "is_open": agenda.is_open_for_booking(now),
        "agenda_url": reverse("bookings:agenda", kwargs={"slug": agenda.slug}),
        "book_url": reverse("bookings:book", kwargs={"slug": agenda.slug}),
    }
    if agenda.kind == AgendaKind.APPOINTMENT:
        context.update(_appointment_context(request, agenda, now, context))
        template = "bookings/agenda_appointment.html"
    elif agenda.kind == AgendaKind.RESOURCE:
        context.update(_resource_context(request, agenda, now, context))
        template = "bookings/agenda_resource.html"
    else:
        context.update(_event_context(agenda, now, context))
        template = "bookings/agenda_event.html"
    return render(request, template, context)


def _appointment_context(request, agenda, now, base):
    types = list(agenda.appointment_types.all())
    wanted = parse_int(request.GET.get("motif"))
    chosen = next((t for t in types if t.pk == wanted), None)
    if chosen is None and len(types) == 1:
        chosen = types[0]
    type_links = [
        {
            "type": item,
            "url": url_with(base["agenda_url"], "calendrier", motif=item.pk),
            "current": item == chosen,
        }
        for item in types
    ]
    context = {"types": type_links, "chosen_type": chosen}
    if chosen is None or not base["is_open"]:
        return context
    first_day, last_day = _window(agenda, now)
    month, chosen_day = _month_params(request, first_day, last_day)
    params = {"motif": chosen.pk}
    month_view = _calendar(
        agenda,
        base_url=base["agenda_url"],
        params=params,
        first_day=first_day,
        last_day=last_day,
        month=month,
        chosen_day=chosen_day,
        words=None,
        now=now,
        appointment_type=chosen,
    )
    context["month"] = month_view
    if month_view.selected is not None:
        day = month_view.selected.date
        slots = selectors.appointment_slots(
            agenda=agenda, appointment_type=chosen, day_from=day, day_to=day, now=now
        )
        context["day"] = day
        context["day_title"] = day_label(day)
        context["slots"] = [
            {
                "label": hm(slot.start),
                "url": url_with(base["book_url"], motif=chosen.pk, debut=instant_param(slot.start)),
                "aria": _("%(time)s, %(day)s") % {"time": hm(slot.start), "day": day_label(day)},
            }
            for slot in slots
            if slot.free > 0
        ]
    return context


def _resource_words(resources):
    if any(resource.slot_minutes for resource in resources):
        return None
    return lambda count: _("disponible")


def _resource_context(request, agenda, now, base):
    resources = [r for r in agenda.resources.select_related("place") if r.active]
    tariffs = list(agenda.tariffs.all())
    wanted = parse_int(request.GET.get("ressource"))
    chosen = next((r for r in resources if r.pk == wanted), None)
    context = {
        "resources": resources,
        "tariffs": tariffs,
        "chosen_resource": chosen,
        "resource_links": [
            {
                "label": _("Tout voir"),
                "url": url_with(base["agenda_url"], "calendrier"),
                "current": chosen is None,
            },
        ]
        + [
            {
                "label": resource.name,
                "url": url_with(base["agenda_url"], "calendrier", ressource=resource.pk),
                "current": resource == chosen,
            }
            for resource in resources
        ]
        if len(resources) > 1
        else [],
    }
    if not resources or not base["is_open"]:
        return context
    first_day, last_day = _window(agenda, now)
    month, chosen_day = _month_params(request, first_day, last_day)
    shown = [chosen] if chosen else resources
    month_view = _calendar(
        agenda,
        base_url=base["agenda_url"],
        params={"ressource": chosen.pk if chosen else None},
        first_day=first_day,
        last_day=last_day,
        month=month,
        chosen_day=chosen_day,
        words=_resource_words(shown),
        now=now,
        resource=chosen,
    )
    context["month"] = month_view
    if month_view.selected is None:
        return context
    day = month_view.selected.date
    context["day"] = day
    context["day_title"] = day_label(day)
    rows = []
    for resource in shown:
        slots = selectors.resource_slots(resource=resource, day_from=day, day_to=day, now=now)
        row = {"resource": resource, "fixed": bool(resource.slot_minutes)}
        if resource.slot_minutes:
            row["slots"] = [
                {
                    "label": _("%(start)s – %(end)s")
                    % {"start": hm(slot.start), "end": hm(slot.end)},
                    "aria": _("%(resource)s, %(day)s, de %(start)s à %(end)s")
                    % {
                        "resource": resource.name,
                        "day": day_label(day),
                        "start": hm(slot.start),
                        "end": hm(slot.end),
                    },
                    "url": url_with(
                        base["book_url"],
                        ressource=resource.pk,
                        jour=day.isoformat(),
                        debut=instant_param(slot.start),
                    ),
                }
                for slot in slots
                if slot.free > 0
            ]
        else:
            row["periods"] = free_periods(slots)
            row["url"] = url_with(base["book_url"], ressource=resource.pk, jour=day.isoformat())
        rows.append(row)
    context["resource_rows"] = rows
    return context


def _event_context(agenda, now, base):
    sessions = session_list(agenda=agenda, now=now, include_cancelled=False)
    items = []
    for availability in sessions:
        session = availability.session
        items.append(
            {
                "availability": availability,
                "session": session,
                "when": range_label(session.start, session.end),
                "url": url_with(base["book_url"], seance=session.pk),
                "wait_url": url_with(base["book_url"], seance=session.pk, attente=1),
            }
        )
    return {"sessions": items, "questions": list(agenda.questions.all())}
