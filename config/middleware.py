"""Middleware of the whole site: the API's body limit and error format, the Permissions-Policy header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy


def _declared_length(request: HttpRequest) -> int:
    # As Django reads it (WSGIRequest): a missing or malformed length is no body at all.
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def api_body_limit(request: HttpRequest) -> int:
    """The largest body an API request may declare: an upload (multipart) may carry the largest file the API
    takes, plus the usual allowance for its other fields; anything else (JSON, forms) TANSIQ_API_MAX_BODY_BYTES."""
    base = settings.TANSIQ_API_MAX_BODY_BYTES
    if request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/"):
        return max(settings.TANSIQ_IMPORT_MAX_BYTES, settings.TANSIQ_ATTACHMENT_MAX_BYTES) + base
    return base


class ApiBodyLimitMiddleware:
    """Refuses an API request whose declared body is larger than the API takes (413, in the API's error format),
    before anything reads it and before authentication: anonymous callers cannot make the server take in (or
    spool to disk) a body it will refuse. It sits after LocaleMiddleware, so the message is in the caller's
    language. The parsers check again what they actually read (config.api_parsers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if request.path.startswith("/api/"):
            limit = api_body_limit(request)
            if _declared_length(request) > limit:
                from config.api_errors import api_error_response
                from config.api_parsers import body_limit_message

                return api_error_response(413, "request_too_large", body_limit_message(limit))
        return self.get_response(request)


# What an HTML error page under /api/ becomes: the code of the API's one error format, and its message.
_API_ERROR_CODES = {
    400: ("bad_request", gettext_lazy("The request could not be read.")),
    403: ("permission_denied", gettext_lazy("You do not have permission to perform this action.")),
    404: ("not_found", gettext_lazy("Not found.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
}


class ApiErrorFormatMiddleware:
    """Under /api/, an error Django answered with an HTML page (its debug 404 page when DEBUG is on, a page of a
    view outside DRF) is answered in the API's one error format instead: a script never gets a web page. With
    DEBUG off, Django's error handlers (config.api_errors) already answer so; this covers the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code in _API_ERROR_CODES
                and response.get("Content-Type", "").startswith("text/html")):
            from config.api_errors import api_error_response

            code, message = _API_ERROR_CODES[response.status_code]
            answer = api_error_response(response.status_code, code, message)
            if "Allow" in response:
                answer["Allow"] = response["Allow"]
            return answer
        return response


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header (``settings.PERMISSIONS_POLICY``: the features switched off, ``feature=()``),
    built once; a view that sets its own keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when it is a sane token, else a new one): on
    ``request.request_id``, on the response's X-Request-ID header and, through config.logs, on every log record
    written while the request is served. First in the chain, so every later middleware's logs carry it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        from config.logs import request_id, request_id_from

        rid = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response.headers["X-Request-ID"] = rid
        return response
