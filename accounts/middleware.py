"""Two middlewares, after django-otp's ``OTPMiddleware`` (which tells whether the session gave its second factor):

- ``RefusalLogMiddleware`` records every 403 answer, page or API, in the security log: a ``PermissionDenied`` from
  a view or a service, DRF's refusals (``not_authenticated`` as well as ``permission_denied``), a CSRF failure, and
  the second-factor refusals below. DRF sets the user it authenticated (a token's) on the request, so the event
  names whoever was refused.
- ``TwoFactorMiddleware`` holds back a signed-in session that owes its second factor: ministry administrators and
  superusers always (asked on every request, so a promotion or a session older than the rule is caught), anyone
  else once they set up an authenticator app (decided at sign-in). Pages send it to confirm the sign-in, or to set
  up an app first; the API answers 403 in its error format. A request with an API token has no session user here,
  so token access is not asked for a second factor.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import SecurityEvent
from accounts.selectors import two_factor_device, two_factor_owed
from accounts.services.security_log import security_event_record

REFUSAL_REASON = "tansiq_refusal_reason"
# A session that owes its second factor may still reach these: give it, set up an app, sign out, switch language.
OPEN_URL_NAMES = ("two_factor_verify", "two_factor_setup", "logout", "admin:logout", "set_language", "healthz")


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


@cache
def open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in OPEN_URL_NAMES)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in open_paths() and two_factor_owed(request):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest) -> HttpResponse:
        message = _("Confirm your sign-in with your second factor first.")
        if request.path.startswith("/api/"):
            setattr(request, REFUSAL_REASON, "two_factor_required")
            body = {"code": "two_factor_required", "message": message, "fields": {}}
            return JsonResponse({"error": body}, status=403)
        target = "two_factor_verify" if two_factor_device(request.user) is not None else "two_factor_setup"
        response = redirect_to_login(request.get_full_path() if request.method == "GET" else "",
                                     login_url=reverse(target))
        if request.headers.get("HX-Request"):  # htmx would swap the page into a fragment: go there instead
            response = HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
        return response
