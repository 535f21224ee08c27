"""Domain errors of payments; views turn them into messages next to the form, never a 500."""

from django.utils.translation import gettext_lazy as _


class PaymentError(Exception):
    """Base of the payments errors; ``message`` is translated and shown to the user."""

    default_message = _("Le paiement n'a pas pu être fait.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))


class ProviderUnavailable(PaymentError):
    """The provider did not answer (down, timeout, technical fault). Nothing was paid."""

    default_message = _(
        "Le service de paiement ne répond pas pour le moment. Aucun paiement n'a été "
        "effectué et vos factures restent à payer : réessayez dans quelques minutes."
    )


class ProviderRefused(PaymentError):
    """The provider refused the request (functional error: bad amount, unknown client…)."""

    default_message = _("Le service de paiement a refusé la demande.")


class AmountOutOfRange(PaymentError):
    default_message = _("Ce montant ne peut pas être payé en ligne.")


class InvalidTransition(PaymentError):
    default_message = _("Ce paiement n'est plus dans un état qui permet cette opération.")


class NotificationRejected(PaymentError):
    """An unknown, forged or unreadable notification; it changes nothing and is logged."""

    default_message = _("Notification refusée.")


class InvoiceNotPayable(PaymentError):
    default_message = _("Cette facture ne peut pas être payée en ligne.")


class RefundTooLarge(PaymentError):
    default_message = _("Le remboursement dépasse le montant payé restant.")


class BackendNotAllowed(PaymentError):
    default_message = _("Ce moyen de paiement n'est pas disponible.")


class InvoiceNotEditable(PaymentError):
    """The invoice's state forbids the change (paid, cancelled, payment in progress)."""

    default_message = _("Cette facture ne peut plus être modifiée.")
