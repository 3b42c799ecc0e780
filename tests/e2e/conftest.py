"""Real-browser journeys: Debian's Chromium driven by Playwright against Django's live server."""

from __future__ import annotations

import os
import shutil

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
