"""The one place where settings are read from the environment.

Every setting that an operator may change is listed in ``.env.example`` and read here;
the settings modules never call ``os.environ`` themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _load_dotenv(path: Path) -> None:
    """Read ``KEY=value`` lines of a ``.env`` file; the real environment wins."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip().strip('"').strip("'")
        os.environ.setdefault(key.strip(), value)


_load_dotenv(BASE_DIR / ".env")


def get(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def get_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def get_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def get_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = get("DJANGO_SECRET_KEY")
DEBUG = get_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = get_list("CSRF_TRUSTED_ORIGINS")
DATABASE_URL = get("DATABASE_URL")
REDIS_URL = get("REDIS_URL")
SQLITE_PATH = get("SQLITE_PATH", str(BASE_DIR / "var" / "parvis.sqlite3"))
MEDIA_ROOT = get("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
# Attachments of online procedures: never under MEDIA_ROOT, never served directly.
PRIVATE_MEDIA_ROOT = get("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private"))
STATIC_ROOT = get("STATIC_ROOT", str(BASE_DIR / "var" / "static"))
SITE_URL = get("PARVIS_SITE_URL", "http://127.0.0.1:8000")
TASKS_BACKEND = get("PARVIS_TASKS_BACKEND", "database")  # database | immediate | rq

EMAIL_URL = get("EMAIL_URL")  # smtp://user:password@host:587?tls=1, console://, file:///path
EMAIL_HOST = get("EMAIL_HOST", "localhost")
EMAIL_PORT = get_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = get("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = get("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = get_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = get_bool("EMAIL_USE_SSL", False)
EMAIL_BACKEND = get("EMAIL_BACKEND")
DEFAULT_FROM_EMAIL = get("DEFAULT_FROM_EMAIL", "Mairie <mairie@example.org>")
SERVER_EMAIL = get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = get_list("ADMINS")

PAGE_CACHE_SECONDS = get_int("PARVIS_PAGE_CACHE_SECONDS", 60)
PAGE_CACHE_DIR = get("PARVIS_PAGE_CACHE_DIR", str(BASE_DIR / "var" / "cache" / "pages"))
SECURE_SSL_REDIRECT = get_bool("SECURE_SSL_REDIRECT", True)
LOG_LEVEL = get("LOG_LEVEL", "INFO")

MAP_TILE_URL = get("PARVIS_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = get("PARVIS_MAP_TILE_ATTRIBUTION") or (
    '© <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>'
)
GEOCODER = get("PARVIS_GEOCODER", "parvis.directory.geocoding.BanGeocoder")
GEOCODER_URL = get("PARVIS_GEOCODER_URL", "https://api-adresse.data.gouv.fr")
SCHOOL_ZONE = get("PARVIS_SCHOOL_ZONE", "B")
# SIRET of the commune (open-data files); Gréasque's by default: SIREN 211300462 (the
# commune rule 21 + INSEE 13046 + Luhn key) and NIC 00010 of the town hall.
COMMUNE_SIRET = get("PARVIS_COMMUNE_SIRET", "21130046200010")

# --- Payments -------------------------------------------------------------------------------
# Provider class (dotted path); each régie names its eopayment backend in the admin.
PAYMENTS_PROVIDER = get("PARVIS_PAYMENTS_PROVIDER", "parvis.payments.providers.EopaymentProvider")


def _get_json(name: str, default: str):
    import json

    return json.loads(get(name, default) or default)


# Secret options of eopayment backends per régie code, as JSON:
# {"cantine": {"secret_test": "…", "site_id": "…"}} (PayFiP needs none: numcli is in the admin)
PAYMENTS_BACKEND_OPTIONS = _get_json("PARVIS_PAYMENTS_BACKEND_OPTIONS", "{}")
PAYMENTS_PAYFIP_SAISIE = get("PARVIS_PAYMENTS_PAYFIP_SAISIE", "T")  # T test, X activation, W prod
PAYMENTS_PAYFIP_WSDL_URL = get("PARVIS_PAYMENTS_PAYFIP_WSDL_URL")  # empty: eopayment's copy
PAYMENTS_PAYFIP_SERVICE_URL = get("PARVIS_PAYMENTS_PAYFIP_SERVICE_URL")  # empty: the DGFiP
PAYMENTS_PROVIDER_TIMEOUT = get_int("PARVIS_PAYMENTS_PROVIDER_TIMEOUT", 15)
PAYMENTS_PENDING_EXPIRY_MINUTES = get_int("PARVIS_PAYMENTS_PENDING_EXPIRY_MINUTES", 130)
# The development simulator (« dummy » backend) takes no money: never allow it in production.
PAYMENTS_ALLOW_DUMMY = get_bool("PARVIS_PAYMENTS_ALLOW_DUMMY", DEBUG)

# --- Newsletters and SMS --------------------------------------------------------------------
SMS_BACKEND = get("PARVIS_SMS_BACKEND", "parvis.newsletter.sms.backends.ConsoleBackend")
SMS_SENDER = get("PARVIS_SMS_SENDER", "MAIRIE")
SMS_PROVIDER_URL = get("PARVIS_SMS_PROVIDER_URL")
SMS_PROVIDER_KEY = get("PARVIS_SMS_PROVIDER_KEY")
SMS_PROVIDER_SECRET = get("PARVIS_SMS_PROVIDER_SECRET")
SMS_MONTHLY_QUOTA = get_int("PARVIS_SMS_MONTHLY_QUOTA", 500)
SMS_MAX_SEGMENTS = get_int("PARVIS_SMS_MAX_SEGMENTS", 3)
SMS_RATE = get_int("PARVIS_SMS_RATE", 5)
NEWSLETTER_FROM_EMAIL = get("PARVIS_NEWSLETTER_FROM_EMAIL") or DEFAULT_FROM_EMAIL
NEWSLETTER_REPLY_TO = get("PARVIS_NEWSLETTER_REPLY_TO")
NEWSLETTER_EMAIL_RATE = get_int("PARVIS_NEWSLETTER_EMAIL_RATE", 20)
SMS_PROVIDER_TIMEOUT = get_int("PARVIS_SMS_PROVIDER_TIMEOUT", 10)
SMS_FILE_PATH = get("PARVIS_SMS_FILE_PATH")
SMS_OVH_CONSUMER_KEY = get("PARVIS_SMS_OVH_CONSUMER_KEY")
SMS_OVH_SERVICE = get("PARVIS_SMS_OVH_SERVICE")
SMS_INBOUND_SECRET = get("PARVIS_SMS_INBOUND_SECRET")
SMS_STOP_NUMBER = get("PARVIS_SMS_STOP_NUMBER")
SMS_QUIET_HOURS = get("PARVIS_SMS_QUIET_HOURS", "20:00-08:00")
ANYMAIL_WEBHOOK_SECRET = get("PARVIS_ANYMAIL_WEBHOOK_SECRET")  # "user:password"
