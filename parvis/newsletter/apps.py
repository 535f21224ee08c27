from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "parvis.newsletter"
    label = "newsletter"
    verbose_name = _("Lettres d'information et SMS")
    default_auto_field = "django.db.models.BigAutoField"
