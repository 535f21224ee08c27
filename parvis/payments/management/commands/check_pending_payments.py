from django.core.management.base import BaseCommand

from parvis.payments.services import payments_check_pending


class Command(BaseCommand):
    help = (
        "Ask the providers for the state of every open payment; expire those that can no "
        "longer settle (their invoices become payable again). Run every 5 to 15 minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        counts = payments_check_pending(limit=limit)
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
        self.stdout.write(f"{sum(counts.values())} paiement(s) vérifié(s) {summary}".strip())
