"""How long an SMS is: GSM-7 or UCS-2, and how many segments it costs.

Contract of :func:`segments`:

- a text made only of characters of the GSM 03.38 default alphabet and its extension
  table is sent in GSM-7: 160 septets in one SMS, 153 per segment once concatenated;
  an extension character (``^ { } \\ [ ~ ] | €`` and form feed) costs 2 septets and is
  never split across two segments;
- any other character (``ê``, ``ç``, ``œ``, ``’``, an emoji…) switches the whole message
  to UCS-2: 70 UTF-16 code units in one SMS, 67 per segment; a character outside the
  Basic Multilingual Plane (most emoji) costs 2 code units and is never split;
- the empty text costs 0 segments.

The quota (:mod:`parvis.newsletter.sms.quota`) is counted in these segments.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 default alphabet (the escape 0x1B is left out: it is not a character).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each of these is sent as escape + character, 2 septets.
GSM_EXTENDED = frozenset("\f^{}\\[~]|€")

SINGLE = {GSM7: 160, UCS2: 70}
CONCATENATED = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class SmsCount:
    """Size of one SMS text.

    ``length`` is in septets (GSM-7) or UTF-16 code units (UCS-2); ``per_segment`` is
    the capacity of one segment for this text (160/153 or 70/67); ``remaining`` is what
    may still be typed before the text costs one more segment.
    """

    encoding: str
    segments: int
    length: int
    per_segment: int
    remaining: int

    @property
    def chars(self) -> int:
        return self.length

    @property
    def is_unicode(self) -> bool:
        return self.encoding == UCS2


def is_gsm7(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENDED for char in text)


def non_gsm_characters(text: str) -> list[str]:
    """The distinct characters that force UCS-2, in order of appearance."""
    seen: list[str] = []
    for char in text:
        if char not in GSM_BASIC and char not in GSM_EXTENDED and char not in seen:
            seen.append(char)
    return seen


def _units(text: str, encoding: str) -> list[int]:
    """Cost of each character, in septets or UTF-16 code units."""
    if encoding == GSM7:
        return [2 if char in GSM_EXTENDED else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def segments(text: str) -> SmsCount:
    """Count the segments of ``text`` (see the module contract)."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    units = _units(text, encoding)
    length = sum(units)
    single = SINGLE[encoding]
    if length <= single:
        count = 1 if length else 0
        return SmsCount(encoding, count, length, single, single - length)
    per_segment = CONCATENATED[encoding]
    count, filled = 1, 0
    for cost in units:
        if filled + cost > per_segment:  # a 2-unit character is never split
            count += 1
            filled = 0
        filled += cost
    return SmsCount(encoding, count, length, per_segment, per_segment - filled)


# Replacements proposed to keep a French text in GSM-7 (one segment holds 160 characters
# instead of 70). Characters of the GSM basic set (é è ù ì ò à Ç É…) are kept as they are.
_FRENCH_REPLACEMENTS = {
    "ê": "e",
    "ë": "e",
    "â": "a",
    "î": "i",
    "ï": "i",
    "ô": "o",
    "û": "u",
    "ç": "c",
    "ÿ": "y",
    "À": "A",
    "Â": "A",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "Î": "I",
    "Ï": "I",
    "Ô": "O",
    "Ù": "U",
    "Û": "U",
    "Ÿ": "Y",
    "œ": "oe",
    "Œ": "OE",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "…": "...",
    "–": "-",
    "—": "-",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space (before « ; : ! ? » in French typography)
    "\t": " ",
}


def to_gsm_safe(text: str) -> str:
    """Return ``text`` with common French characters outside GSM-7 replaced.

    Characters that have no sensible replacement (emoji…) are left as they are, so the
    result may still be UCS-2; the caller shows it as a suggestion, never applies it
    silently.
    """
    out = []
    for char in text:
        if char in GSM_BASIC or char in GSM_EXTENDED:
            out.append(char)
        elif char in _FRENCH_REPLACEMENTS:
            out.append(_FRENCH_REPLACEMENTS[char])
        else:
            stripped = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(stripped if stripped and is_gsm7(stripped) else char)
    return "".join(out)
