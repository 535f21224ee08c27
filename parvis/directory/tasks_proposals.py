"""E-mail to a resident once staff decided on their proposal."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task


@task()
def proposal_decided_send(*, proposal_id: int) -> None:
    """Tell the proposer that their proposal was accepted or refused, with staff's message.

    Does nothing for a proposal still pending or whose proposer has no active account.
    """
    from parvis.accounts.tasks import send_templated_email

    from .models import PlaceProposal, PlaceStatus, ProposalStatus

    proposal = (
        PlaceProposal.objects.select_related("place", "proposer").filter(pk=proposal_id).first()
    )
    if proposal is None or proposal.status == ProposalStatus.PENDING:
        return
    if not proposal.proposer.is_active:
        return
    base = settings.PARVIS_SITE_URL.rstrip("/")
    place = proposal.place
    place_url = ""
    if place is not None and place.status == PlaceStatus.PUBLISHED:
        place_url = base + place.get_absolute_url()
    send_templated_email(
        template="directory/email/proposal_decided",
        to=proposal.proposer.email,
        context={
            "proposal": proposal,
            "place_name": place.name if place is not None else proposal.data.get("name", ""),
            "approved": proposal.status == ProposalStatus.APPROVED,
            "place_url": place_url,
            "account_url": base + reverse("directory:account_home"),
        },
    )
