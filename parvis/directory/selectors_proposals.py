"""Reads of residents' proposals: a person's own entries and requests, the moderation
queue and the field-by-field comparison shown to staff."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.text import capfirst

from .models import Place, PlaceKind, PlaceProposal, ProposalKind, ProposalStatus, Wheelchair
from .services.proposals import (
    CHANGEABLE_FIELDS,
    ORIGINAL_KEY,
    PROPOSABLE_FIELDS,
    place_proposable_values,
    proposal_conflicts,
)

_CHOICES = {"kind": dict(PlaceKind.choices), "wheelchair": dict(Wheelchair.choices)}


def places_represented_by(user) -> QuerySet[Place]:
    """Entries ``user`` represents, by name (any status: a new entry may still be a draft)."""
    return Place.objects.filter(representatives=user).order_by("sort_name", "pk")


def proposals_of(user, *, limit: int = 50) -> list[PlaceProposal]:
    """``user``'s latest proposals, pending first, with their entry (one query)."""
    proposals = (
        PlaceProposal.objects.filter(proposer=user)
        .select_related("place")
        .order_by("-created_at")[:limit]
    )
    return sorted(proposals, key=lambda p: p.status != ProposalStatus.PENDING)


def proposal_queue(*, kind: str = "", status: str = ProposalStatus.PENDING) -> QuerySet:
    """The moderation queue, oldest first for pending ones, newest first otherwise."""
    proposals = PlaceProposal.objects.select_related("place", "proposer", "reviewed_by")
    if kind:
        proposals = proposals.filter(kind=kind)
    if status:
        proposals = proposals.filter(status=status)
    if status == ProposalStatus.PENDING:
        return proposals.order_by("created_at")
    return proposals.order_by("-created_at")


def proposals_pending_count() -> int:
    return PlaceProposal.objects.filter(status=ProposalStatus.PENDING).count()


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    current: str
    proposed: str
    changed: bool
    conflict: bool = False
    original: str = ""


def _display(field: str, value: str) -> str:
    value = "" if value is None else str(value)
    return str(_CHOICES[field].get(value, value)) if field in _CHOICES else value


def proposal_diff(proposal: PlaceProposal) -> list[DiffRow]:
    """Every public field with its current and proposed value, human labels and choice
    names; ``changed`` marks the fields the proposal sets, ``conflict`` those that changed
    on the entry since the proposal was made (``original`` is the value it replaced)."""
    if proposal.kind == ProposalKind.CLAIM:
        return []
    if proposal.kind == ProposalKind.NEW or proposal.place is None:
        fields, current = PROPOSABLE_FIELDS, {}
    else:
        fields, current = CHANGEABLE_FIELDS, place_proposable_values(proposal.place)
    conflicts = set(proposal_conflicts(proposal)) if proposal.place is not None else set()
    original = proposal.data.get(ORIGINAL_KEY) or {}
    rows = []
    for field in fields:
        now = current.get(field, "")
        changed = field in proposal.data
        proposed = proposal.data[field] if changed else now
        if proposal.kind == ProposalKind.NEW:
            changed = bool(proposed)
        rows.append(
            DiffRow(
                field=field,
                label=capfirst(str(Place._meta.get_field(field).verbose_name)),
                current=_display(field, now),
                proposed=_display(field, proposed),
                changed=changed,
                conflict=field in conflicts,
                original=_display(field, original.get(field, "")),
            )
        )
    return rows
