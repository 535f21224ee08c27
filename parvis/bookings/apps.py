from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "parvis.bookings"
    label = "bookings"
    verbose_name = _("Réservations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from parvis.payments import signals

        from . import retention  # noqa: F401  (registers the RGPD source)
        from .models import Booking
        from .services import payment
        from .space import register_space_section

        signals.payment_paid.connect(
            payment.on_payment_paid, sender=Booking, dispatch_uid="bookings_paid"
        )
        signals.payment_released.connect(
            payment.on_payment_released, sender=Booking, dispatch_uid="bookings_released"
        )
        register_space_section()  # "Mes réservations" in the personal space
