"""The OpenAPI document (/api/schema/) and its Swagger UI (/api/docs/): for signed-in users, unless
TANSIQ_API_DOCS_PUBLIC opens them to everyone. The setting is read per request, so tests can switch it. The
document is in English unless ``?lang=ar`` asks for Arabic.

``manage.py spectacular`` (CI) writes the document without these views, so it needs no sign-in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request


def api_docs_open_to(request: Request) -> bool:
    return settings.TANSIQ_API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class ApiSchemaView(SpectacularAPIView):
    """The document, as YAML or JSON; refused (403 ``not_authenticated``) to anonymous callers by default."""

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny() if settings.TANSIQ_API_DOCS_PUBLIC else IsAuthenticated()]

    @extend_schema(exclude=True)  # the document is not an operation of its own (SERVE_INCLUDE_SCHEMA is off)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        # English unless ``?lang=`` asks for another of the site's languages, whatever the reader's own language:
        # generated clients name their types and docstrings from it. Operation ids and component names come from
        # the code and are never translated.
        lang = request.GET.get("lang")
        with translation.override(lang if lang in dict(settings.LANGUAGES) else "en"):
            return self._get_schema_response(request)

    def handle_exception(self, exc: Exception) -> Any:
        # The API's one error format is JSON: not a YAML (or "OpenAPI") rendering of it, whatever was asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class ApiDocsView(SpectacularSwaggerSplitView):
    """The Swagger UI page (and its start-up script, ``?script``): anonymous visitors are sent to sign in and
    come back here, as from any other page."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)  # as drf-spectacular's own: the page is not an API operation
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if not api_docs_open_to(request):
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
