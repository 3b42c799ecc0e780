from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import health, metrics
from config.api_docs import ApiDocsView, ApiSchemaView
from coordination.views import dashboard, places, project_flags

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Prometheus, behind TANSIQ_METRICS_TOKEN (404 without one).
    path("metrics", metrics.metrics_view, name="metrics"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The map brings projects and flags onto the geography: the committee's view (before the municipality file).
    path("municipalities/map/", include("coordination.map_urls")),
    path("municipalities/", include("municipalities.urls")),
    # The municipality file and the partner pages bring every sub-domain together: the committee's views (after
    # municipalities.urls, so that its fixed paths such as map/ come first).
    path("municipalities/<slug:slug>/", places.municipality_file, name="municipality_file"),
    path("partners/<int:pk>/", places.partner_detail, name="partner_detail"),
    path("coordination/", include("coordination.urls")),
    # A project's flags (duplicates, delays, the gaps of its places), a fragment of its page: the committee's.
    path("projects/<int:pk>/flags/", project_flags.project_flags, name="project_flags"),
    path("projects/<int:pk>/alignment/", project_flags.project_alignment, name="project_alignment"),
    path("meetings/", include("coordination.meeting_urls")),
    path("projects/", include("projects.urls")),
    path("reporting/", include("projects.reporting.urls")),
    path("exchange/", include("projects.exchange.urls")),
    path("api/v1/", include("config.api_urls", namespace="api")),
    # OpenAPI 3 document and Swagger UI, for signed-in users unless TANSIQ_API_DOCS_PUBLIC (config.api_docs); the
    # UI's files are served from drf-spectacular-sidecar (no CDN), and its start-up script from /api/docs/?script
    # (the split view), not inline: the Content-Security-Policy forbids that.
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema", template_name="api_docs.html"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# Uploaded files (update attachments, import files) are never served from /media/, not even in
# development: they go out only through the views that check who may read them.

# Under /api/, unknown paths, requests Django refuses and server errors answer in the API's error format; the
# rest get the HTML pages.
handler400 = "config.api_errors.bad_request"
handler404 = "config.api_errors.not_found"
handler500 = "config.api_errors.server_error"
