"""Writes of procedure definitions: publishing versions, the default workflow, drafts.

Invariants:

* A :class:`ProcedureVersion` is never modified: publishing an edited form creates the next
  number; publishing an unchanged form (same schema, same fee) creates nothing.
* Requests keep the version they were submitted against, so no publication alters them.
* A draft belongs to one account (``user``) or, for a guest, to the session that holds its
  ``public_id``; it is deleted with its pending attachments on submission or on request.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.core import cache as page_cache
from parvis.core.audit import audit_log_record

from ..formspec import freeze
from ..models import (
    Attachment,
    Draft,
    Procedure,
    ProcedureStatus,
    ProcedureVersion,
    StatusKind,
    Transition,
)

# (code, label, kind, notify_resident)
DEFAULT_STATUSES = (
    ("recue", _("Reçue"), StatusKind.RECEIVED, True),
    ("en-cours", _("En cours de traitement"), StatusKind.IN_PROGRESS, True),
    ("attente", _("En attente de votre part"), StatusKind.WAITING_RESIDENT, True),
    ("acceptee", _("Acceptée"), StatusKind.ACCEPTED, True),
    ("refusee", _("Refusée"), StatusKind.REFUSED, True),
    ("classee", _("Classée"), StatusKind.CLOSED, True),
)
# (from, to, label, role, reason_required)
DEFAULT_TRANSITIONS = (
    ("recue", "en-cours", _("Prendre en charge"), Transition.Role.AGENT, False),
    ("recue", "refusee", _("Refuser"), Transition.Role.AGENT, True),
    ("recue", "classee", _("Classer sans suite"), Transition.Role.AGENT, True),
    ("en-cours", "attente", _("Demander un complément"), Transition.Role.AGENT, True),
    ("en-cours", "acceptee", _("Accepter"), Transition.Role.AGENT, False),
    ("en-cours", "refusee", _("Refuser"), Transition.Role.AGENT, True),
    ("en-cours", "classee", _("Classer sans suite"), Transition.Role.AGENT, True),
    ("attente", "en-cours", _("Reprendre le traitement"), Transition.Role.AGENT, False),
    ("attente", "refusee", _("Refuser"), Transition.Role.AGENT, True),
    ("attente", "classee", _("Classer sans suite"), Transition.Role.AGENT, True),
    ("attente", "en-cours", _("J'ai complété ma demande"), Transition.Role.RESIDENT, False),
)


@transaction.atomic
def procedure_default_workflow(procedure: Procedure, *, actor=None) -> bool:
    """Give ``procedure`` the default statuses (reçue → en cours → en attente du
    demandeur → acceptée / refusée (motif obligatoire) / classée) and their transitions,
    when it has no status yet. Returns whether anything was created. Idempotent."""
    if procedure.pk is None:
        raise ValueError("save the procedure first")
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    if ProcedureStatus.objects.filter(procedure=procedure).exists():
        return False
    ProcedureStatus.objects.bulk_create(
        ProcedureStatus(
            procedure=procedure,
            sort_order=order,
            code=code,
            label=str(label),
            kind=kind,
            notify_resident=notify,
        )
        for order, (code, label, kind, notify) in enumerate(DEFAULT_STATUSES)
    )
    if not Transition.objects.filter(procedure=procedure).exists():
        Transition.objects.bulk_create(
            Transition(
                procedure=procedure,
                sort_order=order,
                from_code=source,
                to_code=target,
                label=str(label),
                role=role,
                reason_required=reason,
            )
            for order, (source, target, label, role, reason) in enumerate(DEFAULT_TRANSITIONS)
        )
    audit_log_record(actor=actor, action="procedures.procedure.default_workflow", obj=procedure)
    return True


def procedure_publish(*, procedure: Procedure, actor) -> ProcedureVersion:
    """Freeze ``procedure``'s form and publish it.

    Raises :class:`DefinitionInvalid` (nothing changes) when the form has problems. When
    the schema and the fee equal the current version's, no version is created (the
    procedure is still marked published). Otherwise version ``n + 1`` is created and
    becomes current. A procedure without statuses gets the default workflow.
    """
    schema = freeze(procedure)
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        current = (
            ProcedureVersion.objects.filter(pk=locked.current_version_id).first()
            if locked.current_version_id
            else None
        )
        if (
            current is not None
            and current.schema == schema
            and current.fee_cents == procedure.fee_cents
        ):
            version = current
            created = False
        else:
            last = (
                ProcedureVersion.objects.filter(procedure=locked).aggregate(n=Max("number"))["n"]
                or 0
            )
            version = ProcedureVersion.objects.create(
                procedure=locked,
                number=last + 1,
                schema=schema,
                fee_cents=procedure.fee_cents,
                created_at=timezone.now(),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            created = True
        was = locked.status
        Procedure.objects.filter(pk=locked.pk).update(
            current_version=version, status=Procedure.Status.PUBLISHED, updated_at=timezone.now()
        )
        procedure.current_version = version
        procedure.status = Procedure.Status.PUBLISHED
        procedure_default_workflow(procedure, actor=actor)
        if created or was != Procedure.Status.PUBLISHED:
            page_cache.invalidate()  # the catalogue and the presentation page change
            audit_log_record(
                actor=actor,
                action="procedures.procedure.publish",
                obj=procedure,
                data={"version": version.number, "new_version": created},
            )
    return version


@transaction.atomic
def procedure_unpublish(*, procedure: Procedure, actor, archive: bool = False) -> None:
    """Close the procedure to new requests (drafts stay; submitted requests go on)."""
    status = Procedure.Status.ARCHIVED if archive else Procedure.Status.DRAFT
    Procedure.objects.filter(pk=procedure.pk).update(status=status, updated_at=timezone.now())
    procedure.status = status
    page_cache.invalidate()
    audit_log_record(
        actor=actor, action="procedures.procedure.unpublish", obj=procedure, data={"to": status}
    )


# --- drafts --------------------------------------------------------------------------------


def draft_load(*, procedure: Procedure, user=None, public_id=None) -> Draft | None:
    """The draft of ``procedure`` owned by ``user`` (an account), or the guest draft whose
    ``public_id`` the session holds (only when it has no owner account)."""
    drafts = Draft.objects.filter(procedure=procedure).select_related("version")
    if user is not None and getattr(user, "is_authenticated", False):
        return drafts.filter(user=user).order_by("-updated_at").first()
    if public_id:
        try:
            return drafts.filter(public_id=public_id, user__isnull=True).first()
        except (ValueError, TypeError):  # not a UUID
            return None
    return None


@transaction.atomic
def draft_save(
    *,
    procedure: Procedure,
    version: ProcedureVersion,
    user=None,
    email: str = "",
    draft: Draft | None = None,
    page: int,
    page_input: dict[str, list[str]] | None = None,
    page_values: dict | None = None,
    valid: bool = False,
) -> Draft:
    """Record one page's input (valid or not) in the draft, creating it if needed.

    ``data`` of a draft: ``{"input": {page: {name: [str]}}, "values": {key: value},
    "valid_pages": [page, ...]}``. Values are kept only for a valid page; an invalid page
    forgets its previous values (they are recomputed at the end anyway)."""
    user = user if getattr(user, "is_authenticated", False) else None
    if draft is None:
        draft = Draft.objects.create(
            procedure=procedure,
            version=version,
            user=user,
            email=(email or "")[:254],
            data={"input": {}, "values": {}, "valid_pages": []},
            page=page,
        )
    data = dict(draft.data or {})
    inputs = dict(data.get("input") or {})
    values = dict(data.get("values") or {})
    valid_pages = set(data.get("valid_pages") or [])
    if page_input is not None:
        inputs[str(page)] = page_input
    if valid and page_values is not None:
        values.update(page_values)
        valid_pages.add(page)
    elif page_input is not None:
        valid_pages.discard(page)
    draft.data = {"input": inputs, "values": values, "valid_pages": sorted(valid_pages)}
    draft.version = version
    draft.page = page
    if email and not draft.email:
        draft.email = email[:254]
    draft.save()
    return draft


@transaction.atomic
def draft_delete(*, draft: Draft, actor=None, keep_attachments: bool = False) -> None:
    """Delete ``draft``; its attachments not linked to a request are deleted with their
    files (after commit) unless ``keep_attachments``."""
    if not keep_attachments:
        attachments_delete(
            attachments=list(Attachment.objects.filter(draft=draft, request__isnull=True))
        )
    draft.delete()


def attachments_delete(*, attachments) -> None:
    """Delete pending attachment rows now and their files after commit."""
    attachments = [a for a in attachments if a.request_id is None]
    if not attachments:
        return
    names = [a.file.name for a in attachments if a.file]
    storage = attachments[0].file.storage
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()

    def remove_files():
        for name in names:
            try:
                storage.delete(name)
            except OSError:  # already gone
                pass

    transaction.on_commit(remove_files)


@transaction.atomic
def drafts_purge(*, older_than_days: int = 90) -> int:
    """Delete drafts untouched for ``older_than_days`` (and their pending files)."""
    limit = timezone.now() - dt.timedelta(days=older_than_days)
    drafts = list(Draft.objects.filter(updated_at__lt=limit))
    for draft in drafts:
        draft_delete(draft=draft)
    if drafts:
        audit_log_record(
            actor=None, action="procedures.drafts.purge", data={"deleted": len(drafts)}
        )
    return len(drafts)


def drafts_for(user) -> list[Draft]:
    """The account's drafts of published procedures, most recent first (for the personal
    space: each has ``procedure`` loaded; resume at :func:`draft_resume_url`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        Draft.objects.filter(user=user, procedure__status=Procedure.Status.PUBLISHED)
        .select_related("procedure")
        .order_by("-updated_at")[:50]
    )


def draft_resume_url(draft: Draft) -> str:
    from django.urls import reverse

    return reverse(
        "procedures:form_page", kwargs={"slug": draft.procedure.slug, "page": draft.page + 1}
    )
