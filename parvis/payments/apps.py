from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "parvis.payments"
    label = "payments"
    verbose_name = _("Paiements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from parvis.accounts import space

        from . import (
            retention,  # noqa: F401  (registers the RGPD source)
            selectors,
            signals,
        )
        from .models import InvoiceSettlement
        from .services import invoices

        signals.payment_paid.connect(
            invoices.on_payment_paid, sender=InvoiceSettlement, dispatch_uid="invoices_paid"
        )
        signals.payment_released.connect(
            invoices.on_payment_released,
            sender=InvoiceSettlement,
            dispatch_uid="invoices_released",
        )
        space.register(
            space.Section(
                key="payments",
                title=_("Mes factures et paiements"),
                template="payments/space_section.html",
                context=lambda request: selectors.space_summary(request.user),
                order=30,
            )
        )
