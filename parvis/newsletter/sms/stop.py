"""The STOP mention and the reading of STOP replies."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

# A reply that is one of these (accents, case, spaces and punctuation ignored) stops the
# SMS channel of its sender.
STOP_KEYWORDS = frozenset(
    {
        "STOP",
        "STOPSMS",
        "STOPP",
        "ARRET",
        "ARRETSMS",
        "ARRETER",
        "DESABONNER",
        "DESABONNEMENT",
        "DESINSCRIPTION",
        "DESINSCRIRE",
        "UNSUBSCRIBE",
    }
)


def _letters(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    return re.findall(r"[A-Z0-9]+", plain)


def is_stop_request(text: str) -> bool:
    """True for « STOP », « stop », « Stop SMS », « S T O P », « Arrêt », « STOP. »…

    A longer message counts only when its first word is STOP or ARRET (« Stop merci »);
    a sentence that merely contains the word (« je ne veux pas que ça s'arrête ») does not.
    """
    words = _letters(text)
    if not words:
        return False
    if "".join(words) in STOP_KEYWORDS:
        return True
    return words[0] in {"STOP", "ARRET"}


def stop_mention() -> str:
    """The French mention appended to every campaign SMS.

    With a short number (``PARVIS_SMS_STOP_NUMBER``): « STOP au 36xxx »; otherwise
    « Répondez STOP pour ne plus recevoir ces SMS ». It is counted in the segments.
    """
    number = getattr(settings, "PARVIS_SMS_STOP_NUMBER", "")
    if number:
        return _("STOP au %(number)s") % {"number": number}
    return _("Répondez STOP pour ne plus recevoir ces SMS")
