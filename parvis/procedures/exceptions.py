"""Domain errors of procedures, with translated messages; views show them next to the
field concerned (``errors``) or at the top of the form, never as a 500."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ProcedureError(Exception):
    default_message = _("L'opération n'a pas pu être faite.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class SubmissionInvalid(ProcedureError):
    """``errors`` maps a field key (or ``"__all__"``) to a list of translated messages."""

    default_message = _("Certaines réponses sont à corriger.")

    def __init__(self, errors: dict[str, list[str]], message=None):
        self.errors = errors
        super().__init__(message)


class UploadRefused(ProcedureError):
    default_message = _("Ce fichier ne peut pas être accepté.")


class TransitionNotAllowed(ProcedureError):
    default_message = _("Ce changement d'état n'est pas possible.")


class ReasonRequired(ProcedureError):
    default_message = _("Indiquez le motif : il sera communiqué au demandeur.")


class DefinitionInvalid(ProcedureError):
    """The procedure's form cannot be published (duplicate keys, unknown condition…)."""

    default_message = _("Le formulaire contient des erreurs.")

    def __init__(self, problems: list[str], message=None):
        self.problems = problems
        super().__init__(message)


class NotPublished(ProcedureError):
    default_message = _("Cette démarche n'est pas ouverte en ligne.")
