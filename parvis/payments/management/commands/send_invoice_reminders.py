from django.core.management.base import BaseCommand

from parvis.payments.services import invoices_send_reminders


class Command(BaseCommand):
    help = "E-mail a reminder for open invoices due soon (once per invoice). Run daily."

    def handle(self, *args, **options):
        count = invoices_send_reminders()
        self.stdout.write(f"{count} rappel(s) mis en file d'envoi")
