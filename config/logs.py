"""Structured logs: one JSON object a line in production, each record carrying the id of the request (or the
Celery task) it was written in.

``request_id`` is a context variable: RequestIdMiddleware sets it for a request, the Celery signals connected in
``connect_task_signals`` for a task. ``RequestIdFilter`` copies it onto every record, so a plain text format can
show it too (``%(request_id)s``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("tansiq_request_id", default="-")

# What we take from the proxy's X-Request-ID: a short token of safe characters (it goes into logs and a header).
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

# The attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged as a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id",
                                                                               "task_id"}


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is a sane token, else a new one."""
    if header and _SANE_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, the exception if any,
    and the record's ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_task_tokens: dict[str, contextvars.Token] = {}


def _task_started(task_id=None, **kwargs) -> None:
    if task_id:
        _task_tokens[task_id] = request_id.set(f"task-{task_id}")


def _task_ended(task_id=None, **kwargs) -> None:
    # Reset, not cleared: a task run eagerly inside a request gives the request its own id back.
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        request_id.reset(token)


def connect_task_signals() -> None:
    """Every log record a Celery task writes carries ``task-<its id>`` as its request id."""
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_started, weak=False, dispatch_uid="tansiq.logs.task_started")
    task_postrun.connect(_task_ended, weak=False, dispatch_uid="tansiq.logs.task_ended")
