"""``RefusalLogMiddleware`` records every 403 answer, page or API, in the security log: a ``PermissionDenied`` from
a view or a service, DRF's refusals (``not_authenticated`` as well as ``permission_denied``), a CSRF failure. It
sits after the authentication middleware, and DRF sets the user it authenticated (a token's) on the request, so
the event names whoever was refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import SecurityEvent
from accounts.services.security_log import security_event_record

REFUSAL_REASON = "tansiq_refusal_reason"


class RefusalLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            security_event_record(kind=SecurityEvent.Kind.PERMISSION_DENIED, request=request,
                                  detail=self.reason(request, response))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):  # the page's 403 will not say why; the exception does
            setattr(request, REFUSAL_REASON, str(exception) or exception.__class__.__name__)
        return None

    @staticmethod
    def reason(request: HttpRequest, response: HttpResponse) -> str:
        reason = getattr(request, REFUSAL_REASON, "")
        if reason:
            return reason
        data = getattr(response, "data", None)
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):  # the API's error body (config.api_errors)
            return f"{error.get('code', '')}: {error.get('message', '')}"
        return ""
