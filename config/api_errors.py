"""One error format for the whole API.

Every error the API returns has the body ``{"error": {"code": ..., "message": ..., "fields": {...}}}``:
``code`` is stable and machine-readable (``invalid``, ``not_authenticated``, ``permission_denied``,
``not_found``, ``throttled``, ...), ``message`` is for people (in the request's language), and
``fields`` maps each invalid input to its messages (``non_field_errors`` for the rest; empty unless
the request was invalid). Services raise Django's ``ValidationError`` and ``PermissionDenied``; they
arrive here as 400 and 403 like DRF's own exceptions, so views need not translate them.

Bodies the API will not read (config.api_parsers, config.middleware) answer ``parse_error``,
``nesting_too_deep``, ``number_out_of_range``, ``string_too_long`` (400) or ``request_too_large`` (413); what
Django refuses before the API sees it ``bad_request``; an unexpected failure ``server_error`` (500). Django's
error handlers below answer in the same format under /api/.
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


def _messages(value: Any) -> list[Any]:
    """A field's errors as the document has them: always a list, of messages (strings) or, for a nested record or
    list, of objects holding its errors (by field name, or by item position)."""
    if isinstance(value, list | tuple):
        return [item if isinstance(item, dict | list) else str(item) for item in value]
    if isinstance(value, dict):
        return [value]
    return [str(value)]


def _fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(name): _messages(value) for name, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": _messages(detail)}
    return {"non_field_errors": [str(detail)]}


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
    if response is None:  # not an API error: left to Django, which logs it and answers with server_error below
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


def api_error_response(status: int, code: str, message: str) -> Any:
    """The one error body, for answers made outside DRF's views (middleware, Django's error handlers)."""
    from django.http import JsonResponse

    return JsonResponse({"error": {"code": code, "message": str(message), "fields": {}}}, status=status)


def _is_api(request: Any) -> bool:
    return request.path.startswith("/api/")


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """``handler404``: under /api/ the API's one error format (a script gets JSON, not a web page);
    elsewhere Django's own 404 page."""
    if _is_api(request):
        return api_error_response(404, "not_found", exceptions.NotFound.default_detail)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def bad_request(request: Any, exception: Exception | None = None) -> Any:
    """``handler400``: what Django itself refuses as suspicious (a body above DATA_UPLOAD_MAX_MEMORY_SIZE, more
    than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, ...), after logging it under ``django.security``. Under /api/ in the
    API's format: a body too large as 413, the rest as 400; elsewhere Django's own 400 page."""
    if _is_api(request):
        from django.core.exceptions import RequestDataTooBig

        if isinstance(exception, RequestDataTooBig):
            return api_error_response(413, "request_too_large", _("The request body is too large."))
        return api_error_response(400, "bad_request", _("The request could not be read."))
    from django.views.defaults import bad_request as page_bad_request

    return page_bad_request(request, exception)


def server_error(request: Any) -> Any:
    """``handler500``: an exception nobody handled, already logged by Django (``django.request``, with the
    traceback) before this answers. Under /api/ the API's format, so a script can read it, and nothing of the
    exception in it; elsewhere Django's own 500 page.

    API views leave such exceptions to this handler rather than answering them in ``api_exception_handler``:
    that way Django still logs them and sends ``got_request_exception``, and tests still see them raised.

    The database out of reach is not the server's fault: 503 with Retry-After (config.unavailable)."""
    from config import unavailable

    if unavailable.database_unavailable():
        if not _is_api(request):
            return unavailable.unavailable_page(request)
        response = api_error_response(503, "service_unavailable", unavailable.API_MESSAGE)
        response["Retry-After"] = str(unavailable.RETRY_AFTER_SECONDS)
        return response
    if _is_api(request):
        return api_error_response(500, "server_error", _("Something went wrong on the server; the request was not "
                                                         "completed. Try again later."))
    from django.views.defaults import server_error as page_server_error

    return page_server_error(request)


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
                "fields": {
                    "type": "object",
                    "description": "Each invalid input (non_field_errors for the rest) and its messages; for a "
                                   "nested record or list, an object with its errors (by field name, or by item "
                                   "position) in place of a message.",
                    "additionalProperties": {"type": "array", "items": {
                        "anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": True}]}},
                },
                "retry_after": {"type": "integer", "description": "Seconds to wait (code throttled)."},
            },
        }
    },
}
_ERROR_RESPONSES = {
    "400": gettext_lazy("The request is not valid (code invalid; see fields)."),
    "403": gettext_lazy("Not signed in (not_authenticated) or not allowed (permission_denied)."),
    "404": gettext_lazy("No such record, or not one you may see (not_found)."),
    "413": gettext_lazy("The request body is too large (request_too_large)."),
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
                if status_code in responses:
                    # an error an operation documents in its own words is still answered in the one format
                    responses[status_code].setdefault("content", {"application/json": {"schema": ref}})
                    continue
                if status_code == "404" and "{" not in path:
                    continue
                if status_code == "413" and "requestBody" not in operation:
                    continue
                responses[status_code] = {"description": str(description),
                                          "content": {"application/json": {"schema": ref}}}
    return result
