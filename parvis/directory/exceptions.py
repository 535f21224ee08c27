"""Domain errors of the directory; views turn them into form errors, never into a 500."""

from django.utils.translation import gettext_lazy as _


class DirectoryError(Exception):
    """Base of the directory's errors; ``message`` is translated and shown to the user."""

    default_message = _("L'opération n'a pas pu être faite.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))


class PlaceInvalid(DirectoryError):
    """A place's values break a rule; ``errors`` maps field names to translated messages."""

    default_message = _("La fiche contient des erreurs.")

    def __init__(self, message=None, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message, field=field)
        self.errors = errors or ({field: [self.message]} if field else {})


class DuplicateIdentifier(PlaceInvalid):
    """The SIRET, RNA or reference already belongs to another place."""

    default_message = _("Cet identifiant est déjà celui d'une autre fiche.")


class ImportFileError(DirectoryError):
    """The uploaded file cannot be read at all: nothing is imported."""

    default_message = _("Le fichier ne peut pas être lu.")


class ImportRejected(DirectoryError):
    """The file has rows in error and the agent did not choose to skip them."""

    default_message = _(
        "Le fichier contient des lignes en erreur : rien n'a été importé. Corrigez-les ou "
        "cochez « ignorer les lignes en erreur »."
    )


class VerificationLinkInvalid(DirectoryError):
    """The link of a verification request was altered or is not one of ours."""

    status = 400
    default_message = _("Ce lien de vérification n'est pas valide. Vérifiez qu'il est complet.")


class VerificationLinkExpired(VerificationLinkInvalid):
    """The link is older than its validity, or the entry changed since it was sent."""

    status = 410
    default_message = _(
        "Ce lien de vérification a expiré ou a déjà servi. La mairie peut vous en envoyer un "
        "nouveau."
    )


class VerificationNoRecipient(DirectoryError):
    default_message = _(
        "Cette fiche n'a aucune adresse e-mail : impossible de demander une vérification."
    )


class GeocodingUnavailable(DirectoryError):
    """The address service cannot be reached or answered with an error."""

    default_message = _("Le service d'adresses ne répond pas : placez le point sur la carte.")
