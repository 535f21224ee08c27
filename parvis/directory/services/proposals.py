"""Residents' proposals on the directory: submit, approve, reject.

Invariants:

- nothing a resident writes touches :class:`~parvis.directory.models.Place` before a
  member of staff approves it: :func:`proposal_submit` stores values on the proposal only;
- proposed values are validated with the model's own validators on submission and again
  on approval (a SIRET taken in between is refused then, nothing is saved);
- each function is one transaction with an audit log entry; the proposer is e-mailed
  about a decision once the transaction commits.

``PlaceProposal.data`` holds, for a new entry, its public fields; for a change, only the
fields that differ from the entry, plus under ``"_original"`` the values they replaced
(to show staff a field changed since); for a claim, ``{"role": …}``.
"""

from __future__ import annotations

import re
from html import unescape

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks, strip_tags
from django.utils.translation import gettext_lazy as _

from parvis.core.audit import audit_log_record

from ..exceptions import DirectoryError, PlaceInvalid
from ..models import Place, PlaceKind, PlaceProposal, PlaceStatus, ProposalKind, ProposalStatus
from .places import place_create, place_identifier_conflicts, place_unique_slug, place_update

#: Public fields a resident may propose, in the order of the form.
PROPOSABLE_FIELDS = (
    "kind",
    "name",
    "summary",
    "description",
    "street_number",
    "street",
    "postcode",
    "city",
    "phone",
    "email",
    "website",
    "opening_hours",
    "wheelchair",
    "siret",
    "rna",
)
#: A representative may change every proposable field but the type of the entry.
CHANGEABLE_FIELDS = tuple(field for field in PROPOSABLE_FIELDS if field != "kind")
PROPOSABLE_KINDS = (
    PlaceKind.ASSOCIATION,
    PlaceKind.BUSINESS,
    PlaceKind.HEALTH,
    PlaceKind.TOURISM,
)
_IDENTIFIERS = ("siret", "rna")
ORIGINAL_KEY = "_original"


class ProposalInvalid(PlaceInvalid):
    """Proposed values break a rule of the directory; ``errors`` maps fields to messages."""

    default_message = _("La proposition contient des erreurs.")


class ProposalNotAllowed(DirectoryError):
    default_message = _("Vous ne représentez pas cette fiche.")


class ProposalAlreadyPending(DirectoryError):
    default_message = _(
        "Vous avez déjà une demande en attente pour cette fiche : la mairie vous répondra "
        "par e-mail."
    )


class AlreadyRepresentative(DirectoryError):
    default_message = _("Vous représentez déjà cette fiche : vous pouvez la modifier.")


class ProposalEmpty(DirectoryError):
    default_message = _("Vous n'avez rien modifié : aucune demande n'a été envoyée.")


class ProposalAlreadyDecided(DirectoryError):
    default_message = _("Cette proposition a déjà été traitée.")


class ProposalMessageRequired(DirectoryError):
    default_message = _("Expliquez au demandeur pourquoi sa proposition est refusée.")

    def __init__(self, message=None, *, field: str | None = "message"):
        super().__init__(message, field=field)


class ProposalConflict(DirectoryError):
    """The entry changed since the proposal on fields it also changes."""

    default_message = _(
        "La fiche a été modifiée depuis la proposition sur les mêmes champs : vérifiez les "
        "valeurs actuelles puis confirmez le remplacement."
    )

    def __init__(self, message=None, *, fields: list[str] | None = None):
        super().__init__(message, field="overwrite")
        self.fields = fields or []


# --- Values -------------------------------------------------------------------------------


def plain_to_rich_text(text: str) -> str:
    """Plain text typed by a resident → the rich-text HTML of a place (escaped paragraphs)."""
    text = (text or "").strip()
    return linebreaks(text, autoescape=True) if text else ""


def rich_text_to_plain(html: str) -> str:
    """A place's rich-text description → plain text with paragraphs and line breaks kept."""
    if not html:
        return ""
    text = re.sub(r"<br\s*/?>", "\n", html)
    text = re.sub(r"</(p|h[1-6]|li)>", "\n\n", text)
    text = unescape(strip_tags(text))
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def place_proposable_values(place: Place) -> dict[str, str]:
    """The current public values of ``place`` as a resident sees and proposes them."""
    values = {}
    for field in PROPOSABLE_FIELDS:
        value = getattr(place, field)
        if field == "description":
            value = rich_text_to_plain(value)
        values[field] = "" if value is None else str(value)
    return values


def _normalise(data: dict, allowed: tuple[str, ...]) -> dict[str, str]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ProposalInvalid(_("Champs inconnus : %s.") % ", ".join(sorted(unknown)))
    values = {}
    for field, value in data.items():
        value = "" if value is None else str(value).strip()
        if field in _IDENTIFIERS:
            value = value.replace(" ", "").upper()
        values[field] = value
    return values


def _model_values(values: dict[str, str]) -> dict:
    """Proposed values as the model stores them (rich text, empty identifiers as NULL)."""
    model = {}
    for field, value in values.items():
        if field == "description":
            value = plain_to_rich_text(value)
        elif field in _IDENTIFIERS and not value:
            value = None
        model[field] = value
    return model


def _check(values: dict[str, str], *, place: Place | None) -> None:
    """Validate proposed values with the model's validators; raise ProposalInvalid.

    Only the proposed fields are judged (a representative is not blamed for another field),
    and uniqueness of SIRET/RNA is checked against every other entry.
    """
    candidate = Place.objects.get(pk=place.pk) if place is not None else Place()
    for field, value in _model_values(values).items():
        setattr(candidate, field, value)
    if place is None:
        candidate.slug = place_unique_slug(candidate.name or "lieu")
    errors: dict[str, list[str]] = {}
    try:
        candidate.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field in values:
                errors[field] = [str(message) for message in messages]
    conflicts = place_identifier_conflicts(
        siret=candidate.siret if "siret" in values else None,
        rna=candidate.rna if "rna" in values else None,
        exclude_pk=place.pk if place is not None else None,
    )
    for field, messages in conflicts.items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        field = next(iter(errors))
        raise ProposalInvalid(errors[field][0], field=field, errors=errors)


# --- Writes -------------------------------------------------------------------------------


def proposal_submit(
    *,
    user,
    kind: str,
    place: Place | None = None,
    data: dict,
    message: str = "",
    ip: str | None = None,
) -> PlaceProposal:
    """Record a resident's proposal; the public site does not change.

    - ``new``: ``data`` holds the public fields of the entry (``kind`` among
      :data:`PROPOSABLE_KINDS`); ``place`` is None.
    - ``change``: ``user`` must represent ``place``; ``data`` holds the desired values of
      :data:`CHANGEABLE_FIELDS` — only those that differ from the entry are kept
      (:class:`ProposalEmpty` when none does).
    - ``claim``: ``place`` must be published and not yet represented by ``user``;
      ``data`` may hold ``{"role": …}``; one pending claim per person and entry.

    Raises :class:`ProposalInvalid` (per-field messages) and the other errors of this
    module; nothing is saved then.
    """
    with transaction.atomic():
        if kind == ProposalKind.NEW:
            if place is not None:
                raise ProposalInvalid(_("Une nouvelle fiche ne se rattache à aucune fiche."))
            values = _normalise(data, PROPOSABLE_FIELDS)
            if values.get("kind") not in PROPOSABLE_KINDS:
                raise ProposalInvalid(
                    _("Choisissez le type de la fiche dans la liste."),
                    field="kind",
                )
            if not values.get("name"):
                raise ProposalInvalid(_("Indiquez le nom."), field="name")
            _check(values, place=None)
            stored = values
        elif kind == ProposalKind.CHANGE:
            place = Place.objects.select_for_update().get(pk=place.pk)
            if not place.representatives.filter(pk=user.pk).exists():
                raise ProposalNotAllowed()
            values = _normalise(data, CHANGEABLE_FIELDS)
            current = place_proposable_values(place)
            changed = {field: value for field, value in values.items() if value != current[field]}
            if not changed:
                raise ProposalEmpty()
            if "name" in changed and not changed["name"]:
                raise ProposalInvalid(_("Indiquez le nom."), field="name")
            _check(changed, place=place)
            stored = {**changed, ORIGINAL_KEY: {field: current[field] for field in changed}}
        elif kind == ProposalKind.CLAIM:
            place = Place.objects.select_for_update().get(pk=place.pk)
            if place.status != PlaceStatus.PUBLISHED:
                raise ProposalNotAllowed(_("Cette fiche ne peut pas être revendiquée."))
            if place.representatives.filter(pk=user.pk).exists():
                raise AlreadyRepresentative()
            if PlaceProposal.objects.filter(
                kind=ProposalKind.CLAIM,
                place=place,
                proposer=user,
                status=ProposalStatus.PENDING,
            ).exists():
                raise ProposalAlreadyPending()
            role = str(data.get("role", "")).strip()
            stored = {"role": role} if role else {}
        else:
            raise ProposalInvalid(_("Type de demande inconnu."))
        proposal = PlaceProposal.objects.create(
            kind=kind, place=place, proposer=user, data=stored, message=(message or "").strip()
        )
        audit_log_record(
            actor=user,
            action="directory.proposal.submit",
            obj=proposal,
            data={
                "kind": kind,
                "place": place.pk if place else None,
                "fields": sorted(k for k in stored if k != ORIGINAL_KEY),
            },
            ip=ip,
        )
    return proposal


def _lock_pending(proposal: PlaceProposal) -> PlaceProposal:
    proposal = PlaceProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise ProposalAlreadyDecided()
    return proposal


def proposal_conflicts(proposal: PlaceProposal, place: Place | None = None) -> list[str]:
    """Fields of a change proposal whose current value differs from the one it replaced."""
    if proposal.kind != ProposalKind.CHANGE or proposal.place_id is None:
        return []
    original = proposal.data.get(ORIGINAL_KEY) or {}
    current = place_proposable_values(place or proposal.place)
    return [
        field
        for field in proposal.data
        if field != ORIGINAL_KEY and field in original and current.get(field) != original[field]
    ]


def _decide(proposal, *, actor, status, message):
    from ..tasks_proposals import proposal_decided_send

    proposal.status = status
    proposal.reviewed_by = actor
    proposal.reviewed_at = timezone.now()
    proposal.review_message = message
    proposal.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_message", "place"])
    proposal_id = proposal.pk
    transaction.on_commit(lambda: proposal_decided_send.enqueue(proposal_id=proposal_id))


def proposal_approve(
    *,
    actor,
    proposal: PlaceProposal,
    message: str = "",
    publish: bool = True,
    overwrite: bool = False,
    ip: str | None = None,
) -> PlaceProposal:
    """Apply a pending proposal, then tell the proposer.

    - ``new``: creates the entry (published, or a draft when ``publish`` is False) with the
      proposer as its representative;
    - ``change``: applies the proposed fields; when the entry changed since on those same
      fields, raises :class:`ProposalConflict` unless ``overwrite``;
    - ``claim``: adds the proposer to the entry's representatives.

    Values are validated again (:class:`ProposalInvalid`, nothing saved). The opening-hours
    index of the entry is refreshed after commit by the place services.
    """
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        data = {k: v for k, v in proposal.data.items() if k != ORIGINAL_KEY}
        try:
            if proposal.kind == ProposalKind.NEW:
                values = _normalise(data, PROPOSABLE_FIELDS)
                place = place_create(
                    actor=actor,
                    data={
                        **_model_values(values),
                        "status": PlaceStatus.PUBLISHED if publish else PlaceStatus.DRAFT,
                    },
                    ip=ip,
                )
                place.representatives.add(proposal.proposer)
                proposal.place = place
            elif proposal.kind == ProposalKind.CHANGE:
                place = Place.objects.select_for_update().get(pk=proposal.place_id)
                conflicts = proposal_conflicts(proposal, place)
                if conflicts and not overwrite:
                    raise ProposalConflict(fields=conflicts)
                values = _normalise(data, CHANGEABLE_FIELDS)
                place = place_update(actor=actor, place=place, data=_model_values(values), ip=ip)
            else:
                place = proposal.place
                place.representatives.add(proposal.proposer)
        except PlaceInvalid as error:
            if isinstance(error, ProposalInvalid):
                raise
            raise ProposalInvalid(error.message, field=error.field, errors=error.errors) from error
        _decide(proposal, actor=actor, status=ProposalStatus.APPROVED, message=message.strip())
        audit_log_record(
            actor=actor,
            action="directory.proposal.approve",
            obj=proposal,
            data={"kind": proposal.kind, "place": place.pk, "overwrite": bool(overwrite)},
            ip=ip,
        )
        _invalidate_public_pages()
    return proposal


def proposal_reject(
    *, actor, proposal: PlaceProposal, message: str, ip: str | None = None
) -> PlaceProposal:
    """Refuse a pending proposal with a message to the proposer (required)."""
    message = (message or "").strip()
    if not message:
        raise ProposalMessageRequired()
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        _decide(proposal, actor=actor, status=ProposalStatus.REJECTED, message=message)
        audit_log_record(
            actor=actor,
            action="directory.proposal.reject",
            obj=proposal,
            data={"kind": proposal.kind},
            ip=ip,
        )
    return proposal


def _invalidate_public_pages() -> None:
    from parvis.core.cache import invalidate

    invalidate()
