"""REST API v1 for projects and updates: scope, writes through the services, review, errors, tokens, docs."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import ActivityStatus, Project, ProjectUpdate, ReviewState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sectors(db):
    return factories.SectorFactory(code="water"), factories.SectorFactory(code="health")


@pytest.fixture
def places(db):
    return factories.MunicipalityFactory(slug="tripoli-center"), factories.MunicipalityFactory(slug="souq-aljumaa")


def _project_body(**extra):
    return {
        "title_ar": "شبكة مياه", "title_en": "Water network", "status": ActivityStatus.IMPLEMENTATION,
        "planned_start": "2025-01-01", "planned_end": "2026-06-30", "budget": "500000.00", "currency": "USD",
        "sectors": [{"sector": "water", "percentage": "70"}, {"sector": "health", "percentage": "30"}],
        "locations": [{"municipality": "tripoli-center", "share": "60"}, {"municipality": "souq-aljumaa", "share": "40"}],
        **extra,
    }


def _update_body(project_id, **extra):
    return {"project": project_id, "period_start": "2025-01-01", "period_end": "2025-03-31",
            "progress_percent": "25.00", "status": ActivityStatus.IMPLEMENTATION, "spend_to_date": "90000.00",
            "beneficiaries_reached": 1200, "narrative": "Pipes laid.", **extra}


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]


def test_a_focal_point_creates_a_project_with_nested_lists(client_for, personas, undp, sectors, places):
    fp = personas["undp_focal_point"]
    response = client_for(fp, 'ar', api=True).post(reverse("api:project-list"), _project_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reporting_partner"] == undp.pk and body["state"] == "draft"
    assert sorted((s["sector"], s["percentage"]) for s in body["sectors"]) == [("health", "30.00"), ("water", "70.00")]
    assert {loc["municipality"] for loc in body["locations"]} == {"tripoli-center", "souq-aljumaa"}
    project = Project.objects.get(pk=body["id"])
    assert project.created_by == fp and project.history.first().history_user == fp


@pytest.mark.parametrize(("change", "field"), [
    ({"sectors": [{"sector": "water", "percentage": "70"}, {"sector": "health", "percentage": "20"}]}, "sectors"),
    ({"locations": [{"municipality": "tripoli-center", "share": "60"}, {"municipality": "souq-aljumaa"}]}, "locations"),
    ({"title_ar": "", "title_en": ""}, "title_ar"),
    ({"planned_end": "2024-01-01"}, "planned_end"),
    ({"sectors": [{"sector": "no-such-sector", "percentage": "100"}]}, "sectors"),
])
def test_an_invalid_project_is_refused_whole_in_the_one_error_format(client_for, personas, sectors, places, change, field):
    response = client_for(personas["undp_focal_point"], 'ar', api=True).post(reverse("api:project-list"), _project_body(**change),
                                                             format="json")
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid" and field in error["fields"]
    assert not Project.objects.exists()


def test_scope_in_lists_and_details(client_for, personas, undp, unicef):
    mine = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT)
    their_draft = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.DRAFT)
    their_accepted = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.ACCEPTED)
    fp = client_for(personas["undp_focal_point"], 'ar', api=True)
    ids = {p["id"] for p in fp.get(reverse("api:project-list")).json()["results"]}
    assert ids == {mine.pk, their_accepted.pk}
    hidden = fp.get(reverse("api:project-detail", args=[their_draft.pk]))
    assert hidden.status_code == 404 and _error(hidden)["code"] == "not_found"
    refused = fp.patch(reverse("api:project-detail", args=[their_accepted.pk]), {"title_en": "Mine"}, format="json")
    assert refused.status_code == 403 and _error(refused)["code"] == "permission_denied"
    viewer_ids = {p["id"] for p in client_for(personas["viewer"], 'ar', api=True).get(reverse("api:project-list")).json()["results"]}
    assert viewer_ids == {mine.pk, their_draft.pk, their_accepted.pk}
    anonymous = client_for(None, 'ar', api=True).get(reverse("api:project-list"))
    assert anonymous.status_code == 403 and _error(anonymous)["code"] == "not_authenticated"


def test_filters(client_for, personas, undp, unicef, sectors, places):
    water, _health = sectors
    a = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.SUBMITTED)
    a.sector_shares.create(sector=water, percentage=100)
    a.locations.create(municipality=places[0])
    factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.ACCEPTED)
    client = client_for(personas["ministry_analyst"], 'ar', api=True)

    def ids(**params):
        return {p["id"] for p in client.get(reverse("api:project-list"), params).json()["results"]}

    assert ids(state="submitted") == ids(sector="water") == ids(municipality="tripoli-center") == {a.pk}
    assert ids(reporting_partner=unicef.pk) != {a.pk}
    bad = client.get(reverse("api:project-list"), {"state": "nonsense"})
    assert bad.status_code == 400 and "state" in _error(bad)["fields"]


def test_project_submit_and_review_through_the_api(client_for, personas, undp):
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT)
    fp, analyst = client_for(personas["undp_focal_point"], 'ar', api=True), client_for(personas["ministry_analyst"], 'ar', api=True)
    assert fp.post(reverse("api:project-submit", args=[project.pk])).json()["state"] == "submitted"
    assert fp.post(reverse("api:project-review", args=[project.pk]), {"decision": "accept"}).status_code == 403
    no_comment = analyst.post(reverse("api:project-review", args=[project.pk]), {"decision": "return"}, format="json")
    assert no_comment.status_code == 400 and "comment" in _error(no_comment)["fields"]
    returned = analyst.post(reverse("api:project-review", args=[project.pk]),
                            {"decision": "return", "comment": "Which municipalities?"}, format="json")
    assert returned.status_code == 200 and returned.json()["review_comment"] == "Which municipalities?"
    again = analyst.post(reverse("api:project-review", args=[project.pk]), {"decision": "accept"}, format="json")
    assert again.status_code == 403  # only what is submitted is reviewed


def test_an_update_submitted_through_the_api_appears_in_the_review_queue_and_its_acceptance_reaches_the_project(
        client_for, personas, undp):
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
    fp, analyst = client_for(personas["undp_focal_point"], 'ar', api=True), client_for(personas["ministry_analyst"], 'ar', api=True)
    created = fp.post(reverse("api:update-list"), _update_body(project.pk), format="json")
    assert created.status_code == 201, created.json()
    update_id = created.json()["id"]
    assert analyst.get(reverse("api:review-queue-list")).json()["count"] == 0  # drafts do not wait for review
    assert fp.post(reverse("api:update-submit", args=[update_id])).json()["state"] == "submitted"
    queue = analyst.get(reverse("api:review-queue-list")).json()
    assert [(i["kind"], i["id"], i["project"], i["submitted_by"]) for i in queue["results"]] == [
        ("update", update_id, project.pk, "undp_fp")]
    locked = fp.patch(reverse("api:update-detail", args=[update_id]), {"narrative": "x"}, format="json")
    assert locked.status_code == 403
    accepted = analyst.post(reverse("api:update-review", args=[update_id]), {"decision": "accept"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["reviewed_by"] == "ministry_analyst"
    project.refresh_from_db()
    assert (str(project.progress_percent), project.beneficiaries_reached) == ("25.00", 1200)
    assert analyst.get(reverse("api:review-queue-list")).json()["count"] == 0


def test_the_review_queue_mixes_projects_and_updates_and_is_for_reviewers_only(client_for, personas, undp, unicef,
                                                                                django_assert_max_num_queries):
    for partner in (undp, unicef):
        project = factories.ProjectFactory(reporting_partner=partner, state=ReviewState.SUBMITTED)
        ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                     period_start="2025-01-01", period_end="2025-03-31",
                                     progress_percent=10, status=ActivityStatus.IMPLEMENTATION,
                                     state=ReviewState.SUBMITTED)
    analyst = client_for(personas["ministry_analyst"], 'ar', api=True)
    with django_assert_max_num_queries(8):
        queue = analyst.get(reverse("api:review-queue-list")).json()
    assert sorted(i["kind"] for i in queue["results"]) == ["project", "project", "update", "update"]
    for persona in ("undp_focal_point", "rapporteur", "viewer"):
        response = client_for(personas[persona], 'ar', api=True).get(reverse("api:review-queue-list"))
        assert response.status_code == 403 and _error(response)["code"] == "permission_denied"


def test_a_focal_point_cannot_name_another_partners_draft_for_an_update(client_for, personas, unicef):
    their_draft = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.DRAFT)
    their_accepted = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.ACCEPTED)
    fp = client_for(personas["undp_focal_point"], 'ar', api=True)
    hidden = fp.post(reverse("api:update-list"), _update_body(their_draft.pk), format="json")
    assert hidden.status_code == 400 and "project" in _error(hidden)["fields"]
    refused = fp.post(reverse("api:update-list"), _update_body(their_accepted.pk), format="json")
    assert refused.status_code == 403
    assert not ProjectUpdate.objects.exists()


@pytest.mark.parametrize("size", [3, 12])
def test_list_endpoints_keep_their_query_count(client_for, personas, undp, sectors, places, django_assert_max_num_queries, size):
    water, health = sectors
    for _ in range(size):
        project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
        project.sector_shares.create(sector=water, percentage=50)
        project.sector_shares.create(sector=health, percentage=50)
        project.locations.create(municipality=places[0])
        project.participations.create(partner=undp, role=4)
        ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                     period_start="2025-01-01", period_end="2025-03-31",
                                     progress_percent=10, status=ActivityStatus.IMPLEMENTATION,
                                     state=ReviewState.ACCEPTED, submitted_by=personas["undp_focal_point"])
    for persona in ("undp_focal_point", "ministry_analyst"):
        client = client_for(personas[persona], 'ar', api=True)
        for name, limit in [("api:project-list", 7), ("api:update-list", 3), ("api:partner-list", 3),
                            ("api:sector-list", 3), ("api:municipality-list", 3)]:
            with django_assert_max_num_queries(limit):
                response = client.get(reverse(name))
            assert response.status_code == 200, (name, response.content[:300])


def test_municipalities_are_geojson_features_paginated(client_for, personas, places):
    response = client_for(personas["viewer"], 'ar', api=True).get(reverse("api:municipality-list"), {"page_size": 1})
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["count"] == 2 and len(body["features"]) == 1
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point" and feature["properties"]["slug"] in {"tripoli-center",
                                                                                         "souq-aljumaa"}


def test_tokens_are_created_used_and_revoked_by_their_owner(personas):
    fp = personas["undp_focal_point"]
    anonymous = APIClient()
    wrong = anonymous.post(reverse("api:auth-token"), {"username": "undp_fp", "password": "wrong"}, format="json")
    assert wrong.status_code in (401, 403) and _error(wrong)["code"] == "authentication_failed"
    created = anonymous.post(reverse("api:auth-token"), {"username": "undp_fp", "password": "a-long-test-password"},
                             format="json")
    assert created.status_code == 201
    token = created.json()["token"]
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert with_token.get(reverse("api:project-list")).status_code == 200
    renewed = with_token.post(reverse("api:auth-token"), {}, format="json").json()["token"]
    assert renewed != token
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {renewed}")
    assert with_token.delete(reverse("api:auth-token")).status_code == 204
    assert with_token.get(reverse("api:project-list")).status_code in (401, 403)
    from rest_framework.authtoken.models import Token

    assert not Token.objects.filter(user=fp).exists()


def test_throttling_answers_429_in_the_error_format(client_for, personas, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    rates = {"anon": "2/minute", "user": "2/minute"}
    old = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = rates
    try:
        client = client_for(personas["viewer"], 'ar', api=True)
        codes = [client.get(reverse("api:sector-list")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        error = _error(client.get(reverse("api:sector-list")))
        assert error["code"] == "throttled" and error["retry_after"] > 0
    finally:
        UserRateThrottle.THROTTLE_RATES = old
        cache.clear()
    assert api_settings.DEFAULT_THROTTLE_CLASSES


def test_the_openapi_schema_and_the_local_docs_page(client_for, personas):
    client = client_for(personas["viewer"], 'ar', api=True)
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/projects/", "/api/v1/projects/{id}/review/", "/api/v1/updates/{id}/submit/",
                 "/api/v1/review-queue/", "/api/v1/municipalities/", "/api/v1/auth/token/", "/api/v1/duplicates/"):
        assert path in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html


def test_ids_out_of_range_in_filters_are_invalid_input_not_a_crash(client_for, personas):
    """Found by the schemathesis run: a 2**63 id reached SQLite and failed there."""
    client = client_for(personas["ministry_analyst"], 'ar', api=True)
    for name, param in [("api:update-list", "project"), ("api:project-list", "reporting_partner")]:
        response = client.get(reverse(name), {param: 2**63})
        assert response.status_code == 400 and param in _error(response)["fields"]


def test_nested_lists_are_replaced_when_sent_and_kept_when_left_out(client_for, personas, undp, unicef, sectors, places):
    fp = client_for(personas["undp_focal_point"], 'ar', api=True)
    body = _project_body(participations=[{"partner": unicef.pk, "role": 1, "activity_id": "XM-DAC-41122-LBY-1"},
                                         {"partner": undp.pk, "role": 4}])
    created = fp.post(reverse("api:project-list"), body, format="json").json()
    assert sorted((p["partner"], p["role"]) for p in created["participations"]) == [(undp.pk, 4), (unicef.pk, 1)]
    url = reverse("api:project-detail", args=[created["id"]])
    patched = fp.patch(url, {"sectors": [{"sector": "health", "percentage": "100"}]}, format="json").json()
    assert [(s["sector"], s["percentage"]) for s in patched["sectors"]] == [("health", "100.00")]
    assert len(patched["locations"]) == 2 and len(patched["participations"]) == 2  # left out: kept
    twice = fp.patch(url, {"participations": [{"partner": undp.pk, "role": 4}, {"partner": undp.pk, "role": 4}]},
                     format="json")
    assert twice.status_code == 400 and "participations" in _error(twice)["fields"]
    assert Project.objects.get(pk=created["id"]).participations.count() == 2  # nothing half-written


def test_a_focal_points_edit_of_an_accepted_project_goes_back_to_review(client_for, personas, undp):
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
    fp = client_for(personas["undp_focal_point"], 'ar', api=True)
    response = fp.patch(reverse("api:project-detail", args=[project.pk]), {"budget": "750000.00"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    queue = client_for(personas["ministry_analyst"], 'ar', api=True).get(reverse("api:review-queue-list")).json()
    assert [(i["kind"], i["id"]) for i in queue["results"]] == [("project", project.pk)]
    state_write = fp.patch(reverse("api:project-detail", args=[project.pk]), {"state": "accepted"}, format="json")
    project.refresh_from_db()
    assert state_write.status_code == 200 and project.state == ReviewState.SUBMITTED  # read-only field, ignored


def test_the_coordination_endpoints_answer_in_the_same_error_format(client_for, personas):
    anonymous = client_for(None, 'ar', api=True).get(reverse("api:duplicate-list"))
    assert anonymous.status_code == 403 and _error(anonymous)["code"] == "not_authenticated"
    missing = client_for(personas["ministry_analyst"], 'ar', api=True).get(reverse("api:delay-flag-detail", args=[999999]))
    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"
    refused = client_for(personas["viewer"], 'ar', api=True).post(reverse("api:duplicate-review", args=[1]), {"status": "dismissed"})
    assert refused.status_code == 403 and _error(refused)["code"] == "permission_denied"


def test_the_schema_documents_the_error_body(client_for, personas):
    schema = client_for(personas["viewer"], 'ar', api=True).get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    review = schema["paths"]["/api/v1/projects/{id}/review/"]["post"]["responses"]
    assert review["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_a_nul_character_anywhere_in_a_json_body_is_refused_not_a_server_error(client_for, personas, undp, sectors, places):
    body = _project_body(sites=[{"name_en": "Well\u0000", "lat": 32.88, "lon": 13.18}])
    response = client_for(personas["undp_focal_point"], 'ar', api=True).post(reverse("api:project-list"), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error" and "NUL" in response.json()["error"]["message"]
    assert Project.objects.count() == 0
