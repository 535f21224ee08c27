"""Writes of the CMS app: contact messages and the immutability of published acts."""

from __future__ import annotations

from django.db import transaction

from parvis.core.audit import audit_log_record

from .exceptions import ActLocked, ActNotPublishable
from .models import Act, ContactPage, ContactRecipient, ContactSubmission


@transaction.atomic
def contact_message_submit(
    *, page: ContactPage, recipient: ContactRecipient, data: dict, ip: str | None = None
) -> ContactSubmission:
    """Store the message, then hand it to the service by e-mail once the row is committed."""
    from .tasks import contact_message_send

    submission = ContactSubmission.objects.create(
        page=page,
        service=recipient.label,
        recipient_email=recipient.email,
        name=data["name"],
        email=data["email"],
        phone=data.get("phone", ""),
        subject=data["subject"],
        message=data["message"],
    )
    transaction.on_commit(lambda: contact_message_send.enqueue(submission_id=submission.pk))
    return submission


def act_assert_editable(*, act: Act) -> None:
    if act.pk and Act.objects.filter(pk=act.pk, first_published_at__isnull=False).exists():
        raise ActLocked()


@transaction.atomic
def act_update(*, act: Act, user, **fields) -> Act:
    """Change a draft act. Raises ``ActLocked`` for an act that was ever published."""
    act_assert_editable(act=act)
    for name, value in fields.items():
        setattr(act, name, value)
    act.full_clean()
    act.save()
    audit_log_record(actor=user, action="cms.act_updated", obj=act, data={"fields": list(fields)})
    return act


@transaction.atomic
def act_publish(*, act: Act, user) -> Act:
    """Publish an act through its latest revision. Raises ``ActLocked`` if already published."""
    act_assert_editable(act=act)
    if not act.signed_document_id:
        raise ActNotPublishable()
    revision = act.save_revision(user=user)
    revision.publish(user=user)
    act.refresh_from_db()
    audit_log_record(actor=user, action="cms.act_published", obj=act)
    return act
