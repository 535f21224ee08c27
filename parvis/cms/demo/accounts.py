"""The demo accounts: fictional people at example.org, one shared password, and a second
factor derived from the address so that every demo install gives the same codes.

These secrets are public by design. ``is_demo_account`` is the guard every command that
prints them must pass: a demo address *and* the demo key, never a real account's secret.
"""

from __future__ import annotations

import hashlib
from base64 import b32encode
from dataclasses import dataclass

DEMO_DOMAIN = "example.org"
DEMO_PASSWORD = "Greasque-Demo-2026!"
DEMO_DEVICE_NAME = "Application d'authentification (démo)"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    groups: tuple[str, ...] = ()
    superuser: bool = False

    @property
    def is_staff(self) -> bool:
        return self.superuser or bool(self.groups)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "admin@example.org", "Alex", "Admin", "Administrateur (tous les droits)", superuser=True
    ),
    DemoAccount(
        "communication@example.org",
        "Claire",
        "Fabre",
        "Service communication (publie tout)",
        groups=("Communication",),
    ),
    DemoAccount(
        "redaction.enfance@example.org",
        "Julien",
        "Roux",
        "Rédacteur du service Enfance-jeunesse (soumet à validation)",
        groups=("Rédacteur de service", "Section Enfance-jeunesse"),
    ),
    DemoAccount("accueil@example.org", "Nadia", "Benali", "Agent d'accueil", groups=("Accueil",)),
    DemoAccount(
        "regie@example.org",
        "Sophie",
        "Marchetti",
        "Régisseuse (factures, remboursements, rapprochement)",
        groups=("Régie",),
    ),
    DemoAccount("elu@example.org", "Pierre", "Giraud", "Élu (consultation)", groups=("Élus",)),
    DemoAccount("camille.martin@example.org", "Camille", "Martin", "Habitante (espace citoyen)"),
)

DEMO_EMAILS = frozenset(account.email for account in DEMO_ACCOUNTS)


def demo_account(email: str) -> DemoAccount | None:
    email = (email or "").strip().lower()
    return next((a for a in DEMO_ACCOUNTS if a.email == email), None)


def demo_totp_key(email: str) -> str:
    """The 20-byte TOTP key of a demo account, hex-encoded (``TOTPDevice.key``)."""
    return hashlib.sha256(f"parvis-demo-totp:{email.lower()}".encode()).hexdigest()[:40]


def base32_secret(hex_key: str) -> str:
    """The secret as an authenticator app wants it typed: base32, in groups of four."""
    secret = b32encode(bytes.fromhex(hex_key)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def is_demo_account(user, device=None) -> bool:
    """True only for a listed demo address at example.org whose device holds the demo key."""
    email = (getattr(user, "email", "") or "").lower()
    if not email.endswith("@" + DEMO_DOMAIN) or email not in DEMO_EMAILS:
        return False
    return device is None or device.key == demo_totp_key(email)
