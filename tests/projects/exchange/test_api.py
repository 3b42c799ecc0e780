"""/api/v1/imports/ and /api/v1/exports/: status codes, the one error format, scope, OpenAPI."""

from __future__ import annotations

import pytest
from django.test import override_settings

from projects.models import ImportJob, Participation, Partner, Project, ReviewState
from tests.projects.exchange.support import CH4_SAMPLE, load_reference, sheet_csv, sheet_row, upload

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Status = ImportJob.Status


@pytest.fixture
def people(db):
    load_reference()


@pytest.fixture
def p(people, personas):
    return personas


def _post(client, data: bytes, kind="spreadsheet", name="3w.csv", capture=None):
    if capture is None:
        return client.post("/api/v1/imports/", {"kind": kind, "file": upload(name, data)}, format="multipart")
    with capture(execute=True):
        response = client.post("/api/v1/imports/", {"kind": kind, "file": upload(name, data)}, format="multipart")
    assert response.status_code == 202, response.content
    # the answer was written before the (test's) transaction committed and the check ran: read the job again
    return client.get(f"/api/v1/imports/{response.json()['id']}/")


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_upload_check_commit(client_for, p, django_capture_on_commit_callbacks):
    client = client_for(p["ministry_admin"], 'en', api=True)
    assert _post(client, sheet_csv([sheet_row()])).status_code == 202  # queued; a second job of the same file
    job = _post(client, sheet_csv([sheet_row()]), capture=django_capture_on_commit_callbacks).json()
    assert job["status"] == "checked" and job["preview"]["new"] == 1 and job["preview"]["errors"] == []
    assert job["progress_done"] == job["progress_total"] > 0 and job["created_by"] == "ministry_admin"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/imports/{job['id']}/commit/")
    assert response.status_code == 202 and response.json()["status"] in ("importing", "done")
    done = client.get(f"/api/v1/imports/{job['id']}/").json()
    assert done["status"] == "done" and done["result"]["new"] == 1
    assert Project.objects.filter(title_en="Solar street lights").exists()

    _assert_error(client.post(f"/api/v1/imports/{job['id']}/commit/"), 400, "invalid")
    _assert_error(client.post(f"/api/v1/imports/{job['id']}/cancel/"), 400, "invalid")


def test_job_with_errors_cannot_be_committed(client_for, p, django_capture_on_commit_callbacks):
    client = client_for(p["ministry_admin"], 'en', api=True)
    job = _post(client, sheet_csv([sheet_row(**{"#status": "Sleeping"})]),
                capture=django_capture_on_commit_callbacks).json()
    assert job["status"] == "invalid" and job["preview"]["errors"][0]["column"] == "#status"
    error = _assert_error(client.post(f"/api/v1/imports/{job['id']}/commit/"), 400, "invalid")
    assert "Only a checked file" in error["message"]
    assert client.post(f"/api/v1/imports/{job['id']}/cancel/").json()["status"] == "cancelled"


@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "pdf"}, "kind"),
    ({"kind": "spreadsheet"}, "file"),
])
def test_invalid_requests(client_for, p, payload, field):
    response = client_for(p["ministry_admin"], 'en', api=True).post("/api/v1/imports/", payload, format="multipart")
    error = _assert_error(response, 400, "invalid")
    assert field in error["fields"]


def test_bad_files_are_refused_in_the_error_format(client_for, p):
    client = client_for(p["ministry_admin"], 'en', api=True)
    error = _assert_error(_post(client, b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'x'>]><iati-activities/>",
                                kind="iati", name="evil.xml"), 400, "invalid")
    assert "DTD" in error["fields"]["file"][0]
    with override_settings(TANSIQ_IMPORT_MAX_BYTES=1024):
        error = _assert_error(_post(client, b"x" * 2048, kind="iati", name="big.xml"), 400, "invalid")
    assert "the limit is 1.0" in error["message"] + " ".join(error["fields"]["file"])
    assert ImportJob.objects.count() == 0


def test_who_may_upload(client_for, p):
    _assert_error(_post(client_for(None, 'en', api=True), sheet_csv([sheet_row()])), 403, "not_authenticated")
    error = _assert_error(_post(client_for(p["viewer"], 'en', api=True), sheet_csv([sheet_row()])), 403, "permission_denied")
    assert error["message"] == "You may not import projects."
    assert ImportJob.objects.count() == 0


def test_focal_point_scope(client_for, p, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    undp_fp, unicef_fp = p["undp_focal_point"], p["unicef_focal_point"]
    for _i in range(3):
        _post(client_for(undp_fp, 'en', api=True), sheet_csv([sheet_row(**{"#org+reporting": ""})]), capture=django_capture_on_commit_callbacks)
    theirs = _post(client_for(unicef_fp, 'en', api=True), CH4_SAMPLE.read_bytes(), kind="iati", name="ch4.xml",
                   capture=django_capture_on_commit_callbacks).json()
    assert theirs["status"] == "invalid" and theirs["partner"] == "UNICEF"

    client = client_for(undp_fp, 'en', api=True)
    with django_assert_max_num_queries(6):
        listing = client.get("/api/v1/imports/")
    assert listing.status_code == 200 and listing.json()["count"] == 3
    assert {job["partner"] for job in listing.json()["results"]} == {"UNDP"}
    _assert_error(client.get(f"/api/v1/imports/{theirs['id']}/"), 404, "not_found")
    _assert_error(client.post(f"/api/v1/imports/{theirs['id']}/cancel/"), 404, "not_found")
    assert client_for(p["ministry_analyst"], 'en', api=True).get("/api/v1/imports/").json()["count"] == 4


def test_exports(client_for, p):
    client = client_for(p["ministry_analyst"], 'en', api=True)
    _assert_error(client.get("/api/v1/exports/iati/"), 404, "not_found")
    unicef = Partner.objects.get(acronym="UNICEF")
    project = Project.objects.create(reporting_partner=unicef, title_en="Schools", state=ReviewState.ACCEPTED,
                                     planned_start="2025-01-01")
    Participation.objects.create(project=project, partner=unicef, role=4)
    xml = client.get("/api/v1/exports/iati/", {"partner": "XM-DAC-41122"})
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml" and b"<iati-activities" in xml.getvalue()
    _assert_error(client.get("/api/v1/exports/iati/", {"partner": "XM-DAC-41114"}), 404, "not_found")

    csv_response = client.get("/api/v1/exports/3w/", {"format": "csv"})
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    assert "Schools" in csv_response.getvalue().decode("utf-8-sig")
    assert client.get("/api/v1/exports/3w/", {"format": "xlsx"}).getvalue()[:2] == b"PK"
    error = _assert_error(client.get("/api/v1/exports/3w/", {"format": "pdf"}), 400, "invalid")
    assert "format" in error["fields"]
    _assert_error(client_for(None, 'en', api=True).get("/api/v1/exports/3w/"), 403, "not_authenticated")


def test_openapi_documents_the_exchange(client_for, p):
    client = client_for(p["ministry_admin"], 'en', api=True)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    upload_body = paths["/api/v1/imports/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body
    assert "202" in paths["/api/v1/imports/"]["post"]["responses"]
    assert "/api/v1/imports/{id}/commit/" in paths and "/api/v1/imports/{id}/cancel/" in paths
    threew = paths["/api/v1/exports/3w/"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(threew)
    assert "application/xml" in paths["/api/v1/exports/iati/"]["get"]["responses"]["200"]["content"]
    assert paths["/api/v1/exports/iati/"]["get"]["responses"]["404"]
