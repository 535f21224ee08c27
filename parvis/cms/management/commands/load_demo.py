"""``manage.py load_demo``: build the Gréasque demo site. Idempotent: run it as often as
you like; it creates what is missing and changes nothing that exists."""

import io
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from parvis.cms.demo.loader import DemoLoader


class Command(BaseCommand):
    help = (
        "Charge le site de démonstration de Gréasque : pages, images, documents, actes, "
        "comptes de démonstration. Peut être relancée sans créer de doublons."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Charger la démonstration même avec les réglages de production.",
        )

    def handle(self, *args, **options):
        production = str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production")
        if production and not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Réglages de production : la démonstration crée des comptes au mot de passe "
                "public. Relancez avec --force si c'est bien une instance de démonstration."
            )
        started = time.monotonic()
        created = DemoLoader().run()
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        call_command("update_index", **quiet)
        call_command("rebuild_references_index", **quiet)
        elapsed = time.monotonic() - started

        from django.contrib.auth import get_user_model
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Page

        from parvis.cms.models import Act

        totals = {
            "pages": Page.objects.filter(depth__gt=1).count(),
            "images": get_image_model().objects.count(),
            "documents": get_document_model().objects.count(),
            "actes": Act.objects.count(),
            "comptes": get_user_model().objects.count(),
        }
        summary = ", ".join(f"{count} {name}" for name, count in totals.items())
        made = sum(created.values())
        self.stdout.write(
            self.style.SUCCESS(f"Démonstration de Gréasque prête en {elapsed:.1f} s : {summary}.")
        )
        if made:
            detail = ", ".join(f"{name} : {count}" for name, count in sorted(created.items()))
            self.stdout.write(f"Créés lors de ce passage : {detail}.")
        else:
            self.stdout.write("Rien à créer : la démonstration était déjà complète.")
        self.stdout.write("Comptes et second facteur : python manage.py demo_logins")
