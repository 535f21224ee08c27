"""RGPD: the directory holds the private contact of each entry and residents' proposals.

Proposals that were decided more than a year ago are deleted; a person's proposals are
exported and erased with their account.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from parvis.core.retention import PersonalDataSource, register

PROPOSAL_RETENTION_DAYS = 365


def _purge_proposals() -> int:
    """Delete proposals decided more than :data:`PROPOSAL_RETENTION_DAYS` ago (pending
    ones are kept whatever their age: they still wait for an answer)."""
    from .models import PlaceProposal, ProposalStatus

    limit = timezone.now() - dt.timedelta(days=PROPOSAL_RETENTION_DAYS)
    deleted, _ = (
        PlaceProposal.objects.exclude(status=ProposalStatus.PENDING)
        .filter(reviewed_at__lt=limit)
        .delete()
    )
    return deleted


def _export_proposals(email: str) -> list[dict]:
    from .models import PlaceProposal

    proposals = PlaceProposal.objects.filter(proposer__email__iexact=email).select_related("place")
    return [
        {
            "created_at": proposal.created_at.isoformat(),
            "kind": proposal.kind,
            "place": proposal.place.name if proposal.place_id else "",
            "data": {k: v for k, v in proposal.data.items() if not k.startswith("_")},
            "message": proposal.message,
            "status": proposal.status,
            "reviewed_at": proposal.reviewed_at.isoformat() if proposal.reviewed_at else None,
            "review_message": proposal.review_message,
        }
        for proposal in proposals.order_by("created_at")
    ]


def _erase_proposals(email: str) -> int:
    from .models import PlaceProposal

    deleted, _ = PlaceProposal.objects.filter(proposer__email__iexact=email).delete()
    return deleted


register(
    PersonalDataSource(
        name="directory.proposals",
        description="Demandes des habitants sur l'annuaire (nouvelles fiches, modifications, "
        "représentation)",
        retention_days=PROPOSAL_RETENTION_DAYS,
        purge=_purge_proposals,
        export=_export_proposals,
        erase=_erase_proposals,
    )
)
