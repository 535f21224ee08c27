"""The agents' inbox: the requests of the agent's services, filtered, paginated, assigned
in bulk and exported as CSV.

Query budget of the list: a constant number of queries whatever the page size (filter
choices, count, one page with procedure and assigned agent joined)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record
from parvis.payments.formatting import euros

from .. import selectors
from ..exceptions import ProcedureError
from ..services.requests import request_assign
from .access import CHANGE_REQUEST, VIEW_REQUEST, require
from .forms import BulkAssignForm, InboxFilterForm

PAGE_SIZE = 50


def _ip(request):
    return request.META.get("REMOTE_ADDR")


def inbox(request):
    require(request.user, VIEW_REQUEST)
    form = InboxFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    queryset = selectors.inbox_requests(request.user, filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    can_change = request.user.has_perm(CHANGE_REQUEST)
    context = {
        "form": form,
        "page": page,
        "requests": list(page.object_list),
        "query": query.urlencode(),
        "counts": selectors.inbox_counts(request.user),
        "now": timezone.now(),
        "can_change": can_change,
        "assign_form": BulkAssignForm(user=request.user) if can_change else None,
        "export_url": reverse("procedures_admin:export")
        + ("?" + query.urlencode() if query else ""),
        "next_url": request.get_full_path(),
    }
    return TemplateResponse(request, "procedures/admin/inbox.html", context)


def bulk_assign(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require(request.user, CHANGE_REQUEST)
    ids = [value for value in request.POST.getlist("requests") if value.isdigit()]
    visible = list(
        selectors.requests_for_agent(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    form = BulkAssignForm(request.POST, user=request.user, request_ids=visible)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("procedures_admin:inbox")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(next_url)
    chosen = selectors.requests_for_agent(request.user).filter(pk__in=form.cleaned_data["requests"])
    agent = form.cleaned_data["agent"]
    try:
        done = request_assign(requests=chosen, agent=agent, actor=request.user, ip=_ip(request))
    except ProcedureError as error:
        messages.error(request, error.message)
    else:
        if agent is None:
            message = _("%(count)s demande(s) sans agent chargé.") % {"count": len(done)}
        else:
            message = _("%(count)s demande(s) attribuée(s) à %(agent)s.") % {
                "count": len(done),
                "agent": agent.get_full_name() or agent.email,
            }
        messages.success(request, message)
    return redirect(next_url)


# --- CSV export ----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def csv_safe(value) -> str:
    """A cell that a spreadsheet will not run as a formula (prefixed with ')."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _local(value, fmt="%d/%m/%Y %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def export_rows(queryset, now) -> Iterator[list[str]]:
    yield [
        _("Numéro"),
        _("Démarche"),
        _("État"),
        _("Déposée le"),
        _("À traiter avant"),
        _("En retard"),
        _("Agent chargé"),
        _("Demandeur"),
        _("Adresse e-mail"),
        _("Téléphone"),
        _("Frais"),
        _("Payés le"),
        _("Clôturée le"),
    ]
    for item in queryset.iterator(chunk_size=2000):
        overdue = bool(item.due_at and not item.is_final and item.due_at < now)
        agent = item.assigned_to
        yield [
            csv_safe(cell)
            for cell in (
                item.number,
                item.procedure.title,
                item.status_label,
                _local(item.submitted_at),
                _local(item.due_at, "%d/%m/%Y"),
                _("oui") if overdue else _("non"),
                (agent.get_full_name() or agent.email) if agent else "",
                item.requester_name,
                item.email,
                item.phone,
                euros(item.fee_cents) if item.fee_cents else "",
                _local(item.paid_at),
                _local(item.closed_at),
            )
        ]


def export(request):
    """The filtered list as CSV for a spreadsheet (UTF-8 with BOM, « ; »), streamed; the
    export is written to the audit log with its filters and size."""
    require(request.user, VIEW_REQUEST)
    form = InboxFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    queryset = selectors.inbox_requests(request.user, filters)
    count = queryset.count()
    audit_log_record(
        actor=request.user,
        action="procedures.inbox.export",
        data={"filters": {k: v for k, v in vars(filters).items() if v}, "count": count},
        ip=_ip(request),
    )
    writer = csv.writer(_Echo(), delimiter=";")
    now = timezone.now()

    def stream():
        yield "\ufeff"
        for row in export_rows(queryset, now):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="demandes-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
