"""The directory's public pages (included under ``/annuaire/`` by ``urls.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.directory_index, name="index"),
    path("carte/", views.directory_map, name="map"),
    path("carte.json", views.map_json, name="map_json"),
    path("<slug:slug>/", views.place_detail, name="place"),
    path("<slug:slug>/affiche/", views.place_poster, name="poster"),
]
