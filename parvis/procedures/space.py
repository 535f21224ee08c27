"""« Mes démarches », the procedures' section of the resident's personal space.

It lists the signed-in person's requests (made from the account, or made as a guest with
the account's verified address) with their status and an « action attendue » flag when
the service waits for something (a document asked for, a message not answered, a fee to
pay), and the drafts to resume. Two queries, whatever the number of requests.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from .models import FINAL_KINDS, Request, RequestEvent, StatusKind

SECTION_KEY = "procedures"
MAX_REQUESTS = 30


def requests_of_resident(user) -> QuerySet[Request]:
    """The requests ``user`` may follow: made from the account, or as a guest with the
    account's verified address (the request page grants the same)."""
    from parvis.accounts.registration import is_email_verified

    if user is None or not getattr(user, "is_authenticated", False):
        return Request.objects.none()
    mine = Q(user=user)
    if is_email_verified(user):
        mine |= Q(user__isnull=True, email__iexact=user.email)
    return Request.objects.filter(mine, anonymised_at__isnull=True)


def _with_expected_action(queryset: QuerySet[Request]) -> QuerySet[Request]:
    shown = RequestEvent.objects.filter(request=OuterRef("pk"), visible_to_resident=True)
    from_resident = Q(kind=RequestEvent.Kind.MESSAGE_FROM_RESIDENT) | Q(
        kind__in=(RequestEvent.Kind.DOCUMENT_ADDED, RequestEvent.Kind.SUBMITTED),
        actor_is_agent=False,
    )
    return queryset.annotate(
        documents_waiting=Exists(
            shown.filter(kind=RequestEvent.Kind.DOCUMENT_REQUESTED, resolved=False)
        ),
        last_service_message=Subquery(
            shown.filter(kind=RequestEvent.Kind.MESSAGE_TO_RESIDENT)
            .order_by("-at", "-pk")
            .values("at")[:1]
        ),
        last_resident_step=Subquery(
            shown.filter(from_resident).order_by("-at", "-pk").values("at")[:1]
        ),
    )


def expected_actions(request: Request) -> list[str]:
    """What the service waits for from the requester (empty for a closed request).
    ``request`` comes from :func:`resident_requests` (annotated)."""
    if request.status_kind in FINAL_KINDS:
        return []
    actions = []
    if request.documents_waiting:
        actions.append(str(_("pièce à fournir")))
    message_at = request.last_service_message
    if message_at is not None and (
        request.last_resident_step is None or message_at > request.last_resident_step
    ):
        actions.append(str(_("message du service à lire")))
    if request.fee_cents > 0 and request.paid_at is None:
        actions.append(str(_("frais à payer")))
    return actions


def resident_requests(user, *, limit: int = MAX_REQUESTS) -> list[Request]:
    """The resident's latest requests, each with ``expected`` (what the service waits
    for). One query."""
    rows = list(
        _with_expected_action(requests_of_resident(user))
        .select_related("procedure")
        .only(
            "public_id",
            "number",
            "status_label",
            "status_kind",
            "submitted_at",
            "fee_cents",
            "paid_at",
            "procedure__title",
        )
        .order_by("-submitted_at", "-pk")[:limit]
    )
    for row in rows:
        row.expected = expected_actions(row)
    return rows


def space_context(http_request) -> dict | None:
    """Context of the section (``None`` for a visitor who is not signed in)."""
    from .services.definitions import draft_resume_url, drafts_for

    user = http_request.user
    if not user.is_authenticated:
        return None
    requests = resident_requests(user)
    drafts = [{"draft": draft, "url": draft_resume_url(draft)} for draft in drafts_for(user)]
    return {
        "requests": requests,
        "drafts": drafts,
        "action_count": sum(1 for row in requests if row.expected),
        "open_count": sum(1 for row in requests if row.status_kind not in FINAL_KINDS),
        "waiting_kind": StatusKind.WAITING_RESIDENT,
    }


def register_space_section() -> None:
    """Register « Mes démarches » in the personal space (called from ``AppConfig.ready``)."""
    from parvis.accounts import space

    space.register(
        space.Section(
            key=SECTION_KEY,
            title=_("Mes démarches"),
            template="procedures/space_section.html",
            context=space_context,
            order=20,
        )
    )
