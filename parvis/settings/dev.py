"""Local development: ``make run``. Never use in production."""

from . import env
from .base import *  # noqa: F403

DEBUG = env.get_bool("DJANGO_DEBUG", True)
SECRET_KEY = env.SECRET_KEY or "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop"
EMAIL_BACKEND = env.EMAIL_BACKEND or "django.core.mail.backends.console.EmailBackend"
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The demo régie pays through the development simulator (no money moves).
PARVIS_PAYMENTS_ALLOW_DUMMY = env.get_bool("PARVIS_PAYMENTS_ALLOW_DUMMY", True)
