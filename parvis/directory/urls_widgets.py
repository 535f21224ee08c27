"""Embeddable widgets (``/widgets/``), framed by other sites."""

from django.urls import path

from . import views

app_name = "directory_widgets"
urlpatterns = [
    path("lieux/<slug:slug>/", views.place_widget, name="place"),
]
