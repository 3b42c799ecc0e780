"""The answer when the database cannot be reached (stopped, restarting, the network between gone): 503 with
Retry-After instead of a 500: the page here, the API's error format (config.api_errors) under /api/.

The page is written here, not rendered from the site's templates: those read the signed-in user, the session
and the menus from the database that is down. The connection comes back by itself (CONN_HEALTH_CHECKS: a
broken persistent connection is replaced at the next request), so no restart of the app is needed.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.html import escape
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 30
API_MESSAGE = gettext_lazy("The database cannot be reached just now; try again in a minute.")


def database_unavailable() -> bool:
    """Whether the exception being handled is the database's being unreachable."""
    exc = sys.exc_info()[1]
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def unavailable_page(request: Any) -> HttpResponse:
    title = _("Tansiq is unavailable for a moment")
    body = _("The database cannot be reached just now; nothing you sent was saved. Please try again in a minute.")
    html = (
        f'<!DOCTYPE html><html lang="{escape(get_language() or "ar")}" dir="{"rtl" if get_language_bidi() else "ltr"}">'
        f'<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1><p>{escape(body)}</p></main>"
        f"</body></html>"
    )
    response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
