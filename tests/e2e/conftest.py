"""Real-browser journeys: Debian's Chromium driven by Playwright against Django's live server."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("TANSIQ_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run scripts/setup.sh (it installs Debian's chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


ABORTED = "net::ERR_ABORTED"


def browser_failure(request) -> bool:
    """A request that failed for a reason other than the browser cancelling it."""
    return request.failure != ABORTED


# Runs in every page before its own scripts (Playwright injects it, outside the page's policy): each
# Content-Security-Policy violation is reported back to the test, whatever page it happened on.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__tansiqCspViolation([event.effectiveDirective, event.blockedURI, event.sourceFile, event.lineNumber,
                               event.sample].join(" "));
});
"""


class BrowserLog:
    """What went wrong in the browser: failed requests, error answers, console errors, any request
    that left this server, and anything the Content-Security-Policy blocked.

    A request the browser itself cancels (net::ERR_ABORTED: a download taking over a navigation, the
    favicon or a poll still loading when the page moves on) is not the app's failure; the server's own
    failures arrive as error answers, which are all kept."""

    def __init__(self, page, live_server):
        self.here = urlsplit(live_server.url).netloc
        self.failed, self.errors, self.console, self.outside, self.csp = [], [], [], [], []
        page.expose_binding("__tansiqCspViolation",
                            lambda source, what: self.csp.append(f"{what} on {source['frame'].url}"))
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("requestfailed", lambda request: self.failed.append((request.url, request.failure)))
        page.on("response", lambda response: response.status >= 400 and self.errors.append(
            f"{response.status} {response.url}"))
        page.on("console", lambda message: message.type == "error" and self.console.append(
            (message.text, message.location.get("url", ""))))
        page.on("pageerror", lambda error: self.console.append((str(error), "")))
        page.on("request", lambda request: urlsplit(request.url).netloc != self.here and self.outside.append(
            request.url))

    def problems(self) -> dict[str, list]:
        return {
            "failed": [f"{url} {why}" for url, why in self.failed if why != ABORTED],
            "errors": self.errors,
            "console": [f"{text} {url}" for text, url in self.console],
            "outside": self.outside,
            "csp": self.csp + [f"{text} {url}" for text, url in self.console if "Content Security Policy" in text],
        }


@pytest.fixture
def watch(page, live_server):
    return BrowserLog(page, live_server)


NOTHING_WRONG = {"failed": [], "errors": [], "console": [], "outside": [], "csp": []}


PASSWORD = "a-long-test-password"


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, as a person would, and land on the dashboard."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].w-100")
    page.wait_for_load_state()
    if "/accounts/two-factor/verify/" in page.url:  # an account that signs in with two factors: its app's code
        page.fill("#id_code", authenticator_code(username))
        page.click("button[type=submit].w-100")
    page.wait_for_url(f"{live_server.url}/")


def authenticator_code(username: str) -> str:
    """The current code of the user's confirmed authenticator app (as the phone would show it)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def screenshot_path(name: str):
    """Where a journey keeps its full-page screenshot: one folder for every journey (CI keeps it as an
    artefact), ``var/screenshots/<name>.png`` under the test run's var directory."""
    from django.conf import settings

    folder = settings.VAR_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
