from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """A password mixes at least three of: lower case, upper case, digits, symbols."""

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _(
                    "Le mot de passe doit mélanger au moins trois types de caractères : "
                    "minuscules, majuscules, chiffres, symboles."
                ),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "Votre mot de passe doit mélanger au moins trois types de caractères : "
            "minuscules, majuscules, chiffres, symboles."
        )
