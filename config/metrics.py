"""/metrics for Prometheus, in its text exposition format (written here: prometheus_client is not a dependency).

What is counted (request rate and latency per view name, tasks per name and end state, tasks that could not be
queued) lives in the shared cache (Redis in production: CACHE_URL), so that every web and worker process adds to
the same figures; a scrape reads them all. What is measured at scrape time: the length of the Celery queue (Redis
LLEN, when the broker is Redis) and the last runs of each analysis job (AnalysisRun).

The cache cannot list its keys, so the series seen are kept in one registry key. Two processes that add a new
series at the same instant may lose one of them from it; each process therefore looks again a minute later that
the series it writes are listed (``REGISTRY_RECHECK_SECONDS``), and a lost series comes back with its counts
(they were never lost: only the listing). Counting never breaks a request or a task: a cache that is down is
logged and the figure is missed.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Latency buckets (seconds): pages are expected well under a second; exports and reports may take half a minute.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
REGISTRY_KEY = "metrics:series"
REGISTRY_RECHECK_SECONDS = 60.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = "tansiq_http_requests_total"
LATENCY = "tansiq_http_request_duration_seconds"
TASKS = "tansiq_celery_tasks_total"
ENQUEUE_FAILURES = "tansiq_celery_enqueue_failures_total"

HELP = {
    REQUESTS: ("counter", "HTTP requests answered, by view name, method and status code."),
    LATENCY: ("histogram", "Time to answer an HTTP request, by view name and method."),
    TASKS: ("counter", "Celery tasks ended, by task name and state (SUCCESS, FAILURE, RETRY, ...)."),
    ENQUEUE_FAILURES: ("counter", "Tasks that could not be sent to the broker (recorded to be sent again)."),
}

# When this process last made sure a series is in the registry (time.monotonic()).
_confirmed: dict[str, float] = {}


def _series_key(name: str, labels: dict[str, str]) -> str:
    return f"metrics:{name}:{json.dumps(labels, sort_keys=True, separators=(',', ':'))}"


def _add(key: str, amount: int) -> None:
    try:
        cache.incr(key, amount)
    except ValueError:  # not there yet: create it, unless another process just did
        if not cache.add(key, amount, timeout=None):
            cache.incr(key, amount)


def _register(key: str) -> None:
    now = time.monotonic()
    if now - _confirmed.get(key, -math.inf) < REGISTRY_RECHECK_SECONDS:
        return
    known = cache.get(REGISTRY_KEY) or []
    if key not in known:
        cache.set(REGISTRY_KEY, sorted({*known, key}), timeout=None)
    _confirmed[key] = now


def count(name: str, labels: dict[str, str], amount: int = 1) -> None:
    """Add to a counter shared by every process (never raises)."""
    key = _series_key(name, labels)
    try:
        _register(key)
        _add(key, amount)
    except Exception:  # the cache is down: the figure is missed, the request or task goes on
        logger.warning("metrics: could not count %s", name, exc_info=True)


def observe(name: str, labels: dict[str, str], seconds: float) -> None:
    """Add one observation to a histogram: its bucket and its sum (microseconds, so that it can be incremented)."""
    key = _series_key(name, labels)
    bucket = next((str(b) for b in BUCKETS if seconds <= b), "+Inf")
    try:
        _register(key)
        _add(f"{key}:le:{bucket}", 1)
        _add(f"{key}:sum_us", max(0, round(seconds * 1_000_000)))
    except Exception:
        logger.warning("metrics: could not observe %s", name, exc_info=True)


def record_request(*, view: str, method: str, status: int, seconds: float) -> None:
    count(REQUESTS, {"view": view, "method": method, "status": str(status)})
    observe(LATENCY, {"view": view, "method": method}, seconds)


def record_task(*, task: str, state: str) -> None:
    count(TASKS, {"task": task, "state": state})


def record_enqueue_failure(*, task: str) -> None:
    count(ENQUEUE_FAILURES, {"task": task})


def _task_ended(sender=None, state=None, **kwargs) -> None:
    record_task(task=getattr(sender, "name", None) or "unknown", state=state or "UNKNOWN")


def connect_task_signals() -> None:
    """Celery's task_postrun (every end: success, failure, retry) counted in the shared cache. Connected in
    config.celery, so in every process that runs tasks (workers, and eager mode)."""
    from celery.signals import task_postrun

    task_postrun.connect(_task_ended, dispatch_uid="tansiq.metrics.tasks", weak=False)


# --- the exposition --------------------------------------------------------------------------------------------


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in sorted(labels.items())) + "}"


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _family(name: str, kind: str, help_text: str, samples: Iterable[tuple[str, dict[str, str], float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{sample}{_labels(labels)} {_number(value)}" for sample, labels, value in samples]
    return lines


def shared_samples() -> dict[str, list[tuple[str, dict[str, str], float]]]:
    """The counters and histograms in the shared cache, by family."""
    out: dict[str, list[tuple[str, dict[str, str], float]]] = {name: [] for name in HELP}
    series = cache.get(REGISTRY_KEY) or []
    wanted: list[str] = []
    parsed: list[tuple[str, str, dict[str, str]]] = []
    for key in series:
        _prefix, name, raw = key.split(":", 2)
        if name not in HELP:
            continue
        parsed.append((key, name, json.loads(raw)))
        if HELP[name][0] == "histogram":
            wanted += [f"{key}:le:{b}" for b in (*map(str, BUCKETS), "+Inf")] + [f"{key}:sum_us"]
        else:
            wanted.append(key)
    values = cache.get_many(wanted)
    for key, name, labels in parsed:
        if HELP[name][0] != "histogram":
            out[name].append((name, labels, values.get(key, 0)))
            continue
        running = 0
        for b in (*map(str, BUCKETS), "+Inf"):
            running += values.get(f"{key}:le:{b}", 0)
            out[name].append((f"{name}_bucket", {**labels, "le": b}, running))
        out[name].append((f"{name}_sum", labels, values.get(f"{key}:sum_us", 0) / 1_000_000))
        out[name].append((f"{name}_count", labels, running))
    return out


def queue_lengths() -> dict[str, int] | None:
    """Messages waiting in the Celery queue(s), when the broker is Redis (None otherwise, or if it cannot be
    reached). Kombu keeps a queue's priority levels in lists of their own (name + \\x06\\x16 + level)."""
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        return None
    import redis
    from celery import current_app

    names = {current_app.conf.task_default_queue or "celery"}
    try:
        client = redis.Redis.from_url(broker, socket_timeout=2, socket_connect_timeout=2)
        lengths = {}
        for queue in sorted(names):
            keys = [queue] + [f"{queue}\x06\x16{level}" for level in (3, 6, 9)]
            lengths[queue] = sum(client.llen(k) for k in keys)
        return lengths
    except redis.RedisError:
        logger.warning("metrics: the broker could not be reached for the queue length", exc_info=True)
        return None


def job_runs() -> list[dict[str, Any]]:
    """Per analysis job (kind and mode): the last success and failure (finished, epoch seconds) and how many runs
    are still running. One query."""
    from django.db.models import Count, Max

    from coordination.models import AnalysisRun

    rows = (AnalysisRun.objects.order_by().values("kind", "mode", "status")
            .annotate(last=Max("finished_at"), n=Count("pk")))
    return list(rows)


def exposition() -> str:
    lines: list[str] = []
    for name, samples in shared_samples().items():
        kind, help_text = HELP[name]
        lines += _family(name, kind, help_text, samples)
    lengths = queue_lengths()
    if lengths is not None:
        lines += _family("tansiq_celery_queue_length", "gauge", "Messages waiting in the Celery queue (Redis LLEN).",
                         [("tansiq_celery_queue_length", {"queue": q}, n) for q, n in lengths.items()])
    success, failure, running = [], [], []
    for row in job_runs():
        labels = {"job": row["kind"], "mode": row["mode"]}
        if row["status"] == "succeeded" and row["last"]:
            success.append(("tansiq_job_last_success_timestamp_seconds", labels, row["last"].timestamp()))
        elif row["status"] == "failed" and row["last"]:
            failure.append(("tansiq_job_last_failure_timestamp_seconds", labels, row["last"].timestamp()))
        elif row["status"] == "running":
            running.append(("tansiq_job_runs_running", labels, row["n"]))
    lines += _family("tansiq_job_last_success_timestamp_seconds", "gauge",
                     "When the last successful run of each analysis job ended (Unix time).", success)
    lines += _family("tansiq_job_last_failure_timestamp_seconds", "gauge",
                     "When the last failed run of each analysis job ended (Unix time).", failure)
    lines += _family("tansiq_job_runs_running", "gauge", "Runs of each analysis job recorded as running.", running)
    return "\n".join(lines) + "\n"


def token_matches(request: HttpRequest, expected: str) -> bool:
    """``Authorization: Bearer <token>`` (as Prometheus sends ``bearer_token``), compared in constant time."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, given = header.partition(" ")
    if scheme.lower() != "bearer":
        given = ""
    return hmac.compare_digest(given.strip().encode(), expected.encode())


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """No token configured (TANSIQ_METRICS_TOKEN): there is no such page (404). A missing or wrong token: 401."""
    expected = settings.TANSIQ_METRICS_TOKEN
    if not expected:
        raise Http404
    if not token_matches(request, expected):
        response = HttpResponse("unauthorized\n", status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE)


class RequestMetricsMiddleware:
    """Counts every answer and its time by the name of the view that answered (its URL name: a bounded set,
    never the raw path); requests no URL matched count as ``unresolved``. Second in the chain, after the request
    id, so the time covers the rest of the middleware too."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match is not None else "unresolved"
        record_request(view=view, method=request.method if request.method in _METHODS else "other",
                       status=response.status_code, seconds=time.perf_counter() - started)
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
