"""The probe's HTTP side: signed-in actors over plain HTTP to 127.0.0.1, and what a response reveals.

The server runs the production settings behind what it takes for a TLS proxy (``X-Forwarded-Proto:
https``), so its cookies are marked Secure: the actors keep their cookies themselves and send them back.
Pages use the session (and the CSRF token of the last page), the API a token from ``/api/v1/auth/token/``.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

TIMEOUT = 20  # seconds, per request
MAX_BODY = 30 * 1024 * 1024
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


class ProbeError(AssertionError):
    """The probe itself could not do what it needs (sign in, reach the server)."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    set_cookies: list[str]
    body: bytes
    error: str = ""
    seconds: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def to_login(self) -> bool:
        return self.status in (301, 302, 303) and urlsplit(self.location).path.startswith(LOGIN_PATHS)

    def json(self) -> Any:
        if "json" not in self.content_type:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Actor:
    name: str
    base: str
    username: str | None = None
    password: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    token: str | None = None

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base)
        return f"https://{parts.netloc}"

    def request(self, method: str, path: str, *, api: bool, data: Any = None, json_body: Any = None,
                files: Any = None, raw: bytes | None = None, use_token: bool = True) -> Answer:
        if not (path.startswith("/") and self.base.startswith("http://127.0.0.1:")):
            raise ProbeError(f"the probe talks only to its own server on 127.0.0.1: {self.base}{path}")
        headers = {"X-Forwarded-Proto": "https", "Referer": self.origin + "/", "Accept-Language": "ar"}
        cookies: dict[str, str] = {}
        if api and self.token and use_token:
            headers["Authorization"] = f"Token {self.token}"
        else:
            cookies = dict(self.cookies)
        if method not in ("GET", "HEAD", "OPTIONS"):
            headers["Origin"] = self.origin
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
                if isinstance(data, dict) and not api:
                    data = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        if raw is not None:
            headers["Content-Type"] = "application/json"
            data = raw
        started = time.monotonic()
        try:
            response = requests.request(method, self.base + path, headers=headers, cookies=cookies, data=data,
                                        json=json_body, files=files, timeout=TIMEOUT, allow_redirects=False,
                                        stream=True)
            body = response.raw.read(MAX_BODY + 1, decode_content=True)
        except requests.RequestException as exc:
            return Answer(status=0, headers={}, set_cookies=[], body=b"", error=f"{type(exc).__name__}: {exc}")
        set_cookies = list(response.raw.headers.getlist("Set-Cookie")) if response.raw is not None else []
        if not (api and self.token and use_token):
            for name, value in response.cookies.items():
                if name != "messages":  # a flash message would show on the next page, of another route
                    self.cookies[name] = value
        return Answer(status=response.status_code, headers={k.lower(): v for k, v in response.headers.items()},
                      set_cookies=set_cookies, body=body[:MAX_BODY], seconds=time.monotonic() - started)

    def sign_in(self) -> None:
        """The login form (its CSRF token first), then a token for the API."""
        page = self.request("GET", "/accounts/login/", api=False)
        if page.status != 200 or "csrftoken" not in self.cookies:
            raise ProbeError(f"{self.name}: the login page answered {page.status} {page.error}")
        if self.username is None:
            return
        answer = self.request("POST", "/accounts/login/", api=False,
                              data={"username": self.username, "password": self.password, "next": "/"})
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise ProbeError(f"{self.name}: signing in answered {answer.status} (to {answer.location!r}); "
                             f"{answer.body[:300]!r}")
        token = Actor(name=self.name, base=self.base).request(
            "POST", "/api/v1/auth/token/", api=True, json_body={"username": self.username, "password": self.password})
        if token.status != 201:
            raise ProbeError(f"{self.name}: POST /api/v1/auth/token/ answered {token.status}: {token.body[:300]!r}")
        self.token = token.json()["token"]


# --- what a response reveals -----------------------------------------------------------------------


def texts_of(answer: Answer) -> list[bytes]:
    """The body, each member of a zip (XLSX, DOCX) body, and the headers, to search for markers."""
    parts = [answer.body, "\n".join(f"{k}: {v}" for k, v in answer.headers.items()).encode("utf-8", "replace")]
    if answer.body[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(answer.body)) as archive:
                for entry in archive.infolist()[:500]:
                    if entry.file_size <= MAX_BODY:
                        parts.append(archive.read(entry))
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            parts.append(b"(an unreadable zip)")
    return parts


def markers_in(answer: Answer, run: str) -> set[str]:
    """The marker texts (``PROBE-...-<run>``) anywhere in the answer."""
    pattern = re.compile(rb"PROBE-[A-Z][A-Z0-9-]*?-" + re.escape(run.encode()))
    found: set[str] = set()
    for part in texts_of(answer):
        found.update(m.decode() for m in pattern.findall(part))
    return found


TWIN_KEYS = ("sector", "sector_id", "sector_code", "status", "active_projects", "partners", "budget_usd",
             "projects_without_budget", "unreached", "gap_score", "score", "severity")


def twin_records(data: Any, places: dict[Any, str]) -> dict[str, list[tuple]]:
    """What a JSON answer says about each of ``places`` (a municipality's id or slug -> its label): for each
    record naming it, the facts that could tell an active project there (counts, money, flags)."""
    out: dict[str, list[tuple]] = {label: [] for label in set(places.values())}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            record = node.get("properties") if isinstance(node.get("properties"), dict) else node
            label = None
            for key in ("municipality", "municipality_id", "municipality_slug"):
                value = record.get(key)
                if isinstance(value, int | str) and value in places:
                    label = places[value]
                    break
            if label is not None:
                facts = [(k, json.dumps(record.get(k), sort_keys=True)) for k in TWIN_KEYS if k in record]
                if "resolved_at" in record:
                    facts.append(("resolved", str(record["resolved_at"] is not None)))
                if isinstance(record.get("reasons"), list):
                    facts.append(("reasons", ",".join(sorted(str(r.get("code")) for r in record["reasons"]
                                                             if isinstance(r, dict)))))
                out[label].append(tuple(facts))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(data)
    return {label: sorted(records) for label, records in out.items()}


def complete_listing(data: Any) -> bool:
    """Not one page of several (a paginated answer with a next page)."""
    return not (isinstance(data, dict) and data.get("next"))


SECURITY_HEADERS = {
    "content-security-policy": None,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": None,
    "strict-transport-security": None,
}


def header_problems(answer: Answer) -> list[str]:
    """Missing or weak security headers of an HTML page, and cookies set without Secure (or a session
    cookie readable by scripts)."""
    problems = []
    if answer.status == 200 and answer.content_type.startswith("text/html"):
        for name, expected in SECURITY_HEADERS.items():
            value = answer.headers.get(name)
            if value is None or (expected is not None and value.strip().upper() != expected.upper()):
                problems.append(f"header:{name}")
    for cookie in answer.set_cookies:
        name = cookie.split("=", 1)[0].strip()
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        if "secure" not in flags:
            problems.append(f"cookie-not-secure:{name}")
        if name == "sessionid" and "httponly" not in flags:
            problems.append("cookie-not-httponly:sessionid")
    return problems
