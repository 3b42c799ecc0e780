"""A real gunicorn on a free loopback port, for the security probe and the load benchmark.

Loopback only: the server binds 127.0.0.1 and is stopped (terminate, then kill) when the block ends, even on error.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gunicorn_command() -> list[str]:
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    return [str(gunicorn_bin)] if gunicorn_bin.exists() else [sys.executable, "-m", "gunicorn"]


@contextlib.contextmanager
def gunicorn_serving(env: dict[str, str], log: Path, *, app: str = "config.wsgi:application", workers: int = 2,
                     threads: int = 1, timeout: int = 60, ready_path: str = "/healthz",
                     start_seconds: float = 60) -> Iterator[str]:
    """``gunicorn app`` on a free 127.0.0.1 port; yields its base URL once ``ready_path`` answers 200."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [*_gunicorn_command(), app, "-b", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", str(timeout),
            "--graceful-timeout", "5"]
    if threads > 1:
        args += ["--worker-class", "gthread", "--threads", str(threads)]
    with log.open("w") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            try:
                answer = requests.get(base + ready_path, headers={"X-Forwarded-Proto": "https"}, timeout=5)
                if answer.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{ready_path} did not answer 200 within {start_seconds:.0f} s:\n"
                                   f"{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
