"""Routes of the geography's own pages: the gazetteer's report of unresolved place names. The map of
municipalities spans projects and flags, so it is the committee's: coordination.map_urls, mounted at
/municipalities/map/ by config.urls."""

from django.urls import path

from municipalities import views

urlpatterns = [
    path("places/unresolved/", views.unresolved_place_list, name="unresolved_place_list"),
    path("places/unresolved/<int:pk>/resolve/", views.unresolved_place_resolve_view, name="unresolved_place_resolve"),
]
