"""The database out of reach: 503 with Retry-After (a small page, or the API's error format), and recovery without
restarting the app. The real run serves the production settings with gunicorn through a TCP relay to PostgreSQL
that the test cuts and restores (loopback only): the database "restarts" under a running app."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import translation

from config import healthcheck
from config.api_errors import server_error

ROOT = Path(__file__).resolve().parents[2]


def _handled(path: str, exc: Exception, language: str = "ar"):
    request = RequestFactory().get(path)
    with translation.override(language):
        try:
            raise exc
        except Exception:
            return server_error(request)


def test_an_unreachable_database_is_a_503_page_in_the_users_language():
    response = _handled("/projects/", OperationalError("connection to server failed: Connection refused"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert 'dir="rtl"' in page and 'lang="ar"' in page and "تعذّر الوصول إلى قاعدة البيانات" in page
    assert "Connection refused" not in page  # nothing of the exception
    english = _handled("/projects/", OperationalError("x"), "en").content.decode()
    assert 'dir="ltr"' in english and "The database cannot be reached just now" in english


def test_an_unreachable_database_is_a_503_in_the_api_format():
    response = _handled("/api/v1/projects/", OperationalError("server closed the connection unexpectedly"), "en")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    import json

    assert json.loads(response.content)["error"]["code"] == "service_unavailable"


def test_other_server_errors_stay_500():
    assert _handled("/api/v1/projects/", ValueError("bug"), "en").status_code == 500
    assert _handled("/projects/", KeyError("bug"), "en").status_code == 500


class Relay:
    """A TCP relay on a loopback port to PostgreSQL's: cut() closes it and every connection through it, as a
    stopped database would; resume() listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def resume(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            if self._listener is not None:
                # shutdown() first: a bare close() leaves a socket that another thread is accept()ing on open.
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_a_database_restart_gives_503s_then_recovers_without_restarting_the_app(tmp_path):
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("the production settings need PostGIS: set DATABASE_URL=postgis://... (CI does)")
    relay = Relay((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    relay.resume()
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANSIQ_", "DJANGO_", "DATABASE_", "CELERY_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY=secrets.token_urlsafe(50),
               DATABASE_URL=f"postgis://{auth}@127.0.0.1:{relay.port}/{db['NAME']}", CELERY_BROKER_URL="memory://",
               TANSIQ_VAR_DIR=str(tmp_path), DJANGO_LOG_LEVEL="CRITICAL")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application",
                             f"--bind=127.0.0.1:{port}", "--workers=1", "--worker-class=gthread", "--threads=2",
                             "--timeout=60"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api = ("/api/v1/projects/", {"Authorization": "Token " + "0" * 40, "X-Forwarded-Proto": "https"})
    try:
        deadline = time.monotonic() + 60
        while healthcheck.check_web(port, timeout=2) is not None:
            assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.3)
        status, _headers, body = _get(port, *api)
        assert status == 403 and '"authentication_failed"' in body  # the token was looked up: the database answers

        relay.cut()  # the database goes away under the running app, its persistent connection with it
        status, headers, body = _get(port, *api)
        assert status == 503 and headers["Retry-After"] == "30" and '"service_unavailable"' in body
        status, headers, body = _get(port, "/projects/", {"Cookie": "sessionid=" + "x" * 32,
                                                          "X-Forwarded-Proto": "https", "Accept-Language": "en"})
        assert status == 503 and "The database cannot be reached just now" in body
        assert (healthcheck.check_web(port) or "").startswith("/healthz answered 503")

        relay.resume()  # the database is back: the same gunicorn process answers again
        deadline = time.monotonic() + 30
        while _get(port, *api)[0] != 403:
            assert time.monotonic() < deadline, "the app did not recover within 30 s"
            time.sleep(0.5)
        assert healthcheck.check_web(port) is None
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        relay.cut()
