"""Webhooks of the e-mail service provider under ``/lettre/webhooks/``.

``anymail/`` mounts django-anymail's webhook views (e.g. ``anymail/brevo/tracking/``),
protected by HTTP basic auth with ``ANYMAIL["WEBHOOK_SECRET"]``. Importing this module
connects the tracking receiver (:mod:`parvis.newsletter.signals`).
"""

from django.urls import include, path

from . import signals  # noqa: F401 - connects the anymail tracking receiver

urlpatterns = [path("anymail/", include("anymail.urls"))]
