from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "parvis.bookings"
    label = "bookings"
    verbose_name = _("Réservations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Signal receivers (payments), personal-space section, RGPD source and the
        # newsletter audience source are connected here as the modules land.
        pass
