"""Public URLs of the directory under ``/annuaire/``."""

from django.urls import include, path

from . import urls_account, urls_public, urls_verify

app_name = "directory"
urlpatterns = [
    path("mon-association/", include(urls_account)),
    path("verification/", include(urls_verify)),
    path("", include(urls_public)),
]
