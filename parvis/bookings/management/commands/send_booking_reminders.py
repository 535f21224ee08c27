from django.core.management.base import BaseCommand

from parvis.bookings.services import bookings_send_reminders


class Command(BaseCommand):
    help = "E-mail (and SMS) tomorrow's confirmed bookings, once each (run hourly or daily)."

    def handle(self, *args, **options):
        sent = bookings_send_reminders()
        self.stdout.write(f"reminders sent: {sent}")
