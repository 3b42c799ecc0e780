"""The security log: each kind of event, driven through the real routes, is recorded with who, from where and what;
only ministry administrators read it; old rows are pruned; a failed write never fails the request."""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from accounts.origin import client_ip
from accounts.services import security_event_record, security_events_prune
from projects.models import ActivityStatus, Participation, Project, ProjectUpdate, ReviewState
from projects.reporting.services.attachments import update_attachment_add
from tests import factories

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
PASSWORD = "a-long-test-password"
# Not the bytes other tests upload: the in-memory file store outlives each test, and a shared name would clash.
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%% security log\n%%EOF\n"


def events(kind: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind).order_by("pk"))


def only(kind: str) -> SecurityEvent:
    found = events(kind)
    assert len(found) == 1, [(e.kind, e.username, e.path) for e in found]
    return found[0]


# --- sign-in, failures, lock-out, sign-out: a real login POST through django-axes ------------------------


def test_a_sign_in_and_a_sign_out_are_recorded_with_user_address_and_path(client):
    user = factories.UserFactory(username="analyst", password=PASSWORD)
    response = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD},
                           HTTP_USER_AGENT="Firefox/128")
    assert response.status_code == 302
    event = only(Kind.SIGN_IN)
    assert (event.user, event.username, event.ip, event.method, event.path) == (
        user, "analyst", "127.0.0.1", "POST", "/accounts/login/")
    assert event.user_agent == "Firefox/128"
    client.post(reverse("logout"))
    out = only(Kind.SIGN_OUT)
    assert (out.user, out.path, out.ip) == (user, "/accounts/logout/", "127.0.0.1")


def test_a_failed_sign_in_keeps_the_name_tried_and_links_the_account_when_there_is_one(client):
    user = factories.UserFactory(username="analyst", password=PASSWORD)
    client.post(reverse("login"), {"username": "analyst", "password": "wrong"})
    client.post(reverse("login"), {"username": "no-such-person", "password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    known, unknown = events(Kind.SIGN_IN_FAILED)
    assert (known.user, known.username, known.ip, known.path) == (user, "analyst", "127.0.0.1", "/accounts/login/")
    assert (unknown.user, unknown.username, unknown.ip) == (None, "no-such-person", "198.51.100.7")
    assert not events(Kind.SIGN_IN)


def test_a_lock_out_is_recorded(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = factories.UserFactory(username="target", password=PASSWORD)
    for _ in range(2):
        client.post(reverse("login"), {"username": "target", "password": "guess"})
    assert client.post(reverse("login"), {"username": "target", "password": PASSWORD}).status_code == 429
    locked = events(Kind.LOCKED_OUT)
    assert locked and all((e.user, e.username, e.ip) == (user, "target", "127.0.0.1") for e in locked)
    assert locked[0].path == "/accounts/login/"
    assert not events(Kind.SIGN_IN)


def test_a_failed_api_token_request_is_a_failed_sign_in(client_for):
    factories.UserFactory(username="script", password=PASSWORD)
    client_for(None, "en", api=True).post(reverse("api:auth-token"), {"username": "script", "password": "x"},
                                          format="json")
    event = only(Kind.SIGN_IN_FAILED)
    assert (event.username, event.path) == ("script", "/api/v1/auth/token/")


# --- API tokens ----------------------------------------------------------------------------------------


def test_api_tokens_created_and_revoked_on_the_account_page_and_through_the_api(client_for, personas):
    fp = personas["undp_focal_point"]
    page = client_for(fp, "en")
    page.post(reverse("api_token"), {"action": "renew"})
    page.post(reverse("api_token"), {"action": "renew"})
    page.post(reverse("api_token"), {"action": "revoke"})
    page.post(reverse("api_token"), {"action": "revoke"})  # nothing left to revoke: nothing recorded
    first, second = events(Kind.API_TOKEN_CREATED)
    assert (first.user, first.path, first.ip, first.detail) == (fp, "/projects/api-token/", "127.0.0.1", "")
    assert second.detail == "replaced the previous token"
    assert only(Kind.API_TOKEN_REVOKED).user == fp

    anonymous = client_for(None, "en", api=True)
    created = anonymous.post(reverse("api:auth-token"), {"username": "undp_fp", "password": PASSWORD}, format="json")
    assert created.status_code == 201
    by_password = events(Kind.API_TOKEN_CREATED)[-1]
    assert (by_password.user, by_password.path, by_password.method) == (fp, "/api/v1/auth/token/", "POST")
    with_token = client_for(None, "en", api=True)
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {created.json()['token']}")
    assert with_token.delete(reverse("api:auth-token")).status_code == 204
    assert events(Kind.API_TOKEN_REVOKED)[-1].path == "/api/v1/auth/token/"


# --- refusals: pages, API, services' PermissionDenied, CSRF ----------------------------------------------


def test_a_refused_page_is_recorded_with_the_reason(client_for, personas):
    viewer = client_for("viewer", "en")
    response = viewer.post(reverse("exchange_home"), {"kind": "spreadsheet"})
    assert response.status_code == 403
    event = only(Kind.PERMISSION_DENIED)
    assert (event.user, event.method, event.path, event.ip) == (personas["viewer"], "POST", "/exchange/", "127.0.0.1")
    assert event.detail == "You may not import projects."


def test_a_refusal_by_a_service_through_the_api_is_recorded_with_its_code(client_for, personas):
    viewer = client_for("viewer", "en", api=True)
    sheet = SimpleUploadedFile("x.csv", b"a,b\n", content_type="text/csv")
    response = viewer.post("/api/v1/imports/", {"kind": "spreadsheet", "file": sheet}, format="multipart")
    assert response.status_code == 403
    event = only(Kind.PERMISSION_DENIED)
    assert (event.user, event.path) == (personas["viewer"], "/api/v1/imports/")
    assert event.detail == "permission_denied: You may not import projects."


def test_an_anonymous_api_call_and_a_csrf_failure_are_refusals_too(personas):
    Client().get("/api/v1/projects/", REMOTE_ADDR="203.0.113.5")
    anonymous = only(Kind.PERMISSION_DENIED)
    assert (anonymous.user, anonymous.ip, anonymous.path) == (None, "203.0.113.5", "/api/v1/projects/")
    assert anonymous.detail.startswith("not_authenticated:")
    SecurityEvent.objects.all().delete()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas["undp_focal_point"])
    assert strict.post(reverse("api_token"), {"action": "renew"}).status_code == 403
    forged = only(Kind.PERMISSION_DENIED)
    assert (forged.user, forged.path) == (personas["undp_focal_point"], "/projects/api-token/")


# --- exports and confidential downloads ------------------------------------------------------------------


@pytest.fixture
def accepted_project(personas, unicef):
    project = Project.objects.create(reporting_partner=unicef, title_en="Schools", state=ReviewState.ACCEPTED,
                                     planned_start="2025-01-01")
    Participation.objects.create(project=project, partner=unicef, role=4)
    return project


def test_exports_from_the_pages_and_the_api_are_recorded(client_for, personas, accepted_project):
    page = client_for("ministry_analyst", "en")
    assert page.get(reverse("exchange_3w"), {"format": "xlsx", "q": "Schools"}).status_code == 200
    assert page.get(reverse("exchange_iati")).status_code == 200
    page.get(reverse("exchange_template"))  # the empty template exports nothing
    api = client_for("ministry_analyst", "en", api=True)
    assert api.get("/api/v1/exports/3w/", {"format": "csv"}).status_code == 200
    assert api.get("/api/v1/exports/iati/", {"partner": "XM-DAC-41122"}).status_code == 200
    sheet, iati, api_sheet, api_iati = events(Kind.EXPORT)
    analyst = personas["ministry_analyst"]
    assert all(e.user == analyst and e.ip == "127.0.0.1" for e in (sheet, iati, api_sheet, api_iati))
    assert (sheet.path, sheet.object_ref, sheet.detail) == ("/exchange/3w/", "tansiq-3w.xlsx",
                                                          "format=xlsx; q=Schools")
    assert (iati.path, iati.object_ref, iati.detail) == ("/exchange/iati.xml", "tansiq-iati.xml",
                                                          "partner=*; activities=1")
    assert (api_sheet.path, api_sheet.object_ref, api_sheet.detail) == ("/api/v1/exports/3w/", "tansiq-3w.csv",
                                                                        "format=csv")
    assert api_iati.detail == "partner=XM-DAC-41122; activities=1"


def test_attachment_downloads_are_recorded_and_refused_ones_are_not(client_for, personas, undp):
    project = factories.ProjectFactory(reporting_partner=undp)
    update = ProjectUpdate.objects.create(project=project, partner=project.reporting_partner, period_start="2025-01-01", period_end="2025-03-31",
                                          progress_percent=10, status=ActivityStatus.IMPLEMENTATION)
    attachment = update_attachment_add(update=update, user=personas["undp_focal_point"],
                                       upload=SimpleUploadedFile("تقرير.pdf", PDF, content_type="application/pdf"))
    page_url = reverse("update_attachment_download", args=[update.pk, attachment.pk])
    api_url = reverse("api:update-attachment-download", args=[update.pk, attachment.pk])
    assert client_for("undp_focal_point", "en").get(page_url).status_code == 200
    assert client_for("ministry_analyst", "en", api=True).get(api_url).status_code == 200
    assert client_for("unicef_focal_point", "en").get(page_url).status_code == 404  # not theirs to see
    by_page, by_api = events(Kind.CONFIDENTIAL_DOWNLOAD)
    ref = f"projects.updateattachment:{attachment.pk}"
    assert (by_page.user, by_page.path, by_page.object_ref, by_page.detail) == (
        personas["undp_focal_point"], page_url, ref, "تقرير.pdf")
    assert (by_api.user, by_api.path, by_api.object_ref) == (personas["ministry_analyst"], api_url, ref)


# --- where from: only trusted proxies are believed -------------------------------------------------------


class FakeRequest:
    def __init__(self, remote: str, forwarded: str | None = None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


PROXY = [ipaddress.ip_network("10.0.0.0/24")]


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), [
    ([], "198.51.100.1", "203.0.113.9", "198.51.100.1"),  # no proxy named: the header is anyone's to write
    (PROXY, "198.51.100.1", "203.0.113.9", "198.51.100.1"),  # not from the proxy: the header is ignored
    (PROXY, "10.0.0.2", "203.0.113.9", "203.0.113.9"),
    (PROXY, "10.0.0.2", "192.0.2.66, 203.0.113.9", "203.0.113.9"),  # a client's own hop on the left is not believed
    (PROXY, "10.0.0.2", "203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two trusted proxies in a row
    (PROXY, "10.0.0.2", "not-an-ip", "10.0.0.2"),
    (PROXY, "10.0.0.2", None, "10.0.0.2"),
    ([], "", None, None),
])
def test_the_client_address_honours_only_the_named_proxies(settings, proxies, remote, forwarded, expected):
    settings.TANSIQ_TRUSTED_PROXIES = proxies
    assert client_ip(FakeRequest(remote, forwarded)) == expected


def test_a_sign_in_behind_the_trusted_proxy_records_the_client_and_axes_agrees(client, settings):
    from axes.models import AccessAttempt

    settings.TANSIQ_TRUSTED_PROXIES = PROXY
    factories.UserFactory(username="analyst", password=PASSWORD)
    client.post(reverse("login"), {"username": "analyst", "password": "wrong"}, REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert only(Kind.SIGN_IN_FAILED).ip == "203.0.113.9"
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


# --- who reads the log -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [
    ("ministry_admin", 200), ("ministry_analyst", 302), ("undp_focal_point", 302), ("viewer", 302),
    ("anonymous", 302),
])
def test_only_ministry_administrators_read_the_log_in_the_admin(client_for, persona, status):
    security_event_record(kind=Kind.SIGN_IN_FAILED, username="someone")
    response = client_for(persona, "en").get(reverse("admin:accounts_securityevent_changelist"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert "someone" in response.content.decode()


def test_staff_without_the_permission_are_refused_and_nobody_edits_the_log(client_for, personas):
    event = security_event_record(kind=Kind.SIGN_IN_FAILED, username="someone")
    staff = factories.UserFactory(username="clerk", is_staff=True)
    assert client_for(staff, "en").get(reverse("admin:accounts_securityevent_changelist")).status_code == 403
    admin = client_for("ministry_admin", "en")
    assert admin.get(reverse("admin:accounts_securityevent_add")).status_code == 403
    assert admin.post(reverse("admin:accounts_securityevent_delete", args=[event.pk]), {"post": "yes"}
                      ).status_code == 403
    detail = admin.get(reverse("admin:accounts_securityevent_change", args=[event.pk]))
    assert detail.status_code == 200 and 'type="submit"' not in detail.content.decode().split("<form")[-1]
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_filters_by_kind_user_and_date(client_for, personas):
    analyst = personas["ministry_analyst"]
    security_event_record(kind=Kind.EXPORT, user=analyst, object_ref="tansiq-3w.csv")
    security_event_record(kind=Kind.SIGN_IN_FAILED, username="ghost")
    old = security_event_record(kind=Kind.EXPORT, user=analyst, object_ref="tansiq-old.csv")
    SecurityEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    admin = client_for("ministry_admin", "en")
    url = reverse("admin:accounts_securityevent_changelist")
    by_kind = admin.get(url, {"kind__exact": Kind.EXPORT}).context["cl"].result_list
    assert {e.object_ref for e in by_kind} == {"tansiq-3w.csv", "tansiq-old.csv"}
    by_user = admin.get(url, {"user__id__exact": analyst.pk}).context["cl"].result_list
    assert {e.object_ref for e in by_user} == {"tansiq-3w.csv", "tansiq-old.csv"}
    since = str(timezone.now() - timedelta(days=7))  # as the admin's "past 7 days" link writes it
    recent = admin.get(url, {"created_at__gte": since, "kind__exact": Kind.EXPORT}).context["cl"].result_list
    assert {e.object_ref for e in recent} == {"tansiq-3w.csv"}


def test_ministry_administrators_hold_the_permission_through_their_group(personas):
    assert personas["ministry_admin"].has_perm("accounts.view_securityevent")
    for name in ("ministry_analyst", "rapporteur", "undp_focal_point", "viewer"):
        assert not personas[name].has_perm("accounts.view_securityevent"), name


# --- keeping and pruning ---------------------------------------------------------------------------------


def test_pruning_deletes_only_rows_older_than_the_period(settings):
    from accounts.tasks import security_events_prune as task

    settings.TANSIQ_SECURITY_LOG_DAYS = 30
    now = timezone.now()
    ages = {"old": 31, "edge": 29, "new": 0}
    for name, days in ages.items():
        event = security_event_record(kind=Kind.SIGN_IN_FAILED, username=name)
        SecurityEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=days))
    assert task.delay().get() == 1
    assert set(SecurityEvent.objects.values_list("username", flat=True)) == {"edge", "new"}
    assert security_events_prune(days=30) == 0  # safe to run twice
    assert security_events_prune(days=1, now=now + timedelta(days=30)) == 2


def test_the_daily_prune_is_in_the_beat_schedule():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["security-log-prune-daily"]
    assert entry["task"] == "accounts.tasks.security_events_prune"
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}


# --- a failed write does not fail the request, and is not silent -----------------------------------------


def test_a_log_that_cannot_be_written_neither_fails_the_sign_in_nor_goes_unnoticed(client, monkeypatch, caplog):
    factories.UserFactory(username="analyst", password=PASSWORD)

    def broken(**fields):
        raise DatabaseError("disk full")

    monkeypatch.setattr(SecurityEvent.objects, "create", broken)
    with caplog.at_level(logging.ERROR, logger="tansiq.security"):
        response = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200
    assert any("NOT STORED" in r.getMessage() and "sign_in" in r.getMessage() and "analyst" in r.getMessage()
               for r in caplog.records)


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        security_event_record(kind="hacked")
