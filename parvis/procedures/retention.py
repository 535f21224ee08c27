"""RGPD: requests are kept, once closed, for their procedure's ``retention_days``; then
they are anonymised.

Anonymising a request empties its answers, blanks the requester (account link, name,
e-mail, phone), empties the text of every timeline entry (messages, notes, reasons),
deletes its attachments (rows now, files once the transaction has committed) and sets
``anonymised_at``. The number, procedure, statuses, dates and fee stay, for statistics
and the accounts (payments have their own retention). Idempotent.

The purge runs daily (``manage.py purge_procedure_requests``, and
``purge_personal_data`` through the registry), logs its counts and writes them to the
audit log. Export and erase by e-mail address serve the RGPD rights.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.core import retention
from parvis.core.audit import audit_log_record

from .models import Attachment, Procedure, Request, RequestEvent
from .storage import private_storage

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 365
BATCH = 500


def _anonymise(request_ids: list[int], now: dt.datetime) -> tuple[int, int]:
    """Anonymise the given requests in the caller's transaction; returns (requests,
    files). Files are deleted after commit."""
    attachments = Attachment.objects.filter(request_id__in=request_ids)
    paths = [path for path in attachments.values_list("file", flat=True) if path]
    RequestEvent.objects.filter(request_id__in=request_ids).update(text="", attachment=None)
    attachments.delete()
    count = Request.objects.filter(pk__in=request_ids, anonymised_at__isnull=True).update(
        data={},
        user=None,
        email="",
        phone="",
        requester_name="",
        anonymised_at=now,
        updated_at=now,
    )

    def delete_files():
        storage = private_storage()
        for path in paths:
            try:
                storage.delete(path)
            except OSError:
                logger.warning("procedures: could not delete attachment file %s", path)

    transaction.on_commit(delete_files)
    return count, len(paths)


def requests_due_for_purge(now: dt.datetime | None = None):
    """Requests closed longer ago than their procedure's retention period, not yet
    anonymised."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for procedure_id, days in Procedure.objects.values_list("pk", "retention_days"):
        condition |= Q(procedure_id=procedure_id, closed_at__lt=now - dt.timedelta(days=days))
    return Request.objects.filter(condition, anonymised_at__isnull=True, closed_at__isnull=False)


def requests_purge(now: dt.datetime | None = None) -> dict:
    """Anonymise every request past its retention period, by batches; returns and logs
    the counts ({"requests": n, "files": m}) and records them in the audit log."""
    now = now or timezone.now()
    total = {"requests": 0, "files": 0}
    while True:
        with transaction.atomic():
            ids = list(
                requests_due_for_purge(now).order_by("pk").values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            requests, files = _anonymise(ids, now)
            total["requests"] += requests
            total["files"] += files
    with transaction.atomic():
        audit_log_record(actor=None, action="procedures.retention.purge", data=total)
    logger.info("procedures: %(requests)s request(s) anonymised, %(files)s file(s) deleted", total)
    return total


def _requests_of(email: str):
    email = (email or "").strip()
    if not email:
        return Request.objects.none()
    return Request.objects.filter(
        Q(email__iexact=email) | Q(user__email__iexact=email), anonymised_at__isnull=True
    )


def export(email: str) -> list[dict]:
    """One person's requests as the requester sees them: answers, status, messages and
    documents; internal notes and assignments are not part of it."""
    rows = []
    requests = (
        _requests_of(email)
        .select_related("procedure")
        .prefetch_related("attachments", "events")
        .order_by("submitted_at")
    )
    for request in requests:
        rows.append(
            {
                "type": "demande",
                "numero": request.number,
                "demarche": request.procedure.title,
                "deposee_le": request.submitted_at.isoformat(),
                "etat": request.status_label,
                "email": request.email,
                "telephone": request.phone,
                "demandeur": request.requester_name,
                "reponses": request.data,
                "pieces_jointes": [a.original_name for a in request.attachments.all()],
                "historique": [
                    {
                        "date": event.at.isoformat(),
                        "type": event.get_kind_display(),
                        "texte": event.text,
                    }
                    for event in request.events.all()
                    if event.visible_to_resident and event.kind != RequestEvent.Kind.ASSIGNED
                ],
            }
        )
    return rows


def erase(email: str) -> int:
    """Anonymise every request of one person now, whatever its retention period."""
    now = timezone.now()
    ids = list(_requests_of(email).values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        count, files = _anonymise(ids, now)
        audit_log_record(
            actor=None,
            action="procedures.retention.erase",
            data={"requests": count, "files": files},
        )
    return count


def _purge() -> int:
    return requests_purge()["requests"]


retention.register(
    retention.PersonalDataSource(
        name="procedures",
        description=_(
            "Démarches en ligne : demandes, échanges et pièces jointes, anonymisés à la "
            "fin de la durée de conservation de chaque démarche après clôture."
        ),
        retention_days=DEFAULT_RETENTION_DAYS,
        purge=_purge,
        export=export,
        erase=erase,
    )
)


DRAFT_RETENTION_DAYS = 90


def _purge_drafts() -> int:
    from .services.definitions import drafts_purge

    return drafts_purge(older_than_days=DRAFT_RETENTION_DAYS)


def _export_drafts(email: str) -> list[dict]:
    from .models import Draft

    return [
        {
            "demarche": draft.procedure.title,
            "modifie_le": draft.updated_at.isoformat(),
            "saisie": draft.data.get("values", {}),
        }
        for draft in Draft.objects.filter(
            Q(user__email__iexact=email) | Q(email__iexact=email)
        ).select_related("procedure")
    ]


def _erase_drafts(email: str) -> int:
    from .models import Draft
    from .services.definitions import draft_delete

    drafts = list(Draft.objects.filter(Q(user__email__iexact=email) | Q(email__iexact=email)))
    for draft in drafts:
        draft_delete(draft=draft)
    return len(drafts)


retention.register(
    retention.PersonalDataSource(
        name="procedure_drafts",
        description=_(
            "Démarches en ligne : formulaires commencés et non envoyés (et leurs pièces "
            "jointes), supprimés après 90 jours sans modification."
        ),
        retention_days=DRAFT_RETENTION_DAYS,
        purge=_purge_drafts,
        export=_export_drafts,
        erase=_erase_drafts,
    )
)
