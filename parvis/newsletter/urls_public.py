"""Public pages under ``/lettre/``: subscribe, confirm, SMS code, preferences, unsubscribe."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("", views_public.subscribe, name="subscribe"),
    path("merci/", views_public.subscribe_done, name="subscribe_done"),
    path("confirmation/<str:token>/", views_public.confirm, name="confirm"),
    path("sms/code/", views_public.sms_code, name="sms_code"),
    path("preferences/<str:token>/", views_public.preferences, name="preferences"),
    path(
        "desinscription/<str:token>/<str:channel>/",
        views_public.unsubscribe,
        name="unsubscribe",
    ),
]
