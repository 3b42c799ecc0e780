"""Structured logs: JSON lines with the request's (or the task's) id."""

from __future__ import annotations

import io
import json
import logging

from django.http import HttpResponse
from django.test import RequestFactory

from config import logs
from config.middleware import RequestIdMiddleware


def _json_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_its_fields_extra_and_exception():
    logger, stream = _json_logger("tansiq.test.json")
    logger.info("بلدية %s", "مصراتة", extra={"project_id": 7})
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        logger.exception("failed")
    first, second = _lines(stream)
    assert first["message"] == "بلدية مصراتة" and first["level"] == "INFO" and first["logger"] == "tansiq.test.json"
    assert first["project_id"] == 7 and first["request_id"] == "-" and first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exception"]
    assert len(stream.getvalue().splitlines()) == 2  # the traceback's new lines stay inside the JSON string


def _serve(header: str | None, logger: logging.Logger) -> HttpResponse:
    def view(request):
        logger.info("inside the view")
        return HttpResponse("ok")

    extra = {"HTTP_X_REQUEST_ID": header} if header is not None else {}
    return RequestIdMiddleware(view)(RequestFactory().get("/", **extra))


def test_the_proxys_sane_request_id_is_kept_on_the_response_and_every_record():
    logger, stream = _json_logger("tansiq.test.rid")
    response = _serve("edge-1a2b3c4d:7", logger)
    assert response["X-Request-ID"] == "edge-1a2b3c4d:7"
    assert _lines(stream)[0]["request_id"] == "edge-1a2b3c4d:7"
    assert logs.request_id.get() == "-"  # and it does not leak into what runs after the request


def test_an_insane_or_missing_request_id_is_replaced_by_a_fresh_one():
    logger, stream = _json_logger("tansiq.test.rid2")
    seen = []
    for header in (None, "", "short", "a" * 200, "abc\ndef-ghijk", "<script>alert(1)</script>"):
        response = _serve(header, logger)
        seen.append(response["X-Request-ID"])
        assert len(response["X-Request-ID"]) == 32 and response["X-Request-ID"].isalnum()
    assert [line["request_id"] for line in _lines(stream)] == seen
    assert len(set(seen)) == len(seen)


def test_the_whole_stack_answers_with_a_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="probe-12345678")
    assert response["X-Request-ID"] == "probe-12345678"


def test_a_task_logs_with_its_task_id_and_gives_the_request_its_id_back():
    logger, stream = _json_logger("tansiq.test.task")
    token = logs.request_id.set("req-abcdefgh")
    try:
        logs._task_started(task_id="t-1")
        logger.info("in the task")
        logs._task_ended(task_id="t-1")
        logger.info("back in the request")
    finally:
        logs.request_id.reset(token)
    assert [line["request_id"] for line in _lines(stream)] == ["task-t-1", "req-abcdefgh"]


def test_the_task_signals_are_connected_by_the_celery_app():
    from celery.signals import task_postrun, task_prerun

    import config.celery  # noqa: F401

    assert "tansiq.logs.task_started" in {key[0] for key, _ in task_prerun.receivers}
    assert "tansiq.logs.task_ended" in {key[0] for key, _ in task_postrun.receivers}


def test_production_logs_json_and_text_on_request():
    from tests.config.fresh_settings import settings_with

    env = {"SECRET_KEY": "x" * 60, "DATABASE_URL": "postgis://u@127.0.0.1:5432/db"}
    for value, formatter in (("json", "json"), ("text", None)):
        found = settings_with({**env, "DJANGO_LOG_FORMAT": value}, ["LOGGING"], module="config.settings.production")
        console = found["LOGGING"]["handlers"]["console"]
        assert console.get("formatter") == formatter and console["filters"] == ["request_id"]
