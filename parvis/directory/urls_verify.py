"""Verification links sent to directory entries (``/annuaire/verification/<token>/``)."""

from django.urls import path

from . import views_verify

urlpatterns = [
    path("<str:token>/", views_verify.verify, name="verify"),
]
