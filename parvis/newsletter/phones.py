"""French mobile numbers, stored in E.164 (``+336…`` / ``+337…``).

Accepted input: ``06 12 34 56 78``, ``06.12.34.56.78``, ``0612345678``, ``+33 6 12 34 56 78``,
``0033612345678``, ``+33 (0)6 12 34 56 78``. Anything else raises a ValidationError whose
message tells the person what to type.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s.\-/()]")
_E164_MOBILE = re.compile(r"^\+33[67]\d{8}$")


def normalise_phone(raw: str) -> str:
    """The E.164 form of a French mobile number; ValidationError (French) otherwise."""
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("Saisissez un numéro de mobile."), code="required")
    compact = _SEPARATORS.sub("", value.replace("(0)", ""))
    if compact.startswith("0033"):
        compact = "+33" + compact[4:]
    elif compact.startswith("33") and len(compact) == 11:
        compact = "+" + compact
    elif compact.startswith("0") and len(compact) == 10:
        compact = "+33" + compact[1:]
    if not re.fullmatch(r"\+?\d+", compact):
        raise ValidationError(
            _("Le numéro ne doit contenir que des chiffres, par exemple 06 12 34 56 78."),
            code="invalid",
        )
    if compact.startswith("+33") and len(compact) == 12 and not _E164_MOBILE.match(compact):
        raise ValidationError(
            _(
                "Ce numéro n'est pas un mobile : seuls les numéros commençant par 06 ou 07 "
                "peuvent recevoir des SMS."
            ),
            code="not_mobile",
        )
    if not _E164_MOBILE.match(compact):
        raise ValidationError(
            _("Numéro de mobile invalide : saisissez 10 chiffres, par exemple 06 12 34 56 78."),
            code="invalid",
        )
    return compact


def is_mobile(raw: str) -> bool:
    """True when ``raw`` is a French mobile number in any accepted spelling."""
    try:
        normalise_phone(raw)
    except ValidationError:
        return False
    return True


def display_phone(e164: str) -> str:
    """``+33612345678`` → ``06 12 34 56 78`` (other values returned unchanged)."""
    if e164 and _E164_MOBILE.match(e164):
        national = "0" + e164[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return e164 or ""
