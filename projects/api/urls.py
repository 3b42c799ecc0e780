"""/api/v1/ routes of the projects app."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from projects.api import views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("updates", views.ProjectUpdateViewSet, basename="update")
router.register("review-queue", views.ReviewQueueView, basename="review-queue")
router.register("partners", views.PartnerViewSet, basename="partner")

urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    path("", include(router.urls)),
]
