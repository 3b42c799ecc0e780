"""/api/v1/ routes of the coordination app: one module per analysis."""

from django.urls import include, path

urlpatterns = [
    path("", include("coordination.api.alignment")),
    path("", include("coordination.api.duplicates")),
    path("", include("coordination.api.gaps")),
    path("", include("coordination.api.meetings")),
    path("", include("coordination.api.government")),
]
