"""The agents' planning: the agendas of their services, then one agenda's day or week,
optionally limited to one desk, resource or session. Bookings in time order with the
holder, what is booked, status, payment and attendance, each linking to its page.

A bounded number of queries whatever the number of bookings: the planning selector's
five, one for the payments of the bookings shown, and the page's own lookups.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from parvis.payments.formatting import euros
from parvis.payments.models import PaymentStatus

from ..models import OCCUPYING, Agenda, AgendaKind, Booking, BookingStatus
from ..selectors import planning as planning_selector
from .access import VIEW_BOOKING, agendas_for, get_scoped_or_404, require

#: Statuses shown by default; « tout afficher » adds the waiting list and ended ones.
ALL_STATUSES = tuple(BookingStatus.values)


def agenda_list(request):
    """The agendas of the user's services, with their upcoming bookings' count."""
    require(request.user, VIEW_BOOKING)
    now = timezone.now()
    agendas = (
        agendas_for(request.user)
        .exclude(status=Agenda.Status.ARCHIVED)
        .select_related("service")
        .annotate(
            upcoming=Count(
                "bookings",
                filter=Q(bookings__status__in=OCCUPYING, bookings__end__gte=now),
            )
        )
        .order_by("service__name", "title")
    )
    return TemplateResponse(
        request,
        "bookings/admin/planning_index.html",
        {
            "agendas": agendas,
            "today": timezone.localdate(),
            "can_add": request.user.has_perm("bookings.add_booking"),
            "can_close": request.user.has_perm("bookings.add_closure"),
            "here": request.get_full_path(),
        },
    )


def _payment_info(entries) -> dict[int, str]:
    """booking id → what the agent needs to know about its payment (one query)."""
    ids = [entry.booking_id for entry in entries]
    if not ids:
        return {}
    rows = Booking.objects.filter(pk__in=ids).values_list(
        "pk", "amount_cents", "payment__status", "status"
    )
    info = {}
    for pk, amount, payment_status, status in rows:
        if not amount:
            info[pk] = _("gratuit")
        elif payment_status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
            info[pk] = _("payé %(amount)s") % {"amount": euros(amount)}
        elif payment_status == PaymentStatus.REFUNDED:
            info[pk] = _("remboursé")
        elif status == BookingStatus.HELD:
            info[pk] = _("à payer %(amount)s") % {"amount": euros(amount)}
        else:
            info[pk] = euros(amount)
    return info


def _attendance_label(value) -> str:
    if value is True:
        return _("présent")
    if value is False:
        return _("absent")
    return ""


def agenda_planning(request, pk):
    require(request.user, VIEW_BOOKING)
    agenda = get_scoped_or_404(Agenda.objects.select_related("service"), request.user, pk=pk)
    day = parse_date(request.GET.get("jour") or "") or timezone.localdate()
    week = request.GET.get("vue") == "semaine"
    show_all = request.GET.get("tout") == "1"
    if week:
        day_from = day - dt.timedelta(days=day.weekday())
        day_to = day_from + dt.timedelta(days=6)
        step = dt.timedelta(days=7)
    else:
        day_from = day_to = day
        step = dt.timedelta(days=1)

    desks = list(agenda.desks.order_by("sort_order", "pk")) if agenda.kind == "appointment" else []
    resources = (
        list(agenda.resources.order_by("sort_order", "pk")) if agenda.kind == "resource" else []
    )
    desk = next((d for d in desks if str(d.pk) == request.GET.get("guichet")), None)
    resource = next((r for r in resources if str(r.pk) == request.GET.get("ressource")), None)
    session_key = request.GET.get("seance") or ""

    days = planning_selector(
        agenda=agenda,
        day_from=day_from,
        day_to=day_to,
        desk=desk,
        resource=resource,
        statuses=ALL_STATUSES if show_all else OCCUPYING,
    )
    sessions = {}
    for planning_day in days:
        for column in planning_day.columns:
            if column.key.startswith("session:"):
                sessions.setdefault(column.key.split(":", 1)[1], column.label)
        if session_key:
            planning_day.columns = [
                column for column in planning_day.columns if column.key == f"session:{session_key}"
            ]
    entries = [
        entry
        for planning_day in days
        for column in planning_day.columns
        for entry in column.entries
    ]
    payments = _payment_info(entries)
    can_change = request.user.has_perm("bookings.change_booking")
    for planning_day in days:
        for column in planning_day.columns:
            column.rows = [
                {
                    "entry": entry,
                    "payment": payments.get(entry.booking_id, ""),
                    "attendance": _attendance_label(entry.attended),
                    "url": reverse("bookings_admin_booking:inspect", args=[entry.booking_id]),
                    "attendance_url": reverse(
                        "bookings_admin_booking:attendance", args=[entry.booking_id]
                    )
                    if can_change and entry.status == BookingStatus.CONFIRMED
                    else "",
                }
                for entry in column.entries
            ]
            if column.key.startswith("session:"):
                column.session_id = int(column.key.split(":", 1)[1])
        planning_day.count = sum(len(column.entries) for column in planning_day.columns)

    def link(**changes):
        params = {
            "jour": day.isoformat(),
            "vue": "semaine" if week else "jour",
            "guichet": desk.pk if desk else "",
            "ressource": resource.pk if resource else "",
            "seance": session_key,
            "tout": "1" if show_all else "",
        }
        params.update(changes)
        query = urlencode({key: value for key, value in params.items() if value})
        return f"{request.path}?{query}"

    if week:
        title = _("Semaine du %(start)s au %(end)s") % {
            "start": date_format(day_from, "j F"),
            "end": date_format(day_to, "j F Y"),
        }
    else:
        title = date_format(day, "l j F Y").capitalize()
    return TemplateResponse(
        request,
        "bookings/admin/planning.html",
        {
            "agenda": agenda,
            "days": days,
            "title": title,
            "week": week,
            "day": day,
            "show_all": show_all,
            "desks": desks,
            "resources": resources,
            "sessions": sorted(sessions.items(), key=lambda item: item[1]),
            "desk": desk,
            "resource": resource,
            "session_key": session_key,
            "is_event": agenda.kind == AgendaKind.EVENT,
            "previous_url": link(jour=(day - step).isoformat()),
            "next_url": link(jour=(day + step).isoformat()),
            "today_url": link(jour=timezone.localdate().isoformat()),
            "day_url": link(vue="jour"),
            "week_url": link(vue="semaine"),
            "toggle_all_url": link(tout="" if show_all else "1"),
            "can_add": request.user.has_perm("bookings.add_booking"),
            "can_close": request.user.has_perm("bookings.add_closure"),
            "here": request.get_full_path(),
        },
    )
