"""Money formatting: integer cents shown the French way, « 1 234,50 € »."""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"

_AMOUNT_RE = re.compile(r"^\s*(\d{1,7})(?:[,.](\d{1,2}))?\s*(?:€|EUR)?\s*$", re.IGNORECASE)


def euros(cents: int) -> str:
    """``1250`` → ``"12,50 €"`` (non-breaking spaces; thousands grouped)."""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", NNBSP)
    return f"{sign}{grouped},{rest:02d}{NBSP}€"


def decimal_string(cents: int) -> str:
    """``1250`` → ``"12.50"``: the amount as eopayment expects it."""
    whole, rest = divmod(int(cents), 100)
    return f"{whole}.{rest:02d}"


def parse_euros(text: str) -> int | None:
    """``"12,50"``, ``"12.5"``, ``"12 €"`` → cents; ``None`` when it is not an amount."""
    match = _AMOUNT_RE.match((text or "").replace(NBSP, "").replace(NNBSP, "").replace(" ", ""))
    if not match:
        return None
    whole, fraction = match.groups()
    return int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
