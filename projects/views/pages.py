"""What the HTML pages of projects share: permission refusals, htmx, safe returns, service errors.

A record the user may not see is a 404 (its existence is not revealed); an action they may not take on a
record they see is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from projects.models import ProjectUpdate
from projects.selectors import projects as selectors

PAGE_SIZE = 25


def require_or_403(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_back_url(request: HttpRequest, default: str) -> str:
    """Where a POST returns to: the page it came from when that is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def form_add_service_errors(exc: ValidationError, form: Any) -> None:
    """Put a service's refusal next to the field it is about (or above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def visible_update_or_404(request: HttpRequest, pk: int) -> ProjectUpdate:
    return get_object_or_404(selectors.update_list(request.user), pk=pk)
