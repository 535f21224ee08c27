import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from parvis.cms.models import ContactSubmission
from parvis.cms.tasks import contact_message_send


class Command(BaseCommand):
    help = (
        "Send again the contact messages that could not be e-mailed (mail server down). "
        "Safe to run often: a message is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=5, help="minutes (default 5)")

    def handle(self, *args, older_than, **options):
        limit = timezone.now() - dt.timedelta(minutes=older_than)
        pending = ContactSubmission.objects.filter(sent_at__isnull=True, created_at__lt=limit)
        count = 0
        for pk in pending.values_list("pk", flat=True):
            contact_message_send.enqueue(submission_id=pk)
            count += 1
        self.stdout.write(f"{count} message(s) remis en file d'envoi")
