"""SMS webhooks under ``/lettre/sms/``."""

from django.urls import path

from . import views_sms

urlpatterns = [
    path("entrant/<slug:backend>/", views_sms.sms_inbound, name="sms_inbound"),
]
