"""Webhooks of the e-mail service provider under ``/lettre/webhooks/``.

``anymail/`` serves django-anymail's webhook views (e.g. ``anymail/brevo/tracking/``),
protected by HTTP basic auth with ``ANYMAIL["WEBHOOK_SECRET"]``. Without a secret they
answer 404: anymail would otherwise accept unsigned calls, and a forged "bounce" could
stop a resident's subscription. Importing this module connects the tracking receiver
(:mod:`parvis.newsletter.signals`).
"""

import functools

import anymail.urls
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern, include, path

from . import signals  # noqa: F401 - connects the anymail tracking receiver


def _require_secret(view):
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET"):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


_anymail = [
    URLPattern(entry.pattern, _require_secret(entry.callback), entry.default_args, entry.name)
    for entry in anymail.urls.urlpatterns
]

urlpatterns = [path("anymail/", include((_anymail, "anymail"), namespace=None))]
