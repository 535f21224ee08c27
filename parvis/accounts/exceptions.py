"""Domain errors of accounts; views turn them into messages or form errors, never a 500."""

from django.utils.translation import gettext_lazy as _


class AccountsError(Exception):
    """Base of the accounts errors; ``message`` is translated and shown to the person."""

    default_message = _("L'opération n'a pas pu être faite.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class VerificationLinkInvalid(AccountsError):
    default_message = _(
        "Ce lien de vérification n'est pas valide. Copiez-le en entier depuis l'e-mail reçu, "
        "ou demandez un nouveau lien."
    )


class VerificationLinkExpired(AccountsError):
    default_message = _(
        "Ce lien de vérification a expiré (il est valable 3 jours). Demandez un nouveau lien."
    )


class TooManyAttempts(AccountsError):
    default_message = _(
        "Trop de demandes depuis votre connexion. Réessayez dans une heure ou contactez la mairie."
    )
