"""Container health checks for docker-compose.yml: ``python -m config.healthcheck web|worker|beat``.

Exit 0 when healthy, 1 with one line on stderr otherwise. They pass under the production settings:
- web: GET /healthz from inside the container, over plain HTTP on the loopback, with the Host the production
  settings allow for it (TANSIQ_HEALTHCHECK_HOST) — /healthz is exempt from the HTTPS redirect
  (SECURE_REDIRECT_EXEMPT) and answers 503 when the database or the broker is down;
- worker: this container's Celery worker (celery@HOSTNAME) answers a ping through the broker;
- beat: beat rewrites its schedule file at least every few minutes (it syncs every 3 minutes and wakes at
  least every --max-interval seconds), so a file older than TANSIQ_BEAT_STALE_SECONDS means a stuck beat.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_BEAT_SCHEDULE = "/app/var/celerybeat-schedule"


def check_web(port: int = 8000, timeout: float = 10.0) -> str | None:
    host = os.environ.get("TANSIQ_HEALTHCHECK_HOST") or "localhost"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (a fixed loopback URL)
            if response.status != 200:
                return f"/healthz answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"/healthz answered {exc.code}: {exc.read()[:200]!r}"
    except OSError as exc:
        return f"/healthz unreachable: {exc}"
    return None


def check_worker(timeout: float = 5.0, name: str | None = None) -> str | None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from config.celery import app

    name = name or f"celery@{socket.gethostname()}"
    replies = app.control.ping(destination=[name], timeout=timeout)
    if not replies:
        return f"{name} did not answer a ping within {timeout:g} s"
    return None


def check_beat(schedule: str | None = None, stale_seconds: int | None = None) -> str | None:
    base = Path(schedule or os.environ.get("TANSIQ_BEAT_SCHEDULE") or DEFAULT_BEAT_SCHEDULE)
    stale = stale_seconds or int(os.environ.get("TANSIQ_BEAT_STALE_SECONDS") or 600)
    # shelve writes the file under its name or with a suffix (.db, .dat), depending on the dbm module.
    files = [path for path in [base, *base.parent.glob(base.name + ".*")] if path.is_file()]
    if not files:
        return f"no beat schedule file at {base}"
    age = time.time() - max(path.stat().st_mtime for path in files)
    if age > stale:
        return f"the beat schedule {base} was last written {age:.0f} s ago (more than {stale} s)"
    return None


CHECKS = {"web": check_web, "worker": check_worker, "beat": check_beat}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in CHECKS:
        print(f"usage: python -m config.healthcheck {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    problem = CHECKS[argv[1]]()
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
