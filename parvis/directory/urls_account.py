"""Self-service of associations and businesses, under ``/annuaire/mon-association/``."""

from django.urls import path

from . import views_account

urlpatterns = [
    path("", views_account.account_home, name="account_home"),
    path("proposer/", views_account.propose, name="account_propose"),
    path("revendiquer/<slug:slug>/", views_account.claim, name="account_claim"),
    path("fiches/<slug:slug>/modifier/", views_account.edit, name="account_edit"),
]
