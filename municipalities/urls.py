from django.urls import path

from municipalities import views

urlpatterns = [
    path("map/", views.municipality_map, name="municipality_map"),
    path("map/layer.geojson", views.municipalities_geojson, name="municipalities_geojson"),
]
