"""/api/v1/gaps/, /api/v1/delays/ and the coverage map layer: filters, permissions, query counts, size."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import force_login_verified
from tests.coordination.gap_delay_helpers import make_project
from tests.shared_data import MANTIKA_GEOJSON

TODAY = date.today()
READERS = ["ministry_admin", "ministry_analyst", "rapporteur", "undp_focal_point", "unicef_focal_point", "viewer"]
# Who may review a flag, as data: persona -> expected HTTP status of the review action.
REVIEW_MATRIX = {"ministry_admin": 200, "ministry_analyst": 200, "rapporteur": 403, "undp_focal_point": 403,
                 "unicef_focal_point": 403, "viewer": 403, "anonymous": 403}


def _projects(world, count: int) -> None:
    for _ in range(count):
        make_project(municipalities=[world["m1"], world["m2"]], shares=[60, 40],
                     sectors={world["water"]: 50, world["health"]: 50}, partner=world["partner"],
                     planned_start=TODAY - timedelta(days=300), planned_end=TODAY - timedelta(days=10))


@pytest.fixture
def world(personas, undp):
    from coordination.services.delays import delays_full_scan
    from coordination.services.gaps import gaps_full_run
    from municipalities.models import Need

    district = factories.DistrictFactory()
    m1 = factories.MunicipalityFactory(district=district, pcode="LY021101", slug="alpha")
    m2 = factories.MunicipalityFactory(district=district, pcode="LY021102", slug="beta")
    m3 = factories.MunicipalityFactory(district=district, pcode="LY021103", slug="gamma", population=None,
                                       population_year=None)
    water, health = factories.SectorFactory(code="water"), factories.SectorFactory(code="health")
    world = {"m1": m1, "m2": m2, "m3": m3, "water": water, "health": health, "partner": undp}
    make_project(municipalities=[m1], sectors={water: 100}, partner=undp,
                 planned_start=TODAY - timedelta(days=60), planned_end=TODAY + timedelta(days=300))
    make_project(municipalities=[m1, m2], shares=[70, 30], sectors={health: 100}, partner=undp, budget=500_000,
                 planned_start=TODAY - timedelta(days=400), planned_end=TODAY - timedelta(days=5))  # end passed
    make_project(municipalities=[m3], sectors={health: 100}, partner=undp, status=4)  # closed
    for muni, sector, severity in ((m2, water, 4), (m3, health, 3), (m1, water, 5)):
        Need.objects.create(municipality=muni, sector=sector, severity=severity, people_in_need=1000,
                            source="OCHA", assessed_on=TODAY - timedelta(days=20))
    gaps_full_run()
    delays_full_scan()
    return world


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:gaps", "api:gaps-summary", "api:gap-flag-list", "api:delay-flag-list",
                                  "api:municipality-coverage"])
def test_signed_in_users_read_and_anonymous_users_do_not(client_for, world, personas, name):
    assert client_for(None, 'ar', api=True).get(reverse(name)).status_code == 403
    for persona in READERS:
        assert client_for(personas[persona], 'ar', api=True).get(reverse(name)).status_code == 200, persona


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "expected"), list(REVIEW_MATRIX.items()))
def test_review_permission_matrix(client_for, world, personas, persona, expected):
    from coordination.models import DelayFlag, GapFlag

    client = client_for(personas[persona], 'ar', api=True)
    for model, name in ((GapFlag, "api:gap-flag-review"), (DelayFlag, "api:delay-flag-review")):
        flag = model.objects.order_by("id").first()
        response = client.post(reverse(name, args=[flag.pk]), {"status": "confirmed", "note": "Seen."}, format="json")
        assert response.status_code == expected, (persona, name, response.content)
        flag.refresh_from_db()
        assert (flag.status == "confirmed") == (expected == 200)


@pytest.mark.django_db
def test_gaps_list_figures_and_filters(client_for, world, personas):
    client = client_for(personas["viewer"], 'ar', api=True)
    rows = _rows(client.get(reverse("api:gaps")))
    assert len(rows) == 6 and rows[0]["gap_score"] >= rows[-1]["gap_score"]
    alpha_health = next(r for r in rows if r["municipality_slug"] == "alpha" and r["sector_code"] == "health")
    assert alpha_health["active_projects"] == 1 and alpha_health["budget_usd"] == pytest.approx(350_000)
    assert alpha_health["budget_per_capita"] == pytest.approx(7.0)
    unreached = _rows(client.get(reverse("api:gaps"), {"unreached": "true"}))
    assert {(r["municipality_slug"], r["sector_code"]) for r in unreached} == {("beta", "water"), ("gamma", "health")}
    gamma = _rows(client.get(reverse("api:gaps"), {"municipality": "LY021103", "sector": "health"}))
    assert len(gamma) == 1 and gamma[0]["population"] is None and gamma[0]["gap_score"] == pytest.approx(0.6)
    whole = _rows(client.get(reverse("api:gaps"), {"level": "municipality", "ordering": "municipality"}))
    assert [r["municipality_slug"] for r in whole] == ["alpha", "beta", "gamma"] and whole[2]["unreached"]
    before = _rows(client.get(reverse("api:gaps"), {"date": "2000-01-01", "level": "municipality"}))
    assert all(r["unreached"] and r["active_projects"] == 0 for r in before)
    for bad in ({"date": "01/01/2000"}, {"sector": "nope"}, {"municipality": "nowhere"}, {"unreached": "maybe"}):
        assert client.get(reverse("api:gaps"), bad).status_code == 400, bad
    summary = client.get(reverse("api:gaps-summary"), {"sector": "health"}).json()
    assert summary["counts"]["unreached_municipalities"] == 1 and len(summary["districts"]) == 1
    assert summary["concentration"]["top_municipality_ids"] == [world["m1"].id, world["m2"].id]


@pytest.mark.django_db
def test_gap_flags_list_filters_and_review(client_for, world, personas):
    client = client_for(personas["ministry_analyst"], 'ar', api=True)
    flags = _rows(client.get(reverse("api:gap-flag-list")))
    assert {(f["municipality_slug"], f["sector_code"]) for f in flags} == {
        ("gamma", None), ("beta", "water"), ("gamma", "health")}
    assert all(f["reason_texts"] for f in flags)
    only = _rows(client.get(reverse("api:gap-flag-list"), {"municipality": "gamma", "sector": "none"}))
    assert len(only) == 1 and only[0]["sector"] is None
    flag_id = only[0]["id"]
    response = client.post(reverse("api:gap-flag-review", args=[flag_id]), {"status": "dismissed"}, format="json")
    assert response.status_code == 400 and "note" in response.json()["error"]["fields"]
    response = client.post(reverse("api:gap-flag-review", args=[flag_id]),
                           {"status": "dismissed", "note": "Served from the next municipality."}, format="json")
    assert response.json()["status"] == "dismissed" and response.json()["decided_by"] == "ministry_analyst"
    assert _rows(client.get(reverse("api:gap-flag-list"), {"status": "dismissed"}))[0]["id"] == flag_id
    assert client.post(reverse("api:gap-flag-review", args=[flag_id]), {"status": "maybe"},
                       format="json").status_code == 400


@pytest.mark.django_db
def test_delay_flags_list_filters_and_review(client_for, world, personas):
    client = client_for(personas["ministry_admin"], 'ar', api=True)
    flags = _rows(client.get(reverse("api:delay-flag-list")))
    assert {f["rule"] for f in flags} == {"end_passed", "progress_behind", "no_recent_update"}
    assert len({f["project"] for f in flags}) == 1 and flags[0]["score"] >= flags[-1]["score"]
    flags = _rows(client.get(reverse("api:delay-flag-list"), {"rule": "end_passed"}))
    assert len(flags) == 1 and flags[0]["severity"] == 2
    assert _rows(client.get(reverse("api:delay-flag-list"), {"rule": "suspended"})) == []
    assert len(_rows(client.get(reverse("api:delay-flag-list"), {"municipality": world["m2"].id}))) == 3
    assert _rows(client.get(reverse("api:delay-flag-list"), {"municipality": world["m3"].id})) == []
    assert len(_rows(client.get(reverse("api:delay-flag-list"), {"partner": world["partner"].id}))) == 3
    high = _rows(client.get(reverse("api:delay-flag-list"), {"min_severity": 3}))
    assert {f["rule"] for f in high} == {"progress_behind", "no_recent_update"}  # period over; silent 400 days
    assert client.get(reverse("api:delay-flag-list"), {"rule": "nope"}).status_code == 400
    assert _rows(client.get(reverse("api:delay-flag-list"), {"resolved": "true"})) == []
    detail = client.get(reverse("api:delay-flag-detail", args=[flags[0]["id"]])).json()
    assert detail["project"] == flags[0]["project"] and detail["severity_label"]
    response = client.post(reverse("api:delay-flag-review", args=[flags[0]["id"]]),
                           {"status": "dismissed", "note": "Extension agreed."}, format="json")
    assert response.status_code == 200 and response.json()["decision_note"] == "Extension agreed."


@pytest.mark.django_db
def test_english_and_arabic_reasons(client_for, world, personas):
    client = client_for(personas["viewer"], 'ar', api=True)
    url, rule = reverse("api:delay-flag-list"), {"rule": "end_passed"}
    english = _rows(client.get(url, rule, HTTP_ACCEPT_LANGUAGE="en"))[0]["reason_texts"][0]
    assert english.startswith("In implementation, but the planned end")
    arabic = _rows(client.get(url, rule, HTTP_ACCEPT_LANGUAGE="ar"))[0]["reason_texts"][0]
    assert "5" in arabic


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "params", "limit"), [
    ("api:gaps", {}, 12), ("api:gaps", {"municipality": "alpha"}, 13), ("api:gaps-summary", {}, 12),
    ("api:municipality-coverage", {"sector": "water"}, 13), ("api:gap-flag-list", {}, 6),
    ("api:delay-flag-list", {}, 6),  # with the reader's permissions (who may read committee notes, which projects)
])
def test_query_counts_do_not_grow_with_the_portfolio(client_for, world, personas, django_assert_max_num_queries, name, params,
                                                      limit):
    from coordination.services.delays import delays_full_scan

    client = client_for(personas["viewer"], 'ar', api=True)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name), params).status_code == 200
    _projects(world, 25)
    delays_full_scan()
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name), params).status_code == 200


@pytest.mark.django_db
def test_pagination(client_for, world, personas):
    client = client_for(personas["viewer"], 'ar', api=True)
    first = client.get(reverse("api:gaps"), {"page_size": 2, "page": 1}).json()
    assert first["count"] == 6 and first["next"] is not None
    _projects(world, 60)
    from coordination.services.delays import delays_full_scan

    delays_full_scan()
    page = client.get(reverse("api:delay-flag-list")).json()
    assert page["count"] > 50 and len(page["results"]) == 50 and page["next"]


@pytest.mark.django_db
def test_the_coverage_layer_of_the_whole_country_is_well_under_a_megabyte(client_for, personas):
    from django.core.management import call_command

    from municipalities.models import Municipality

    call_command("load_reference_data", stdout=io.StringIO())
    client = client_for(personas["viewer"], 'ar', api=True)
    response = client.get(reverse("api:municipality-coverage"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")
    body = json.loads(response.content)
    assert len(body["features"]) == Municipality.objects.count() >= 100
    assert len(response.content) < 1_000_000
    feature = next(f for f in body["features"] if f["geometry"] and f["geometry"]["type"] != "Point")
    assert {"gap_score", "active_projects", "budget_usd", "unreached", "name_en"} - set(feature["properties"]) == {
        "name_en"}
    assert feature["properties"]["unreached"] is True  # no projects loaded
    health = client.get(reverse("api:municipality-coverage"), {"sector": "health", "date": "2025-01-01"})
    assert health.status_code == 200 and json.loads(health.content)["sector"] == "health"
    if MANTIKA_GEOJSON.exists():  # official district outlines: the derived areas follow their coastlines
        call_command("import_boundaries", str(MANTIKA_GEOJSON), "--level", "district", stdout=io.StringIO())
        detailed = client.get(reverse("api:municipality-coverage"))
        assert len(detailed.content) < 1_000_000, len(detailed.content)


@pytest.mark.django_db
def test_admin_lists_flags_and_records_a_review_through_the_service(world, personas, client):
    from coordination.models import DelayFlag, GapFlag

    force_login_verified(client, personas["ministry_admin"])
    for model in ("gapflag", "delayflag"):
        assert client.get(reverse(f"admin:coordination_{model}_changelist")).status_code == 200
    flag = DelayFlag.objects.order_by("id").first()
    url = reverse("admin:coordination_delayflag_change", args=[flag.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "dismissed", "decision_note": ""})
    assert response.status_code == 200 and DelayFlag.objects.get(pk=flag.pk).status == "open"  # a reason is needed
    client.post(url, {"status": "dismissed", "decision_note": "Agreed extension."})
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by, flag.decision_note) == ("dismissed", personas["ministry_admin"],
                                                                  "Agreed extension.")
    gap = GapFlag.objects.order_by("id").first()
    client.post(reverse("admin:coordination_gapflag_changelist"),
                {"action": "confirm_flags", "_selected_action": [gap.pk]})
    gap.refresh_from_db()
    assert gap.status == "confirmed" and gap.decided_by == personas["ministry_admin"]
