"""/api/v1/ routes of the geography app."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from municipalities.api import views

router = SimpleRouter()
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")

urlpatterns = [
    path("places/resolve/", views.PlaceResolveView.as_view(), name="place-resolve"),
    path("", include(router.urls)),
]
