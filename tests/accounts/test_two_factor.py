"""Two-factor sign-in: ministry administrators and superusers give a code from an authenticator app (or a recovery
code) after their password before any page, and set an app up first if they have none; anyone else may turn it
on; API tokens are not asked for it, and a password alone does not get one for a two-factor account."""

from __future__ import annotations

import re
import time
from binascii import unhexlify
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import SecurityEvent
from accounts.views import SETUP_KEY
from tests import factories

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
PASSWORD = "a-long-test-password"
SETUP = reverse("two_factor_setup")
VERIFY = reverse("two_factor_verify")


def code(key: str, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or ``steps_ahead`` periods of 30 s later)."""
    totp = TOTP(unhexlify(key))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def not_the_code(key: str) -> str:
    """Six digits that are none of the codes the app would accept now (the one before, now, or the next)."""
    accepted = {code(key, step) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in accepted)


def sign_in(username: str, language: str = "en") -> Client:
    """A browser that signed in with the password on the real login page."""
    client = Client()
    client.cookies["django_language"] = language
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def app_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def unthrottle(device: TOTPDevice) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1))


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))


# --- administrators -------------------------------------------------------------------------------------


def test_an_administrator_without_an_app_sets_one_up_before_reaching_any_page(personas):
    client = sign_in("ministry_admin")
    for path in ("/", "/projects/", "/admin/", reverse("api_token")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(SETUP), path
    assert client.get("/projects/")["Location"] == f"{SETUP}?next=/projects/"
    api = client.get("/api/v1/projects/")  # the session cannot go round through the API either
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"

    page = client.get(SETUP, {"next": "/projects/"})
    html = page.content.decode()
    assert page.status_code == 200 and '<svg role="img"' in html and 'class="two-factor-qr"' in html
    key = client.session[SETUP_KEY]
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32 and "otpauth://totp/Tansiq%3Aministry_admin?secret=" in html
    assert 'href="/projects/"' not in html  # the menu waits for the second factor

    wrong = client.post(SETUP, {"code": not_the_code(key), "next": "/projects/"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    assert client.get("/").status_code == 302
    done = client.post(SETUP, {"code": code(key), "next": "/projects/"})
    assert done.status_code == 200
    codes = re.findall(r'<code class="user-select-all">([a-z2-7]{8})</code>', done.content.decode())
    assert len(codes) == 10 and StaticToken.objects.filter(device__user=personas["ministry_admin"]).count() == 10
    assert 'href="/projects/"' in done.content.decode()  # "continue" goes where they were going
    assert client.get("/projects/").status_code == 200
    assert TOTPDevice.objects.get(user=personas["ministry_admin"]).confirmed
    assert SETUP_KEY not in client.session
    assert kinds() == [Kind.SIGN_IN, Kind.PERMISSION_DENIED, Kind.TWO_FACTOR_FAILED, Kind.TWO_FACTOR_SET_UP]


def test_an_administrator_with_an_app_gives_its_code_before_any_page(personas):
    admin = personas["ministry_admin"]
    device = app_for(admin)
    client = sign_in("ministry_admin")
    response = client.get("/coordination/duplicates/")
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next=/coordination/duplicates/"
    # Nor can a password alone replace the app with another one.
    assert client.get(SETUP)["Location"].startswith(VERIFY)

    wrong = client.post(VERIFY, {"code": not_the_code(device.key), "next": "/"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    throttled = client.post(VERIFY, {"code": code(device.key), "next": "/"})
    assert throttled.status_code == 400 and "Too many wrong codes" in throttled.content.decode()
    assert client.get("/").status_code == 302
    failed = SecurityEvent.objects.filter(kind=Kind.TWO_FACTOR_FAILED).order_by("pk")
    assert [(e.user, e.detail, e.path) for e in failed] == [
        (admin, "wrong app code", VERIFY), (admin, "throttled", VERIFY)]

    unthrottle(device)
    session_before = client.session.session_key
    accepted = client.post(VERIFY, {"code": f" {code(device.key)[:3]} {code(device.key)[3:]} ",
                                    "next": "/coordination/duplicates/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/coordination/duplicates/"
    assert client.session.session_key != session_before  # a new session id once both factors are given
    assert client.get("/coordination/duplicates/").status_code == 200
    assert SecurityEvent.objects.get(kind=Kind.TWO_FACTOR_PASSED).user == admin

    # The same code does not open a second session (django-otp keeps the last time step used).
    other = sign_in("ministry_admin")
    assert other.post(VERIFY, {"code": code(device.key)}).status_code == 400


def test_a_recovery_code_signs_in_once(personas):
    admin = personas["ministry_admin"]
    app_for(admin)
    codes = services.recovery_codes_renew(user=admin)
    client = sign_in("ministry_admin")
    used = client.post(VERIFY, {"code": codes[0].upper(), "next": "/"}, follow=True)
    assert used.redirect_chain[-1][0] == "/" and used.status_code == 200
    assert "recovery code; 9 are left" in used.content.decode()
    assert StaticToken.objects.filter(device__user=admin).count() == 9
    event = SecurityEvent.objects.get(kind=Kind.RECOVERY_CODE_USED)
    assert (event.user, event.detail) == (admin, "9 left")

    again = sign_in("ministry_admin")
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert again.get("/").status_code == 302
    assert SecurityEvent.objects.filter(kind=Kind.TWO_FACTOR_FAILED, detail="wrong recovery code").count() == 1


def test_renewed_recovery_codes_replace_the_old_ones(client_for, personas):
    admin = personas["ministry_admin"]
    client = client_for("ministry_admin", "en")
    first = services.recovery_codes_renew(user=admin)
    page = client.post(reverse("two_factor_recovery_codes"))
    renewed = re.findall(r'<code class="user-select-all">([a-z2-7]{8})</code>', page.content.decode())
    assert page.status_code == 200 and len(renewed) == 10 and not set(renewed) & set(first)
    assert set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True)) == set(renewed)
    assert SecurityEvent.objects.filter(kind=Kind.RECOVERY_CODES_RENEWED, user=admin).count() == 2


def test_a_superuser_must_use_two_factors_too_and_the_rule_can_be_turned_off(settings):
    factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    assert sign_in("root").get("/admin/")["Location"].startswith(SETUP)
    settings.TANSIQ_2FA_REQUIRED_FOR_ADMINS = False
    assert sign_in("root").get("/admin/").status_code == 200


def test_a_verified_session_reaches_the_admin_and_the_security_log(personas):
    device = app_for(personas["ministry_admin"])
    client = sign_in("ministry_admin")
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": code(device.key), "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("admin:accounts_securityevent_changelist")).status_code == 200


def test_next_stays_on_this_site(personas):
    device = app_for(personas["ministry_admin"])
    client = sign_in("ministry_admin")
    response = client.post(VERIFY, {"code": code(device.key), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_an_htmx_request_is_sent_to_the_whole_page(personas):
    app_for(personas["ministry_admin"])
    client = sign_in("ministry_admin")
    response = client.get("/exchange/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(VERIFY)


# --- everyone else --------------------------------------------------------------------------------------


def test_an_analyst_without_an_app_is_not_asked(personas):
    client = sign_in("ministry_analyst")
    assert client.get("/").status_code == 200 and client.get("/projects/").status_code == 200


def test_anyone_may_turn_it_on_from_the_account_page_and_is_then_asked_at_each_sign_in(personas):
    analyst = personas["ministry_analyst"]
    client = sign_in("ministry_analyst")
    account = client.get(reverse("api_token")).content.decode()
    assert f'href="{reverse("two_factor")}"' in account and "Off: your password alone signs you in." in account
    assert "Set up two-factor sign-in" in client.get(reverse("two_factor")).content.decode()
    client.get(SETUP)
    key = client.session[SETUP_KEY]
    assert client.post(SETUP, {"code": code(key)}).status_code == 200
    assert "On: each sign-in" in client.get(reverse("api_token")).content.decode()

    later = sign_in("ministry_analyst")
    assert later.get("/")["Location"].startswith(VERIFY)
    assert later.post(VERIFY, {"code": code(key, steps_ahead=1)}).status_code == 302
    assert later.get("/").status_code == 200

    assert later.post(reverse("two_factor_off")).status_code == 302
    assert not TOTPDevice.objects.filter(user=analyst).exists()
    assert not StaticToken.objects.filter(device__user=analyst).exists()
    assert sign_in("ministry_analyst").get("/").status_code == 200
    assert Kind.TWO_FACTOR_TURNED_OFF in kinds()


def test_administrators_cannot_turn_it_off(client_for, personas):
    client = client_for("ministry_admin", "en")
    assert "Turn two-factor sign-in off" not in client.get(reverse("two_factor")).content.decode()
    assert client.post(reverse("two_factor_off")).status_code == 403
    assert TOTPDevice.objects.filter(user=personas["ministry_admin"]).exists()


# --- the API ---------------------------------------------------------------------------------------------


def test_api_tokens_are_not_asked_for_a_second_factor_but_a_password_alone_gets_none(personas):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    admin = personas["ministry_admin"]
    app_for(admin)
    token = Token.objects.create(user=admin)
    scripted = APIClient()
    scripted.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert scripted.get("/api/v1/projects/").status_code == 200
    assert scripted.get("/api/v1/review-queue/").status_code == 200

    by_password = APIClient().post(reverse("api:auth-token"), {"username": "ministry_admin", "password": PASSWORD},
                                   format="json")
    assert by_password.status_code == 403 and by_password.json()["error"]["code"] == "permission_denied"
    assert Token.objects.get(user=admin).key == token.key  # untouched
    attempt = SecurityEvent.objects.get(kind=Kind.TWO_FACTOR_FAILED)  # a right password, and no second factor
    assert (attempt.user, attempt.path, attempt.detail) == (admin, "/api/v1/auth/token/",
                                                            "API token asked with the password alone")
    assert SecurityEvent.objects.get(kind=Kind.PERMISSION_DENIED).path == "/api/v1/auth/token/"
    # Those without two-factor sign-in still get one with their password.
    assert APIClient().post(reverse("api:auth-token"), {"username": "ministry_analyst", "password": PASSWORD},
                            format="json").status_code == 201


# --- the pages, in both languages, and the test suite's own way in --------------------------------------


@pytest.mark.parametrize(("language", "direction", "heading"), [
    ("ar", "rtl", "إعداد الدخول بخطوتين"), ("en", "ltr", "Set up two-factor sign-in")])
def test_the_set_up_page_in_arabic_and_english(personas, language, direction, heading):
    html = sign_in("ministry_admin", language).get(SETUP).content.decode()
    assert f'dir="{direction}"' in html and heading in html
    assert "style=" not in html and "<script>" not in html


@pytest.mark.parametrize(("language", "heading"), [("ar", "تأكيد تسجيل الدخول"), ("en", "Confirm your sign-in")])
def test_the_verify_page_in_arabic_and_english(personas, language, heading):
    app_for(personas["ministry_admin"])
    html = sign_in("ministry_admin", language).get(VERIFY).content.decode()
    assert heading in html and 'autocomplete="one-time-code"' in html


def test_client_for_signs_administrators_in_with_both_factors_while_the_rule_stays_on(client_for, personas):
    client = client_for("ministry_admin", "en")
    assert client.get("/").status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("otp_totp.totpdevice/")
    plain = Client()
    plain.force_login(personas["ministry_admin"])  # a password-only session, as before this rule
    assert plain.get("/")["Location"].startswith(VERIFY)


def test_a_user_made_administrator_during_a_session_is_held_back_at_once(personas):
    from django.contrib.auth.models import Group

    analyst = personas["ministry_analyst"]
    client = sign_in("ministry_analyst")
    assert client.get("/").status_code == 200
    analyst.groups.add(Group.objects.get(name="ministry_admin"))
    assert client.get("/")["Location"].startswith(SETUP)  # asked on every request, not only at sign-in


def test_administrators_remove_a_lost_app_in_the_admin_without_seeing_its_secret(client_for, personas):
    lost = app_for(personas["ministry_analyst"])
    admin = client_for("ministry_admin", "en")
    page = admin.get(reverse("admin:otp_totp_totpdevice_change", args=[lost.pk])).content.decode()
    assert lost.key not in page
    assert admin.post(reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk]), {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    assert client_for("ministry_analyst", "en").get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 302
