"""The broker stopped under a running site: changes still save and pages still answer (the checks they queue on
commit are logged and counted, not raised), and the nightly full scan catches them up once the broker is back.

The broker is a throwaway ``redis-server`` of the test's own (never the shared one), SIGKILLed and started again
on the same port; a real worker rides the outage out and reconnects.

The app is switched to that broker in-process with ``tests.celery_broker.celery_conf_use``."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import time

import pytest

from tests.celery_broker import celery_conf_use
from tests.integration.test_faults import _planted_pairs, _start_worker, _wait_for

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)


def _enqueue_failures(task: str) -> int:
    from config import metrics

    return metrics.cache.get(metrics._series_key(metrics.ENQUEUE_FAILURES, {"task": task})) or 0


def test_the_broker_stopped_changes_save_pages_answer_and_the_nightly_scan_catches_up(
        transactional_db, personas, client, caplog):
    from coordination.models import DuplicateFlag
    from coordination.tasks import duplicates_full_scan
    from projects import services
    from projects.models import Project
    from tests.conftest import force_login_verified

    admin = personas["ministry_admin"]
    planted = _planted_pairs()
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    queue = f"tansiq-broker-outage-{port}"
    redis_proc = _redis(port)
    worker = None
    old = celery_conf_use(dict(task_always_eager=False, task_default_queue=queue, broker_url=broker, broker_read_url=broker,
              broker_write_url=broker))
    try:
        worker = _start_worker(queue, queue, CELERY_BROKER_URL=broker)
        time.sleep(3)  # the worker connects (about 2 s); it rides the outage out and reconnects by itself

        redis_proc.send_signal(signal.SIGKILL)  # the broker goes away
        redis_proc.wait(timeout=10)
        a, b = sorted(planted)[0]
        twin = Project.objects.get(pk=b)
        title = Project.objects.get(pk=a).title_en
        caplog.set_level(logging.ERROR, logger="tansiq.queueing")
        failures_before = _enqueue_failures("coordination.tasks.duplicates_check_projects")
        started = time.monotonic()
        # A change that queues a duplicate check (and a gap and alignment one) on commit: saved, no error raised.
        services.project_edit(project=twin, user=admin, fields={"title_en": title + " (phase 1)"})
        assert time.monotonic() - started < 15, "the write waited too long on the dead broker"
        assert Project.objects.get(pk=b).title_en == title + " (phase 1)"
        # The check that could not be sent is recorded: counted for /metrics in the shared cache (and logged at
        # ERROR by common.queueing, which tests/common/test_queueing.py checks).
        assert _enqueue_failures("coordination.tasks.duplicates_check_projects") == failures_before + 1
        # Pages keep working with the broker gone.
        force_login_verified(client, admin)
        assert client.get(f"/projects/{b}/").status_code == 200
        assert not DuplicateFlag.objects.exists()  # nothing was checked: the checks never reached a worker

        redis_proc = _redis(port)  # the broker is back (empty: what it held is gone)
        # What beat sends at night: the full scan re-checks every project, the edited one included.
        duplicates_full_scan.apply_async()
        _wait_for("the nightly scan to flag the pairs", lambda: DuplicateFlag.objects.count() >= len(planted),
                  120, worker)
    finally:
        celery_conf_use(old)
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=15)
        if redis_proc.poll() is None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
    pairs = set(DuplicateFlag.objects.values_list("project_a_id", "project_b_id"))
    assert planted <= pairs and (a, b) in pairs
