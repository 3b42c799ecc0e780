"""What the OpenAPI document promises generated clients, checked one rule at a time: JSON request bodies, paged
lists (a bad page is a 400), error bodies whose ``fields`` are lists, zone offsets refused cleanly, currencies
from the codelist, an English document with untranslated names, JSON errors under /api/ even with DEBUG on."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from projects.codelists import currency_codes
from projects.models import ActivityStatus, Project
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client_for):
    response = client_for("ministry_analyst", "ar", api=True).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


def test_request_bodies_are_json_unless_they_upload_a_file(document):
    uploads = {("post", "/api/v1/imports/"), ("post", "/api/v1/updates/{update_pk}/attachments/")}
    bodies = {(method, path): set(op["requestBody"]["content"]) for method, path, op in _operations(document)
              if "requestBody" in op}
    assert ("post", "/api/v1/projects/") in bodies and ("patch", "/api/v1/projects/{id}/") in bodies
    for key, types in bodies.items():
        assert types == ({"multipart/form-data"} if key in uploads else {"application/json"}), (key, types)


def test_a_form_body_is_refused_in_the_error_format(client_for, personas):
    response = client_for("undp_focal_point", "en", api=True).post(
        reverse("api:project-list"), "title_en=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"


def test_every_list_is_documented_as_a_page(document):
    # An update's attachments are a few files at most (TANSIQ_ATTACHMENT_MAX_PER_UPDATE): one array, not pages.
    unpaged = {"/api/v1/updates/{update_pk}/attachments/"}
    lists = [(path, op) for method, path, op in _operations(document)
             if method == "get" and (op["operationId"].endswith("_list") or path in {"/api/v1/gaps/"})
             and path not in unpaged]
    assert len(lists) >= 15
    for path, op in lists:
        ref = op["responses"]["200"]["content"]
        schema = next(iter(ref.values()))["schema"]
        name = schema["$ref"].rsplit("/", 1)[1]
        assert name.startswith("Paginated"), (path, name)
        properties = document["components"]["schemas"][name]["properties"]
        assert {"count", "next", "previous"} <= set(properties) and ("results" in properties or
                                                                     "features" in properties), (path, properties)
        page = next(p for p in op["parameters"] if p["name"] == "page")
        assert page["schema"] == {"type": "integer", "minimum": 1}


@pytest.mark.parametrize("path", ["/api/v1/projects/", "/api/v1/municipalities/", "/api/v1/scorecards/",
                                  "/api/v1/gaps/", "/api/v1/duplicates/"])
@pytest.mark.parametrize("page", ["0", "999", "x"])
def test_a_bad_page_is_a_400_on_the_page_parameter(client_for, personas, path, page):
    response = client_for("ministry_analyst", "en", api=True).get(path, {"page": page})
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == ["page"] and error["fields"]["page"]


def test_scorecards_are_paged_as_documented(client_for, personas):
    body = client_for("ministry_analyst", "en", api=True).get("/api/v1/scorecards/").json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == len(body["results"])


def test_error_fields_are_always_lists(client_for, personas, undp):
    factories.SectorFactory(code="water")
    client = client_for("undp_focal_point", "en", api=True)
    nested = client.post(reverse("api:project-list"), {
        "title_en": "x", "sectors": [{"sector": "water", "percentage": "100"}, {"sector": "nope"}],
        "related_activities": [{"iati_identifier": "XM-1"}]}, format="json").json()["error"]
    assert nested["code"] == "invalid"
    for name, messages in nested["fields"].items():
        assert isinstance(messages, list) and messages, (name, messages)
        assert all(isinstance(m, str | dict) for m in messages), (name, messages)
    assert {"sectors", "related_activities"} <= set(nested["fields"])
    flat = client_for("ministry_analyst", "en", api=True).get("/api/v1/gaps/summary/", {"sector": "nope"})
    assert flat.status_code == 400
    assert all(isinstance(m, list) for m in flat.json()["error"]["fields"].values()), flat.json()


@pytest.mark.parametrize("moment", ["2025-01-01T00:00:00+16:00", "2025-01-01T00:00:00-23:59",
                                    "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "yesterday"])
def test_updated_since_out_of_range_is_a_400(client_for, personas, moment):
    response = client_for("ministry_analyst", "en", api=True).get("/api/v1/projects/", {"updated_since": moment})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["updated_since"]


def test_updated_since_with_a_zone_offset_is_read_as_that_moment(client_for, personas, undp):
    project = factories.ProjectFactory(reporting_partner=undp)
    Project.objects.filter(pk=project.pk).update(updated_at="2025-06-01T10:00:00Z")
    client = client_for("ministry_analyst", "en", api=True)
    # 11:30+02:00 is 09:30 UTC, before the change; 12:30+02:00 is 10:30 UTC, after it.
    before = client.get("/api/v1/projects/", {"updated_since": "2025-06-01T11:30:00+02:00"}).json()
    after = client.get("/api/v1/projects/", {"updated_since": "2025-06-01T12:30:00+02:00"}).json()
    assert [row["id"] for row in before["results"]] == [project.pk] and after["count"] == 0


@pytest.mark.parametrize("code", ["ZZZ", "XYZ", "ABC"])
def test_a_currency_off_the_codelist_is_refused(client_for, personas, undp, code):
    client = client_for("undp_focal_point", "en", api=True)
    response = client.post(reverse("api:project-list"), {"title_en": "x", "currency": code}, format="json")
    assert response.status_code == 400 and "currency" in response.json()["error"]["fields"]
    project = factories.ProjectFactory(reporting_partner=undp)
    tx = client.patch(reverse("api:project-detail", args=[project.pk]), {"transactions": [
        {"type": 3, "date": "2025-01-01", "value": "10.00", "currency": code}]}, format="json")
    assert tx.status_code == 400 and "transactions" in tx.json()["error"]["fields"]


def test_currencies_of_the_codelist_are_taken(client_for, personas, undp):
    assert {"USD", "EUR", "LYD", "GBP", "CHF"} <= currency_codes() and "ZZZ" not in currency_codes()
    assert len(currency_codes()) > 150
    response = client_for("undp_focal_point", "en", api=True).post(
        reverse("api:project-list"), {"title_en": "x", "currency": "LYD", "status": ActivityStatus.PIPELINE},
        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["currency"] == "LYD"


def test_the_document_is_english_unless_asked(client_for, personas):
    client = client_for("ministry_analyst", "ar", api=True)
    english = client.get("/api/schema/?format=json").json()
    arabic = client.get("/api/schema/?format=json&lang=ar").json()
    assert english["paths"]["/api/v1/projects/"]["get"]["parameters"]
    label = next(p for p in english["paths"]["/api/v1/projects/"]["get"]["parameters"] if p["name"] == "sector")
    assert label["description"] == "Sector code"
    label_ar = next(p for p in arabic["paths"]["/api/v1/projects/"]["get"]["parameters"] if p["name"] == "sector")
    assert label_ar["description"] != "Sector code"
    # Names generated clients use are the same in both.
    assert sorted(english["components"]["schemas"]) == sorted(arabic["components"]["schemas"])
    assert [op["operationId"] for _m, _p, op in _operations(english)] == [
        op["operationId"] for _m, _p, op in _operations(arabic)]
    assert all(name.isascii() for name in english["components"]["schemas"])


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/projects/1/x/", "/api/v1/projectsx"])
def test_unknown_api_paths_answer_json_even_with_debug_on(client_for, personas, path):
    with override_settings(DEBUG=True):
        response = client_for("ministry_analyst", "en", api=True).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_a_method_not_allowed_is_a_json_405(client_for, personas):
    response = client_for("ministry_analyst", "en", api=True).delete("/api/v1/projects/")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


def test_unknown_query_parameters_are_ignored_as_documented(client_for, personas, document):
    assert "ignored" in document["info"]["description"]
    client = client_for("ministry_analyst", "en", api=True)
    assert client.get("/api/v1/projects/", {"no_such_filter": "1"}).status_code == 200
