"""Open-data URLs under ``/opendata/``."""

from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("equipements.csv", views.equipments_csv, name="equipements_csv"),
    path("places.geojson", views.places_geojson, name="places_geojson"),
]
