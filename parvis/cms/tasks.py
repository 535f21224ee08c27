from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task


@task()
def contact_message_send(*, submission_id: int) -> None:
    """E-mail a contact message to its service. Idempotent: a sent message is not resent."""
    from .models import ContactSubmission

    submission = ContactSubmission.objects.filter(pk=submission_id, sent_at__isnull=True).first()
    if submission is None:
        return
    context = {"submission": submission}
    subject = render_to_string("cms/email/contact_message.subject.txt", context).strip()
    body = render_to_string("cms/email/contact_message.txt", context)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[submission.recipient_email],
        reply_to=[submission.email],
    ).send()
    ContactSubmission.objects.filter(pk=submission.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
