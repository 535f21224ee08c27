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
