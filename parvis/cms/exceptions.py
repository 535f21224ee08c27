from django.utils.translation import gettext_lazy as _


class CmsError(Exception):
    message = _("L'opération n'a pas pu être réalisée.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))
        self.message = message or self.message


class ActLocked(CmsError):
    message = _(
        "Cet acte est publié : il ne peut plus être modifié ni supprimé. "
        "Publiez un acte rectificatif qui le corrige."
    )


class ActNotPublishable(CmsError):
    message = _("Un acte ne peut être publié qu'avec son PDF signé.")


class TooManyMessages(CmsError):
    message = _("Trop de messages envoyés depuis votre connexion. Réessayez dans une heure.")
