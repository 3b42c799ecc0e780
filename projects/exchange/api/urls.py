"""/api/v1/ routes of the data exchange: import jobs, exports and export jobs."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from projects.exchange.api import views

router = SimpleRouter()
router.register("imports", views.ImportJobViewSet, basename="import")
router.register("exports/jobs", views.ExportJobViewSet, basename="export-job")

urlpatterns = [
    path("exports/iati/", views.IatiExportView.as_view(), name="export-iati"),
    path("exports/3w/", views.ThreeWExportView.as_view(), name="export-3w"),
    path("", include(router.urls)),
]
