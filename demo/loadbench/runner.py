"""Virtual users for ``bench_load``: each signs in once over HTTP (as a browser does: the login page's CSRF token,
then the form) and then asks for its pages back to back until the time is up. Plain functions and data; the
command starts the servers and prints the figures.

The servers run the production settings, so cookies are Secure and the benchmark says it came over HTTPS
(``X-Forwarded-Proto``, which gunicorn believes from 127.0.0.1 only); cookies are kept by hand for that reason.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import urllib3

TIMEOUT = urllib3.Timeout(connect=5, read=60)


@dataclass
class VirtualUser:
    name: str
    kind: str  # analyst, focal_point or anonymous (the trivial view)
    paths: list[tuple[str, str]]  # (label, path)
    username: str | None = None
    password: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Sample:
    label: str
    kind: str
    status: int
    ms: float


class Session:
    """One user's keep-alive connection pool and cookies, talking to one base URL on 127.0.0.1."""

    def __init__(self, base: str, user: VirtualUser) -> None:
        if not base.startswith("http://127.0.0.1:"):
            raise ValueError(f"the load benchmark talks to 127.0.0.1 only, not {base}")
        self.base = base
        self.user = user
        self.pool = urllib3.PoolManager(maxsize=1, retries=False, timeout=TIMEOUT)

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> urllib3.BaseHTTPResponse:
        host = self.base.split("://", 1)[1]
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "ar", "Referer": f"https://{host}/"}
        if self.user.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.user.cookies.items())
        if method == "POST":
            headers["Origin"] = f"https://{host}"
            headers["X-CSRFToken"] = self.user.cookies.get("csrftoken", "")
        if fields is not None:
            response = self.pool.request_encode_body(method, self.base + path, fields=fields, headers=headers,
                                                     encode_multipart=False, redirect=False)
        else:
            response = self.pool.request(method, self.base + path, headers=headers, redirect=False)
        for header in response.headers.getlist("Set-Cookie"):
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if name != "messages":
                    self.user.cookies[name] = morsel.value
        return response

    def sign_in(self) -> None:
        if self.user.username is None:
            return
        page = self.request("GET", "/accounts/login/")
        if page.status != 200 or "csrftoken" not in self.user.cookies:
            raise RuntimeError(f"{self.user.name}: the login page answered {page.status}")
        answer = self.request("POST", "/accounts/login/", fields={
            "csrfmiddlewaretoken": self.user.cookies["csrftoken"], "username": self.user.username,
            "password": self.user.password or "", "next": "/"})
        if answer.status != 302 or "sessionid" not in self.user.cookies:
            raise RuntimeError(f"{self.user.name}: signing in answered {answer.status}: {answer.data[:200]!r}")


def run_users(base: str, users: list[VirtualUser], seconds: float, *, seed: int = 1) -> list[Sample]:
    """Let every user (signed in already, or anonymous) ask for pages for ``seconds``; every answer is one sample
    (status 0 for a connection error or a time-out)."""
    sessions = [Session(base, user) for user in users]
    samples: list[Sample] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(len(sessions) + 1)
    stop_at: list[float] = [0.0]

    def work(index: int, session: Session) -> None:
        rng = random.Random(seed * 1000 + index)
        mine: list[Sample] = []
        start_gate.wait()
        while time.monotonic() < stop_at[0]:
            label, path = rng.choice(session.user.paths)
            began = time.perf_counter()
            try:
                response = session.request("GET", path)
                status = response.status
            except urllib3.exceptions.HTTPError:
                status = 0
            mine.append(Sample(label, session.user.kind, status, (time.perf_counter() - began) * 1000))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=work, args=(i, s), daemon=True) for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    start_gate.wait()
    for thread in threads:
        thread.join(timeout=seconds + 90)
    return samples


def percentile(values: list[float], p: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def summary(samples: list[Sample], seconds: float) -> dict[str, Any]:
    """Requests per second, latency percentiles (ms) and errors (status 0 or >= 400; a redirect counts as an
    error too: a signed-in user's pages answer 200)."""
    times = [s.ms for s in samples]
    errors = [s for s in samples if s.status != 200]
    out: dict[str, Any] = {
        "requests": len(samples), "requests_per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1), "errors": len(errors),
    }
    if errors:
        statuses: dict[str, int] = {}
        for s in errors:
            key = f"{s.label}:{s.status}"
            statuses[key] = statuses.get(key, 0) + 1
        out["error_statuses"] = statuses
    by_page: dict[str, list[float]] = {}
    for s in samples:
        by_page.setdefault(f"{s.kind}:{s.label}", []).append(s.ms)
    if len(by_page) > 1:
        out["pages"] = {k: {"requests": len(v), "p50_ms": round(percentile(v, 50), 1),
                            "p95_ms": round(percentile(v, 95), 1)} for k, v in sorted(by_page.items())}
    return out
