"""The probe's own database, the production settings' environment, a real gunicorn server and the oracle.

Everything is local (127.0.0.1) and torn down by the caller's ``finally``: the server is stopped and the
database dropped even when the probe fails half-way.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from common.local_server import gunicorn_serving

ROOT = Path(__file__).resolve().parents[2]
# Variables of the outer test run that must not leak into the probe's processes.
OUTER = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "TANSIQ_VAR_DIR",
         "DJANGO_STATIC_ROOT", "DJANGO_MEDIA_ROOT", "DJANGO_DEBUG", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST")


def _db_parts(url: str) -> dict[str, Any]:
    import dj_database_url

    parsed = dj_database_url.parse(url.replace("postgis://", "postgres://", 1))
    return {"host": parsed.get("HOST") or "127.0.0.1", "port": str(parsed.get("PORT") or 5432),
            "user": parsed.get("USER") or "postgres", "password": parsed.get("PASSWORD") or ""}


def _psql(parts: dict[str, Any], database: str, *statements: str) -> None:
    env = dict(os.environ, PGPASSWORD=parts["password"]) if parts["password"] else dict(os.environ)
    args = ["psql", "-h", parts["host"], "-p", parts["port"], "-U", parts["user"], "-d", database,
            "-v", "ON_ERROR_STOP=1", "-q", "-X"]
    for statement in statements:
        args += ["-c", statement]
    subprocess.run(args, check=True, env=env, capture_output=True, text=True, timeout=120)


@contextlib.contextmanager
def probe_database(outer_url: str) -> Iterator[str]:
    """A new PostGIS database on the server of ``outer_url`` (its host and credentials), dropped afterwards."""
    parts = _db_parts(outer_url)
    name = f"tansiq_probe_{secrets.token_hex(4)}"
    _psql(parts, "postgres", f'CREATE DATABASE "{name}"')
    try:
        _psql(parts, name, "CREATE EXTENSION IF NOT EXISTS postgis")
        auth = quote(parts["user"]) + (":" + quote(parts["password"]) if parts["password"] else "")
        yield f"postgis://{auth}@{parts['host']}:{parts['port']}/{name}"
    finally:
        _psql(parts, "postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def probe_environment(*, database_url: str, var_dir: Path, broker: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OUTER}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production", DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(48), CELERY_BROKER_URL=broker, TANSIQ_VAR_DIR=str(var_dir),
        DJANGO_STATIC_ROOT=str(var_dir / "static"), DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_LOG_LEVEL="WARNING",
        # The probe sends a few thousand requests from one address: the rate limits are not what it tests.
        TANSIQ_API_THROTTLE_ANON="100000/minute", TANSIQ_API_THROTTLE_USER="100000/minute",
        PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, what: str, timeout: int = 300) -> str:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"{what} took more than {timeout} s:\n{out[-3000:]}") from None
    if proc.returncode != 0:
        raise AssertionError(f"{what} failed ({proc.returncode}):\n{out[-5000:]}")
    return out


def world_build(env: dict[str, str], run: str) -> dict[str, Any]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.security.probe_world"], cwd=ROOT,
                            env={**env, "PROBE_RUN": run}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = finish(proc, "seeding the probe's world", timeout=300)
    for line in out.splitlines():
        if line.startswith("PROBE-WORLD "):
            return json.loads(line[len("PROBE-WORLD "):])
    raise AssertionError(f"the world script printed no world:\n{out[-3000:]}")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[str]:
    """``gunicorn config.wsgi:application`` on a free local port; yields its base URL once /healthz is ok."""
    try:
        with gunicorn_serving(env, log, workers=2, timeout=60) as base:
            yield base
    except RuntimeError as exc:  # the server did not start: the probe fails, it does not error
        raise AssertionError(str(exc)) from None


class Oracle:
    """``probe_oracle`` in a subprocess: routes and fingerprints, one JSON line per command."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.security.probe_oracle"], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def ask(self, command: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the oracle stopped: {self.proc.stderr.read()[-3000:] if self.proc.stderr else ''}")
        return json.loads(line)

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tansiq-probe-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
