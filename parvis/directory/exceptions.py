"""Domain errors of the directory; views turn them into form errors, never into a 500."""

from django.utils.translation import gettext_lazy as _


class DirectoryError(Exception):
    """Base of the directory's errors; ``message`` is translated and shown to the user."""

    default_message = _("L'opération n'a pas pu être faite.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))
