from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import health
from coordination import views as coordination_views

urlpatterns = [
    path("", coordination_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("municipalities/", include("municipalities.urls")),
    path("coordination/", include("coordination.urls")),
    path("projects/", include("projects.urls")),
    path("reporting/", include("projects.reporting.urls")),
    path("exchange/", include("projects.exchange.urls")),
    path("api/v1/", include("config.api_urls", namespace="api")),
    # OpenAPI 3 document and Swagger UI; the UI's files are served from drf-spectacular-sidecar (no CDN).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# Uploaded files (update attachments, import files) are never served from /media/, not even in
# development: they go out only through the views that check who may read them.

# Unknown paths under /api/ answer in the API's error format; the rest get the HTML 404 page.
handler404 = "config.api_errors.not_found"
