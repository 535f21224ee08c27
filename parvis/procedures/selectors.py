"""Reads of procedures for the agents' inbox and the resident's pages.

Every agent-side query starts from :func:`requests_for_agent` / :func:`procedures_for_agent`
(the agent's services only, :func:`parvis.core.services_access.services_for_user`). The
resident side reads the timeline through :func:`resident_timeline`, which never returns an
internal note or an assignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from parvis.core.services_access import services_for_user

from .models import FINAL_KINDS, Procedure, Request, RequestEvent

#: Timeline entries a requester never sees, whatever ``visible_to_resident`` says.
INTERNAL_KINDS = (RequestEvent.Kind.NOTE, RequestEvent.Kind.ASSIGNED)


def service_ids(user) -> list[int]:
    """The ids of the services ``user`` works for, computed once per user object (a list,
    not a subquery: the planner then sees real values and picks the request indexes)."""
    cached = getattr(user, "_parvis_procedure_service_ids", None)
    if cached is None:
        cached = list(services_for_user(user).values_list("pk", flat=True))
        try:
            user._parvis_procedure_service_ids = cached
        except AttributeError:  # AnonymousUser and friends
            pass
    return cached


def procedures_for_agent(user) -> QuerySet[Procedure]:
    return Procedure.objects.filter(service_id__in=service_ids(user))


def requests_for_agent(user) -> QuerySet[Request]:
    """The requests of the services ``user`` works for (none for anyone else)."""
    return Request.objects.filter(service_id__in=service_ids(user))


def request_for_agent(user, pk) -> Request | None:
    return (
        requests_for_agent(user)
        .select_related("procedure", "version", "service", "assigned_to", "user", "payment")
        .filter(pk=pk)
        .first()
    )


@dataclass
class InboxFilters:
    """What the agent chose in the inbox; every field optional."""

    procedure: int | None = None
    status: str = ""  # a status code, or "open" (not final) / "final"
    assignee: str = ""  # "me", "nobody", "someone"
    overdue: bool = False
    unpaid: bool = False
    q: str = ""
    order: str = "recent"  # "recent" (newest first) or "due" (closest deadline first)


def inbox_requests(user, filters: InboxFilters) -> QuerySet[Request]:
    """The agent's requests matching ``filters``, with what the list shows joined in one
    query (procedure, assigned agent). Every filter maps to an index of ``Request``."""
    queryset = (
        requests_for_agent(user)
        .select_related("procedure", "assigned_to")
        .defer("data", "procedure__description", "procedure__form")
    )
    if filters.procedure:
        queryset = queryset.filter(procedure_id=filters.procedure)
    if filters.status == "open":
        queryset = queryset.exclude(status_kind__in=FINAL_KINDS)
    elif filters.status == "final":
        queryset = queryset.filter(status_kind__in=FINAL_KINDS)
    elif filters.status:
        queryset = queryset.filter(status_code=filters.status)
    if filters.assignee == "me":
        queryset = queryset.filter(assigned_to=user)
    elif filters.assignee == "nobody":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.assignee == "someone":
        queryset = queryset.filter(assigned_to__isnull=False)
    if filters.overdue:
        queryset = queryset.filter(due_at__lt=timezone.now()).exclude(status_kind__in=FINAL_KINDS)
    if filters.unpaid:
        queryset = queryset.filter(fee_cents__gt=0, paid_at__isnull=True)
    queryset = queryset.filter(_search(filters.q)) if (filters.q or "").strip() else queryset
    if filters.order == "due":
        return queryset.order_by("due_at", "pk")
    return queryset.order_by("-submitted_at", "-pk")


def _search(text: str) -> Q:
    """A number (``2026-000123``, or ``123`` in any year), or part of a name or e-mail."""
    text = text.strip()
    full = re.fullmatch(r"(\d{4})-(\d{1,6})", text)
    if full:
        return Q(number=f"{full.group(1)}-{int(full.group(2)):06d}")
    if text.isdigit() and len(text) <= 6:
        return Q(number__endswith=f"-{int(text):06d}")
    return Q(requester_name__icontains=text) | Q(email__icontains=text)


def inbox_counts(user) -> dict[str, int]:
    """Open, overdue and « mine » counts for the inbox header (one query)."""
    from django.db.models import Count

    now = timezone.now()
    open_requests = requests_for_agent(user).exclude(status_kind__in=FINAL_KINDS)
    return open_requests.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        mine=Count("pk", filter=Q(assigned_to=user)),
    )


def agent_timeline(request: Request) -> list[RequestEvent]:
    """Every entry, internal ones included (marked by ``visible_to_resident``)."""
    return list(request.events.select_related("actor", "attachment").order_by("at", "pk"))


def resident_timeline(request: Request) -> list[RequestEvent]:
    """What the requester may see: no internal note, no assignment."""
    return list(
        request.events.filter(visible_to_resident=True)
        .exclude(kind__in=INTERNAL_KINDS)
        .select_related("attachment")
        .order_by("at", "pk")
    )


def open_document_requests(request: Request) -> list[RequestEvent]:
    """Documents asked for and not provided yet, oldest first."""
    return list(
        request.events.filter(
            kind=RequestEvent.Kind.DOCUMENT_REQUESTED, resolved=False, visible_to_resident=True
        ).order_by("at", "pk")
    )


def awaiting_payment(request: Request) -> bool:
    return request.fee_cents > 0 and request.paid_at is None
