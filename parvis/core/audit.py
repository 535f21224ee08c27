"""The audit log: who changed what, when. Every service that changes a citizen's or an
agent's data calls :func:`audit_log_record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models


def audit_log_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    data: dict | None = None,
    ip: str | None = None,
):
    from .models import AuditLogEntry

    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLogEntry.objects.create(
        actor=actor_obj,
        actor_label=str(actor_obj) if actor_obj else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
        ip_address=ip or None,
    )
