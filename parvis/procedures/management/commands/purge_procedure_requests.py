from django.core.management.base import BaseCommand

from parvis.procedures.retention import requests_purge


class Command(BaseCommand):
    help = (
        "Anonymise the requests closed for longer than their procedure's retention period "
        "(run daily; also part of purge_personal_data)."
    )

    def handle(self, *args, **options):
        result = requests_purge()
        self.stdout.write(
            f"{result['requests']} demande(s) anonymisée(s), "
            f"{result['files']} fichier(s) supprimé(s)"
        )
