"""One error format for the whole API.

Every error the API returns has the body ``{"error": {"code": ..., "message": ..., "fields": {...}}}``:
``code`` is stable and machine-readable (``invalid``, ``not_authenticated``, ``permission_denied``,
``not_found``, ``throttled``, ...), ``message`` is for people (in the request's language), and
``fields`` maps each invalid input to its messages (``non_field_errors`` for the rest; empty unless
the request was invalid). Services raise Django's ``ValidationError`` and ``PermissionDenied``; they
arrive here as 400 and 403 like DRF's own exceptions, so views need not translate them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler


def _fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return detail
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):  # keep the service's reason, which DRF would drop
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:  # not an API error: a 500, left to Django
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        non_field = fields.get("non_field_errors") or []
        message = str(non_field[0]) if len(fields) == 1 and non_field else _("The data sent is not valid.")
        body = {"code": "invalid", "message": message, "fields": fields}
    else:  # exception_handler answers only APIException
        assert isinstance(exc, exceptions.APIException)
        body = {"code": _code(exc), "message": str(exc.detail), "fields": {}}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after"] = int(exc.wait)
    response.data = {"error": body}
    return response


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """``handler404``: under /api/ the API's one error format (a script gets JSON, not a web page);
    elsewhere Django's own 404 page."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        body = {"code": "not_found", "message": str(exceptions.NotFound.default_detail), "fields": {}}
        return JsonResponse({"error": body}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


# --- the error format in the OpenAPI document ------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {}}},
                "retry_after": {"type": "integer", "description": "Seconds to wait (code throttled)."},
            },
        }
    },
}
_ERROR_RESPONSES = {
    "400": gettext_lazy("The request is not valid (code invalid; see fields)."),
    "403": gettext_lazy("Not signed in (not_authenticated) or not allowed (permission_denied)."),
    "404": gettext_lazy("No such record, or not one you may see (not_found)."),
    "429": gettext_lazy("Too many requests (throttled)."),
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation documents the one error body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status_code, description in _ERROR_RESPONSES.items():
                if status_code == "404" and "{" not in path:
                    continue
                responses.setdefault(status_code, {"description": str(description),
                                                   "content": {"application/json": {"schema": ref}}})
    return result
