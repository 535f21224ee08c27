"""Changes proposed by residents (representatives of an association or a business).

Nothing a resident writes reaches the public site before a staff member approves it:
a proposal keeps the proposed values apart from the place until
:func:`parvis.directory.services.proposals.proposal_approve` applies them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .places import Place


class ProposalKind(models.TextChoices):
    NEW = "new", _("Nouvelle fiche")
    CHANGE = "change", _("Modification")
    CLAIM = "claim", _("Demande de représentation")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Acceptée")
    REJECTED = "rejected", _("Refusée")


class PlaceProposal(models.Model):
    kind = models.CharField(_("type"), max_length=10, choices=ProposalKind.choices)
    place = models.ForeignKey(
        Place,
        verbose_name=_("fiche"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposals",
        help_text=_("Vide pour une nouvelle fiche tant qu'elle n'est pas acceptée."),
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposé par"),
        on_delete=models.CASCADE,
        related_name="place_proposals",
    )
    data = models.JSONField(_("valeurs proposées"), default=dict, blank=True)
    message = models.TextField(_("message du demandeur"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
        db_index=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traitée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    review_message = models.TextField(_("réponse au demandeur"), blank=True)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposition")
        verbose_name_plural = _("propositions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        name = self.place.name if self.place_id else self.data.get("name", "")
        return f"{self.get_kind_display()} — {name}"
