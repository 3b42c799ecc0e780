"""A real Celery worker, in its own process, on the broker named by CELERY_BROKER_URL.

The worker reads and writes the test database, so these tests use committed data
(``transactional_db``) and point the worker at the test database by name.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def worker_database_url(db_settings: dict) -> str:
    if db_settings["ENGINE"].endswith("postgis"):
        user = db_settings.get("USER") or "postgres"
        password = f":{db_settings['PASSWORD']}" if db_settings.get("PASSWORD") else ""
        host = db_settings.get("HOST") or "127.0.0.1"
        port = db_settings.get("PORT") or 5432
        return f"postgis://{user}{password}@{host}:{port}/{db_settings['NAME']}"
    return f"spatialite:///{db_settings['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    from django.db import connection

    from config.celery import app

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        pytest.fail("integration tests need CELERY_BROKER_URL=redis://... (make test deselects them otherwise)")
    if "memory" in str(connection.settings_dict["NAME"]):
        pytest.fail("a worker process cannot share an in-memory test database (config/settings/test.py uses a file)")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.worker_test",
        DATABASE_URL=worker_database_url(connection.settings_dict),
        CELERY_BROKER_URL=broker,
    )
    queue = f"tansiq-test-{os.getpid()}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    old = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.broker_url = broker
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the worker exited: {proc.stdout.read()}")
            replies = app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5)
            if replies:
                break
            if time.monotonic() > deadline:
                pytest.fail("the worker did not answer within 30 s")
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url = old
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
