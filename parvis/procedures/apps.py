from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "parvis.procedures"
    label = "procedures"
    verbose_name = _("Démarches en ligne")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Personal-space section, RGPD source and payment receivers are connected here
        # as the modules land.
        pass
