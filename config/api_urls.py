"""The REST API, version 1 (/api/v1/)."""

from django.urls import include, path

app_name = "api"
urlpatterns = [
    path("", include("coordination.api.urls")),
    path("", include("municipalities.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("projects.reporting.api.urls")),
    path("", include("projects.exchange.api.urls")),
]
