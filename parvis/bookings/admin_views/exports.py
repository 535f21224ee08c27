"""Download and print participant lists (see :mod:`parvis.bookings.exports`).

Agents of the agenda's service only (``view_booking`` and the service scope, else 403 or
404). Every export is written to the audit log (who, which list, whether sensitive
answers were included): these lists carry personal data.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify

from parvis.core.audit import audit_log_record

from .. import exports
from ..models import Agenda, Session
from .access import VIEW_BOOKING, get_scoped_or_404, require


def _session(request, pk) -> Session:
    require(request.user, VIEW_BOOKING)
    return get_scoped_or_404(Session.objects.select_related("agenda"), request.user, pk=pk)


def _agenda_day(request, pk, day: str) -> tuple[Agenda, dt.date]:
    require(request.user, VIEW_BOOKING)
    agenda = get_scoped_or_404(Agenda.objects.all(), request.user, pk=pk)
    try:
        return agenda, dt.date.fromisoformat(day)
    except ValueError as error:
        raise Http404 from error


def _audit(request, obj, *, kind: str, fmt: str, listing) -> None:
    audit_log_record(
        actor=request.user,
        action="bookings.export",
        obj=obj,
        data={
            "list": kind,
            "format": fmt,
            "rows": len(listing.rows) + len(listing.waiting),
            "sensitive": listing.sensitive_included,
        },
        ip=request.META.get("REMOTE_ADDR"),
    )


def _csv_response(listing, filename: str) -> HttpResponse:
    response = HttpResponse(
        exports.to_csv(listing.csv_rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _print(request, listing, *, back_url: str, scope: str) -> TemplateResponse:
    response = TemplateResponse(
        request,
        "bookings/admin/print_list.html",
        {
            "listing": listing,
            "back_url": back_url,
            "scope": scope,
            "printed_at": timezone.localtime(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def session_print(request, pk):
    session = _session(request, pk)
    listing = exports.session_list(session)
    _audit(request, session, kind="session", fmt="html", listing=listing)
    from django.urls import reverse

    back = reverse("bookings_planning:agenda", args=[session.agenda_id])
    back += f"?jour={timezone.localdate(session.start).isoformat()}&seance={session.pk}"
    return _print(request, listing, back_url=back, scope="session")


def session_csv(request, pk):
    session = _session(request, pk)
    listing = exports.session_list(session)
    _audit(request, session, kind="session", fmt="csv", listing=listing)
    day = timezone.localdate(session.start).isoformat()
    return _csv_response(listing, f"participants-{slugify(session.agenda.title)}-{day}")


def day_print(request, pk, day):
    agenda, date = _agenda_day(request, pk, day)
    listing = exports.day_list(agenda, date)
    _audit(request, agenda, kind="day", fmt="html", listing=listing)
    from django.urls import reverse

    back = reverse("bookings_planning:agenda", args=[agenda.pk]) + f"?jour={date.isoformat()}"
    return _print(request, listing, back_url=back, scope="day")


def day_csv(request, pk, day):
    agenda, date = _agenda_day(request, pk, day)
    listing = exports.day_list(agenda, date)
    _audit(request, agenda, kind="day", fmt="csv", listing=listing)
    return _csv_response(listing, f"reservations-{slugify(agenda.title)}-{date.isoformat()}")
