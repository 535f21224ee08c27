from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "parvis.procedures"
    label = "procedures"
    verbose_name = _("Démarches en ligne")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from parvis.payments import signals as payment_signals

        from . import retention  # noqa: F401  (registers the RGPD source)
        from .models import Request
        from .services import requests

        payment_signals.payment_paid.connect(
            requests.on_payment_paid, sender=Request, dispatch_uid="procedures_request_paid"
        )
        payment_signals.payment_released.connect(
            requests.on_payment_released,
            sender=Request,
            dispatch_uid="procedures_request_released",
        )
        # Personal-space section (« Mes démarches »): registered below.
        from .space import register_space_section

        register_space_section()
