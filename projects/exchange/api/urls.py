"""/api/v1/ routes of the data exchange: import jobs and exports."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from projects.exchange.api import views

router = SimpleRouter()
router.register("imports", views.ImportJobViewSet, basename="import")

urlpatterns = [
    path("exports/iati/", views.IatiExportView.as_view(), name="export-iati"),
    path("exports/3w/", views.ThreeWExportView.as_view(), name="export-3w"),
    path("", include(router.urls)),
]
