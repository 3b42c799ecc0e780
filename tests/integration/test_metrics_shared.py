"""/metrics adds up across processes: a task run by a real worker (another process) is counted in the shared cache
(CACHE_URL) that the web process reads, and the queue length is Redis's LLEN of the Celery queue."""

from __future__ import annotations

import os
import time

import pytest

from tests.config.test_metrics import TOKEN, sample

pytestmark = pytest.mark.integration


def _scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_task_run_by_the_worker_is_counted_where_the_web_reads(celery_worker_process, client, settings):
    from django.conf import settings as live

    from coordination.tasks import ping

    if not live.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.fail("this test needs the shared cache: CACHE_URL=redis://...")
    settings.TANSIQ_METRICS_TOKEN = TOKEN
    labels = {"task": "coordination.tasks.ping", "state": "SUCCESS"}
    before = sample(_scrape(client), "tansiq_celery_tasks_total", **labels) or 0
    for _ in range(3):
        ping.delay()
    deadline = time.monotonic() + 30
    while (sample(_scrape(client), "tansiq_celery_tasks_total", **labels) or 0) < before + 3:
        assert time.monotonic() < deadline, "the worker's tasks were not counted within 30 s"
        time.sleep(0.3)
    assert sample(_scrape(client), "tansiq_celery_tasks_total", **labels) == before + 3


@pytest.mark.django_db
def test_the_queue_length_is_the_brokers_llen(client, settings):
    import redis

    from config.celery import app

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        pytest.fail("integration tests need CELERY_BROKER_URL=redis://...")
    settings.TANSIQ_METRICS_TOKEN = TOKEN
    settings.CELERY_BROKER_URL = broker
    queue = f"tansiq-llen-test-{os.getpid()}"
    client_redis = redis.Redis.from_url(broker)
    old = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        client_redis.delete(queue)
        assert sample(_scrape(client), "tansiq_celery_queue_length", queue=queue) == 0
        client_redis.rpush(queue, "a", "b", "c")
        client_redis.rpush(f"{queue}\x06\x163", "d")  # a message of priority level 3
        assert sample(_scrape(client), "tansiq_celery_queue_length", queue=queue) == 4
    finally:
        app.conf.task_default_queue = old
        client_redis.delete(queue, f"{queue}\x06\x163")
