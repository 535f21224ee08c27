from django.core.management.base import BaseCommand

from parvis.core import retention


class Command(BaseCommand):
    help = "Delete personal data kept past its retention period (run daily)."

    def handle(self, *args, **options):
        for name, count in retention.purge_all().items():
            self.stdout.write(f"{name}: {count} supprimé(s)")
