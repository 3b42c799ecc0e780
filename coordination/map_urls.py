"""The map of municipalities and its JSON answers (mounted at /municipalities/map/, before the municipality
file's /municipalities/<slug>/)."""

from django.urls import path

from coordination.views import map as views

urlpatterns = [
    path("", views.municipality_map, name="municipality_map"),
    path("layer.geojson", views.municipalities_geojson, name="municipalities_geojson"),
    path("figures.json", views.map_figures_json, name="map_figures"),
    path("sites.geojson", views.map_sites_geojson, name="map_sites"),
    path("duplicates.geojson", views.map_duplicates_geojson, name="map_duplicates"),
]
