"""/healthz: is the database reachable, and the broker? (503 when either is not.) For load balancers,
compose health checks and monitoring: it needs no sign-in and says nothing but the two answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


def health_status() -> dict[str, Any]:
    """Database and broker reachability for /healthz."""
    status: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        status["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # report, never raise: this is the health check
        status["database"] = {"ok": False, "error": exc.__class__.__name__}
    broker_url = settings.CELERY_BROKER_URL
    try:
        with Connection(broker_url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        status["broker"] = {"ok": True, "transport": broker_url.split("://", 1)[0]}
    except Exception as exc:
        status["broker"] = {"ok": False, "error": exc.__class__.__name__}
    status["ok"] = all(part["ok"] for part in status.values() if isinstance(part, dict))
    return status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    status = health_status()
    return JsonResponse(status, status=200 if status["ok"] else 503)
