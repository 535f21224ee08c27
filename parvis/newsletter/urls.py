"""Public URLs of the newsletters under ``/lettre/`` (session-free where a message links)."""

from django.urls import include, path

from . import urls_public, urls_sms, urls_webhooks

app_name = "newsletter"
urlpatterns = [
    path("sms/", include(urls_sms)),
    path("webhooks/", include(urls_webhooks)),
    path("", include(urls_public)),
]
