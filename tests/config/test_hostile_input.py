"""Hostile input to the API is refused cleanly: in the API's one error format, with 400 or 413, before it reaches
the database, for anonymous and signed-in callers alike; and nothing is written.

The payloads are what a script can send at no cost: JSON nested 100,000 deep (Python's json module recurses and
fails with RecursionError), bodies above the size limit, NaN and Infinity (Python's json module accepts them),
integers beyond any column, floats that overflow to infinity, strings of hundreds of thousands of characters,
lists of thousands of items.
"""

from __future__ import annotations

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import ImportJob, Project, ProjectUpdate, ReviewState
from tests import factories

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
DEEP = 100_000


def _json(value) -> bytes:
    return json.dumps(value).encode()


# (name, body, status, code): what a caller allowed to use the endpoint gets.
PAYLOADS = [
    ("deep-list", b"[" * DEEP + b"]" * DEEP, 400, "nesting_too_deep"),
    ("deep-object", b'{"a":' * DEEP + b"1" + b"}" * DEEP, 400, "nesting_too_deep"),
    ("deep-unclosed", b"[" * DEEP, 400, "nesting_too_deep"),
    ("deep-inside-a-field", b'{"title_en": "x", "sectors": ' + b"[" * DEEP + b"]" * DEEP + b"}", 400,
     "nesting_too_deep"),
    ("one-level-too-deep", b"[" * 33 + b"]" * 33, 400, "nesting_too_deep"),
    ("nan", b'{"username": "u", "password": "p", "budget": NaN, "progress_percent": NaN}', 400, "parse_error"),
    ("infinity", b'{"username": "u", "budget": Infinity}', 400, "parse_error"),
    ("minus-infinity", b'{"username": "u", "budget": -Infinity}', 400, "parse_error"),
    ("float-overflow", b'{"username": "u", "budget": 1e400}', 400, "number_out_of_range"),
    ("int-beyond-64-bits", b'{"username": "u", "beneficiaries_targeted": 9223372036854775808}', 400,
     "number_out_of_range"),
    ("negative-int-beyond-64-bits", b'{"project": -9223372036854775809}', 400, "number_out_of_range"),
    ("int-of-5000-digits", b'{"project": 1' + b"0" * 5000 + b"}", 400, "number_out_of_range"),
    ("long-string", _json({"username": "u", "title_en": "x" * 200_000}), 400, "string_too_long"),
    ("long-key", _json({"k" * 200_000: 1}), 400, "string_too_long"),
    ("nul", _json({"username": "u\u0000", "title_en": "a\u0000"}), 400, "parse_error"),
    ("not-utf-8", b'{"username": "\xff\xfe"}', 400, "parse_error"),
    ("over-the-body-limit", _json({"title_en": "x" * MiB}), 413, "request_too_large"),
    ("over-django-upload-limit", _json({"narrative": ["x" * 1000] * 3000}), 413, "request_too_large"),
]
ENDPOINTS = ["token", "projects-create", "updates-create", "imports-create", "project-edit"]


@pytest.fixture
def world(personas, undp):
    """A project and an update of UNDP's, a token for its focal point, and the counts that must not move."""
    factories.SectorFactory(code="water")
    factories.MunicipalityFactory(slug="tripoli-center")
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT, title_en="Before")
    token = Token.objects.create(user=personas["undp_focal_point"])
    return {"project": project, "token": token}


def _path(endpoint: str, world) -> tuple[str, str]:
    return {
        "token": ("post", "/api/v1/auth/token/"),
        "projects-create": ("post", "/api/v1/projects/"),
        "updates-create": ("post", "/api/v1/updates/"),
        "imports-create": ("post", "/api/v1/imports/"),
        "project-edit": ("patch", f"/api/v1/projects/{world['project'].pk}/"),
    }[endpoint]


def _client(signed_in: bool, world) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.raise_request_exception = False  # a server error must show as the answer, not as the test's exception
    if signed_in:  # a real token through the real authentication, not force_authenticate
        client.credentials(HTTP_AUTHORIZATION=f"Token {world['token'].key}")
    return client


def _written(world) -> tuple:
    project = Project.objects.get(pk=world["project"].pk)
    return (Project.objects.count(), ProjectUpdate.objects.count(), ImportJob.objects.count(),
            list(Token.objects.values_list("key", flat=True)), project.title_en, project.updated_at)


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) >= {"code", "message", "fields"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("name", "body", "status", "code"), PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_hostile_json_is_refused_in_the_error_format_and_nothing_is_written(world, endpoint, signed_in, name, body,
                                                                            status, code):
    before = _written(world)
    method, path = _path(endpoint, world)
    response = getattr(_client(signed_in, world), method)(path, body, content_type="application/json")
    if status != 413 and not signed_in and endpoint != "token":
        # Anonymous callers are turned away before their body is read; a body too large is refused even before
        # that, by its size alone.
        status, code = 403, "not_authenticated"
    _error(response, status, code)
    assert _written(world) == before


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_read(world, endpoint, signed_in):
    before = _written(world)
    method, path = _path(endpoint, world)
    # the declared length alone is enough: the server does not wait for a body it will not take
    response = getattr(_client(signed_in, world), method)(path, b"{}", content_type="application/json",
                                                          CONTENT_LENGTH=str(50 * MiB))
    error = _error(response, 413, "request_too_large")
    assert "1.0\xa0MB" in error["message"], error  # the limit, as Django writes file sizes
    assert _written(world) == before


def test_the_body_limit_is_a_setting(world, settings):
    settings.TANSIQ_API_MAX_BODY_BYTES = 2048
    client = _client(False, world)
    small = client.post("/api/v1/auth/token/", _json({"username": "x" * 1900}), content_type="application/json")
    _error(small, 403, "authentication_failed")  # read, and not a valid login
    big = client.post("/api/v1/auth/token/", _json({"username": "x" * 2100}), content_type="application/json")
    _error(big, 413, "request_too_large")


def test_django_reads_as_much_as_the_api_takes():
    """Django refuses a body above DATA_UPLOAD_MAX_MEMORY_SIZE itself (with a 400 web page): it is never lower
    than the API's own limit, which answers first and in the API's format."""
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= settings.TANSIQ_API_MAX_BODY_BYTES == MiB


def test_an_upload_may_be_as_large_as_the_largest_file_the_api_takes_but_no_larger(world, settings):
    settings.TANSIQ_IMPORT_MAX_BYTES, settings.TANSIQ_ATTACHMENT_MAX_BYTES = 4 * MiB, 2 * MiB
    client = _client(True, world)
    boundary = "BoUnDaRy"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nspreadsheet\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"3w.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + b"a,b\r\n" * (3 * MiB // 5) + f"\r\n--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    taken = client.post("/api/v1/imports/", body, content_type=content_type)
    assert taken.status_code != 413, taken.content[:300]  # 3 MiB: more than the JSON limit, within the upload's
    before = _written(world)
    refused = client.post("/api/v1/imports/", body, content_type=content_type, CONTENT_LENGTH=str(6 * MiB))
    _error(refused, 413, "request_too_large")
    assert _written(world) == before


def test_too_many_form_fields_answer_in_the_error_format(world, client_for):
    fields = "&".join(f"f{i}=1" for i in range(1500))
    response = _client(True, world).post("/api/v1/imports/", fields, content_type="application/x-www-form-urlencoded")
    _error(response, 400, "bad_request")
    page = client_for("undp_focal_point", "en")
    response = page.post("/projects/new/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")  # a page: its own


# --- lists with too many items, checked before any item is -----------------------------------------------------

def _item(kind: str) -> dict:
    return {
        "sectors": {"sector": "water", "percentage": "1"},
        "locations": {"municipality": "tripoli-center"},
        "participations": {"partner": 1, "role": 1},
        "sites": {"name_en": "Well", "lat": 32.88, "lon": 13.18},
        "transactions": {"type": 2, "date": "2025-01-01", "value": "1.00"},
        "related_activities": {"relation": 1, "iati_identifier": "XM-DAC-41114-1"},
        "new_sites": {"name_en": "Well", "lat": 32.88, "lon": 13.18},
    }[kind]


@pytest.mark.parametrize(("kind", "limit"), [("sectors", 30), ("locations", 200), ("participations", 50),
                                             ("sites", 500), ("transactions", 1000), ("related_activities", 200)])
def test_a_project_with_too_many_items_in_a_list_is_refused(world, kind, limit, django_assert_max_num_queries):
    client = _client(True, world)
    body = {"title_en": "Water", "status": 2, "planned_start": "2025-01-01", "planned_end": "2026-01-01",
            kind: [_item(kind)] * (limit + 1)}
    before = _written(world)
    with django_assert_max_num_queries(12):  # refused on the count: no item looked up in the database
        response = client.post("/api/v1/projects/", body, format="json")
    error = _error(response, 400, "invalid")
    assert kind in error["fields"] and str(limit) in json.dumps(error["fields"][kind])
    patched = client.patch(f"/api/v1/projects/{world['project'].pk}/", {kind: [_item(kind)] * (limit + 1)},
                           format="json")
    assert kind in _error(patched, 400, "invalid")["fields"]
    assert _written(world) == before


def test_an_update_with_too_many_new_sites_is_refused(world):
    client = _client(True, world)
    body = {"project": world["project"].pk, "period_start": "2025-01-01", "period_end": "2025-03-31",
            "progress_percent": "10", "status": 2, "new_sites": [_item("new_sites")] * 101}
    before = _written(world)
    error = _error(client.post("/api/v1/updates/", body, format="json"), 400, "invalid")
    assert "new_sites" in error["fields"]
    assert _written(world) == before


# --- the depth scan itself -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "depth"), [
    ("1", 0), ('"["', 0), ("[]", 1), ("[[], [[]]]", 3), ('{"a": {"b": [1, {"c": 2}]}}', 4),
    ('["[[[[", "\\"[[[", {"k]": "}}}"}]', 2), ('"\\\\"', 0), ('["\\\\", [[]]]', 3), ("[" * 40, 40),
])
def test_the_depth_scan_counts_brackets_outside_strings(text, depth):
    from config.api_parsers import json_nesting_depth

    assert json_nesting_depth(text) == depth


def test_a_payload_at_the_depth_limit_is_read(world):
    from config.api_parsers import json_nesting_depth

    body = {"title_en": "x", "sectors": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}  # 32 deep
    assert json_nesting_depth(json.dumps(body)) == 32
    response = _client(True, world).post("/api/v1/projects/", body, format="json")
    assert _error(response, 400, "invalid")["fields"].keys() >= {"sectors"}  # parsed, then refused as invalid


def test_brackets_inside_strings_are_not_nesting(world):
    body = {"username": "[" * 50_000 + "{" * 40_000, "password": "x"}
    response = _client(False, world).post("/api/v1/auth/token/", body, format="json")
    _error(response, 403, "authentication_failed")


# --- server errors under /api/ -------------------------------------------------------------------------------------

def test_a_server_error_under_the_api_answers_json(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something the code did not expect")

    monkeypatch.setattr("projects.api.views.project_list", broken)
    response = _client(True, world).get("/api/v1/projects/")
    error = _error(response, 500, "server_error")
    assert error["fields"] == {} and "something the code" not in response.content.decode()


def test_a_server_error_on_a_page_answers_the_html_page(world, client_for, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something the code did not expect")

    monkeypatch.setattr("projects.views.projects.selectors.project_list_page", broken)
    client = client_for("undp_focal_point", "en")
    client.raise_request_exception = False
    response = client.get("/projects/")
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")
    assert "something the code" not in response.content.decode()


def test_the_error_handlers_are_wired():
    from config import urls

    assert urls.handler400 == "config.api_errors.bad_request"
    assert urls.handler404 == "config.api_errors.not_found"
    assert urls.handler500 == "config.api_errors.server_error"


def test_the_refusals_are_in_the_callers_language(world):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="ar")
    deep = client.post("/api/v1/auth/token/", b"[" * DEEP, content_type="application/json")
    assert "متداخل" in _error(deep, 400, "nesting_too_deep")["message"]
    large = client.post("/api/v1/auth/token/", b"{}", content_type="application/json", CONTENT_LENGTH=str(50 * MiB))
    assert "أكبر من" in _error(large, 413, "request_too_large")["message"]
