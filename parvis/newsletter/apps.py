from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "parvis.newsletter"
    label = "newsletter"
    verbose_name = _("Lettres d'information et SMS")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from parvis.accounts import space

        from . import (  # noqa: F401  (admin import URL, RGPD source, bounce receiver)
            admin_import,
            retention,
            signals,
        )
        from .services.consents import space_summary

        space.register(
            space.Section(
                key="newsletter",
                title=_("Mes abonnements"),
                template="newsletter/public/space_section.html",
                context=space_summary,
                order=40,
            )
        )
