"""Settings of the ``send_outbox`` worker subprocess started by the outbox tests: the test
settings, with real SMTP to the test's aiosmtpd server (port in ``PARVIS_TEST_SMTP_PORT``)
and the database named by ``SQLITE_PATH`` / ``DATABASE_URL`` (the test database)."""

import os

from parvis.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("PARVIS_TEST_SMTP_PORT", "25"))
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
# The benchmark sets the rate limit of the worker it measures.
PARVIS_NEWSLETTER_EMAIL_RATE = int(os.environ.get("PARVIS_BENCH_EMAIL_RATE", "0"))
if os.environ.get("PARVIS_BENCH"):  # the benchmark enqueues; its worker process sends
    TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
