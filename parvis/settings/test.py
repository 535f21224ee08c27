"""Test settings: fast hashing, in-memory mail, immediate tasks. Same database and cache
selection as every other mode, so ``DATABASE_URL``/``REDIS_URL`` run the suite on
PostgreSQL and Redis."""

from . import env
from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.get("TEST_MEDIA_ROOT", str(BASE_DIR / "var" / "test-media"))  # noqa: F405
PARVIS_PRIVATE_MEDIA_ROOT = str(BASE_DIR / "var" / "test-private")  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
if not env.REDIS_URL:
    CACHES = {  # noqa: F405
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
        },
    }
LOGGING = {  # noqa: F405
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
WHITENOISE_AUTOREFRESH = True
# Pages are indexed by `update_index` in the tests that search; saving skips it.
WAGTAILSEARCH_BACKENDS = {  # noqa: F405
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}
# Offline: no tile server, and a geocoder that answers from a fixed table.
PARVIS_MAP_TILE_URL = ""
PARVIS_GEOCODER = "parvis.directory.geocoding.FakeGeocoder"

# --- Payments -------------------------------------------------------------------------------
import os as _os  # noqa: E402

PARVIS_PAYMENTS_ALLOW_DUMMY = True
PARVIS_PAYMENTS_PAYFIP_SERVICE_URL = "http://127.0.0.1:9/payfip-unreachable"  # tests set theirs
PARVIS_PAYMENTS_PROVIDER_TIMEOUT = 2
# Concurrency tests run real threads, each with its own connection: on SQLite that needs a
# file database (an in-memory one is shared by the threads). One file per test process.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "var" / f"test-{_os.getpid()}.sqlite3")  # noqa: F405
    }
    # A throw-away database: no fsync, so that the file costs little more than memory.
    DATABASES["default"]["OPTIONS"]["init_command"] = DATABASES["default"]["OPTIONS"][  # noqa: F405
        "init_command"
    ].replace("synchronous=NORMAL", "synchronous=OFF")

# --- Newsletters and SMS --------------------------------------------------------------------
PARVIS_SMS_BACKEND = "parvis.newsletter.sms.backends.LocmemBackend"
PARVIS_NEWSLETTER_EMAIL_RATE = 0
PARVIS_NEWSLETTER_SMS_RATE = 0
