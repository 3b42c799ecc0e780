"""The worker's container health check (python -m config.healthcheck worker) against a real worker."""

from __future__ import annotations

import os

import pytest

from config import healthcheck

pytestmark = pytest.mark.integration


def test_the_worker_check_passes_for_a_running_worker_and_fails_for_a_missing_one(celery_worker_process):
    assert healthcheck.check_worker(timeout=5, name=f"{celery_worker_process}@{os.uname().nodename}") is None
    problem = healthcheck.check_worker(timeout=1, name=f"nobody-{os.getpid()}@{os.uname().nodename}")
    assert problem == f"nobody-{os.getpid()}@{os.uname().nodename} did not answer a ping within 1 s"
