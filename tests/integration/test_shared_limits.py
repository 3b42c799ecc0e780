"""Limits hold across the processes of the site: two web processes (gunicorn, one worker each, as two workers of
one site) share the API's throttle counts through the cache in Redis (CACHE_URL), so a client spreading its
requests over both gets the limit once, not once per process.

The same run with a per-process cache (``CACHE_URL=locmem://``) lets the client through twice as often: that is
what the shared cache prevents, and it shows the test can tell the two apart."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 6
# Anonymous calls count against the caller's address (TokenThrottle) before the method is looked at: a GET of the
# token endpoint is refused with 405 while allowed, 429 once the limit is reached, and needs no database.
PATH = "/api/v1/auth/token/"

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _web_processes(cache_url: str, count: int = 2) -> Iterator[list[str]]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.integration.throttle_server_settings", CACHE_URL=cache_url,
               TANSIQ_TEST_ANON_RATE=f"{LIMIT}/minute")
    ports = [_free_port() for _ in range(count)]
    procs = [subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "config.wsgi:application"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for proc, url in zip(procs, urls, strict=True):
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"the web process exited: {proc.stdout.read()}")
                try:  # an unknown API path: answered (404) without counting against any limit
                    requests.get(f"{url}/api/v1/", timeout=10)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        pytest.fail("the web process did not answer within 60 s")
                    time.sleep(0.3)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _allowed_of(urls: list[str], attempts: int) -> tuple[int, list[int]]:
    """Calls spread evenly over the processes; how many were let through (not 429), and every status."""
    statuses = [requests.get(f"{urls[i % len(urls)]}{PATH}", timeout=10).status_code for i in range(attempts)]
    return sum(1 for status in statuses if status != 429), statuses


@pytest.fixture
def redis_cache_url() -> str:
    """The Redis cache of these settings (CACHE_URL, or beside a Redis broker): the web processes get the same."""
    from django.conf import settings
    from django.core.cache import cache

    url = str(settings.CACHES["default"].get("LOCATION", ""))
    if not url.startswith("redis"):
        pytest.fail("this test needs a Redis cache: CACHE_URL=redis://... or a Redis CELERY_BROKER_URL (make test "
                    "deselects integration tests otherwise)")

    # This process's cache is the same Redis: the counts of an earlier run (same address, same minute) go first.
    for scope in ("token", "user"):
        cache.delete(f"throttle_{scope}_127.0.0.1")
    return url


def test_two_processes_share_one_limit(redis_cache_url):
    with _web_processes(redis_cache_url) as urls:
        allowed, statuses = _allowed_of(urls, 3 * LIMIT)
    assert allowed == LIMIT, statuses
    assert statuses[:LIMIT] == [405] * LIMIT and set(statuses[LIMIT:]) == {429}, statuses


def test_a_cache_per_process_would_count_the_limit_once_per_process():
    with _web_processes("locmem://") as urls:
        allowed, statuses = _allowed_of(urls, 3 * LIMIT)
    assert allowed == 2 * LIMIT, statuses
