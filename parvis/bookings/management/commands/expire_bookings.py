from django.core.management.base import BaseCommand

from parvis.bookings.services import bookings_expire


class Command(BaseCommand):
    help = (
        "Expire unpaid holds and untaken offers, and offer freed places to the waiting "
        "list (run every minute)."
    )

    def handle(self, *args, **options):
        counts = bookings_expire()
        self.stdout.write(
            "holds expired: {holds}, offers lapsed: {offers_lapsed}, "
            "offers made: {offers_made}".format(**counts)
        )
