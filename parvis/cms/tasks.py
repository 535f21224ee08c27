from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task


@task()
def contact_message_send(*, submission_id: int) -> None:
    """E-mail a contact message to its service.

    Idempotent and safe to run concurrently: the row is claimed (``sent_at`` set) before
    the message leaves, so a message is sent once; if the mail server refuses, the claim is
    released and ``send_pending_contact_messages`` tries again later.
    """
    from .models import ContactSubmission

    claimed_at = timezone.now()
    claimed = ContactSubmission.objects.filter(pk=submission_id, sent_at__isnull=True).update(
        sent_at=claimed_at
    )
    if not claimed:
        return
    submission = ContactSubmission.objects.get(pk=submission_id)
    context = {"submission": submission}
    subject = render_to_string("cms/email/contact_message.subject.txt", context).strip()
    body = render_to_string("cms/email/contact_message.txt", context)
    try:
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[submission.recipient_email],
            reply_to=[submission.email],
        ).send()
    except Exception:
        ContactSubmission.objects.filter(pk=submission_id, sent_at=claimed_at).update(sent_at=None)
        raise
