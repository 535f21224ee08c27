import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parvis.payments.models import Regie
from parvis.payments.reconciliation import reconciliation_csv


class Command(BaseCommand):
    help = (
        "Daily reconciliation for the régisseur: CSV of the payments paid on a day "
        "(Europe/Paris) with refdet, idop, amount and receipt. Default: yesterday."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="AAAA-MM-JJ (défaut : hier)")
        parser.add_argument("--regie", help="code de la régie (défaut : toutes)")
        parser.add_argument("--output", help="fichier (défaut : sortie standard)")

    def handle(self, *args, date=None, regie=None, output=None, **options):
        try:
            day = (
                dt.date.fromisoformat(date) if date else timezone.localdate() - dt.timedelta(days=1)
            )
        except ValueError as error:
            raise CommandError("--date attend une date AAAA-MM-JJ") from error
        regie_obj = None
        if regie:
            regie_obj = Regie.objects.filter(code=regie).first()
            if regie_obj is None:
                raise CommandError(f"Régie inconnue : {regie}")
        text = reconciliation_csv(day=day, regie=regie_obj)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:
            (self.stdout if self.stdout else sys.stdout).write(text, ending="")
