"""A ministry administrator's first sign-in in a real browser (Arabic pages): password, then set up an
authenticator app from the QR page, keep the recovery codes, reach the dashboard; the next sign-in asks for a code."""

from __future__ import annotations

import base64
import time

import pytest
from django_otp.oath import TOTP

from tests import factories
from tests.e2e.conftest import NOTHING_WRONG, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _password(page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].w-100")
    page.wait_for_load_state()


def test_an_administrator_sets_up_the_app_then_signs_in_with_it(page, live_server, watch):
    from django.contrib.auth.models import Group

    from coordination import roles

    roles.roles_sync()
    admin = factories.UserFactory(username="admin", password=PASSWORD, is_staff=True)
    admin.groups.add(Group.objects.get(name=roles.MINISTRY_ADMIN))

    _password(page, live_server)
    assert page.url == f"{live_server.url}/accounts/two-factor/setup/?next=/"
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("svg.two-factor-qr").is_visible()
    assert page.locator("nav a.nav-link").count() == 0  # no menu before the second factor
    page.click("details summary")
    secret = page.inner_text("[data-testid=two-factor-secret]")
    page.fill("#id_code", _code(secret))
    page.click("form button[type=submit].btn-lg")
    page.wait_for_load_state()
    assert page.locator("[data-testid=recovery-codes] code").count() == 10
    page.click("a.btn-primary")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "لجنة الدعم الدولي"

    page.click("form[action$='logout/'] button")
    page.wait_for_load_state()
    _password(page, live_server)
    assert page.url == f"{live_server.url}/accounts/two-factor/verify/?next=/"
    page.fill("#id_code", _code(secret, steps_ahead=1))  # the set-up's own code cannot be used twice
    page.click("button[type=submit].w-100")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "لجنة الدعم الدولي"
    assert watch.problems() == NOTHING_WRONG
