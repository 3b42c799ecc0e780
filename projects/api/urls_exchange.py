"""/api/v1/ routes of the data exchange: import jobs and exports."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import exchange

router = SimpleRouter()
router.register("imports", exchange.ImportJobViewSet, basename="import")

urlpatterns = [
    path("exports/iati/", exchange.IatiExportView.as_view(), name="export-iati"),
    path("exports/3w/", exchange.ThreeWExportView.as_view(), name="export-3w"),
    path("", include(router.urls)),
]
