"""What a focal point is shown about the portfolio — gap figures, their summary and map layer, gap, delay and
duplicate flags, the dashboard's counts — is computed from the records they may see (every partner's accepted
projects and all of their own partner's), never from another partner's draft, submitted or returned project.

Every expected figure here is counted in the test itself, in plain Python over the world's records, not through
the app's selectors, so the test does not share a mistake with the code it checks.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from coordination.models import DelayFlag, DuplicateFlag, GapFlag
from municipalities.models import Municipality, Need
from projects.models import ActivityStatus, Project, ProjectLocation, ProjectSector, ReviewState
from tests import factories
from tests.coordination.gap_delay_helpers import make_project

pytestmark = pytest.mark.django_db

TODAY = date.today()
SEVERITY_MIN = 3  # GapSettings.need_severity_min
ACTIVE = dict(status=ActivityStatus.IMPLEMENTATION, planned_start=TODAY - timedelta(days=100))


@pytest.fixture
def world(personas, undp, unicef):
    """Four municipalities:

    * mizda: UNICEF's DRAFT is the only project there (water, with a severe need in water);
    * nalut: UNDP's own DRAFT (health) and a SUBMITTED UNICEF project (water), both past their planned end;
    * obari: UNICEF's ACCEPTED project (water, past its planned end) and a RETURNED one (health, severe need);
    * qatrun: only UNDP's closed project.
    """
    from coordination.services.delays import delays_full_scan
    from coordination.services.gaps import gaps_full_run

    district = factories.DistrictFactory()
    m = {slug: factories.MunicipalityFactory(district=district, slug=slug, pcode=f"LY02110{i}")
         for i, slug in enumerate(("mizda", "nalut", "obari", "qatrun"), start=1)}
    water, health = factories.SectorFactory(code="water"), factories.SectorFactory(code="health")
    p = {
        "unicef_draft": make_project(municipalities=[m["mizda"]], sectors={water: 100}, partner=unicef,
                                     state=ReviewState.DRAFT, title_en="UNICEF HIDDEN DRAFT",
                                     planned_end=TODAY + timedelta(days=200), **ACTIVE),
        "undp_draft": make_project(municipalities=[m["nalut"]], sectors={health: 100}, partner=undp,
                                   state=ReviewState.DRAFT, title_en="UNDP OWN DRAFT",
                                   planned_end=TODAY - timedelta(days=10), **ACTIVE),
        "unicef_submitted": make_project(municipalities=[m["nalut"]], sectors={water: 100}, partner=unicef,
                                         state=ReviewState.SUBMITTED, title_en="UNICEF HIDDEN SUBMITTED",
                                         planned_end=TODAY - timedelta(days=5), budget=900_000, **ACTIVE),
        "unicef_accepted": make_project(municipalities=[m["obari"]], sectors={water: 100}, partner=unicef,
                                        state=ReviewState.ACCEPTED, title_en="UNICEF ACCEPTED",
                                        planned_end=TODAY - timedelta(days=3), **ACTIVE),
        "unicef_returned": make_project(municipalities=[m["obari"]], sectors={health: 100}, partner=unicef,
                                        state=ReviewState.RETURNED, title_en="UNICEF HIDDEN RETURNED",
                                        planned_end=TODAY + timedelta(days=90), **ACTIVE),
        "undp_closed": make_project(municipalities=[m["qatrun"]], sectors={health: 100}, partner=undp,
                                    state=ReviewState.ACCEPTED, status=ActivityStatus.CLOSED),
    }
    for muni, sector, severity in (("mizda", water, 4), ("nalut", health, 3), ("obari", health, 5),
                                   ("qatrun", water, 2), ("nalut", water, 4)):
        Need.objects.create(municipality=m[muni], sector=sector, severity=severity, people_in_need=2000,
                            source="OCHA", assessed_on=TODAY - timedelta(days=30))
    pairs = [("undp_draft", "unicef_accepted"), ("undp_draft", "unicef_submitted"),
             ("unicef_accepted", "unicef_returned"), ("unicef_draft", "unicef_accepted")]
    for a, b in pairs:
        first, second = sorted((p[a], p[b]), key=lambda x: x.pk)
        DuplicateFlag.objects.create(project_a=first, project_b=second, kind=DuplicateFlag.Kind.OVERLAP, score=0.7)
    gaps_full_run()
    delays_full_scan()
    return {"m": m, "p": p, "sectors": {"water": water, "health": health}, "undp": undp, "unicef": unicef}


# --- the independent count: the records a reader may see, in plain Python ----------------------


def _may_see(persona: str, world) -> set[int]:
    """The projects ``persona``'s figures may draw on: for a focal point, every accepted project and all of
    their own partner's; for ministry staff, every project."""
    if persona.startswith("ministry") or persona in ("viewer", "rapporteur"):
        return set(Project.objects.values_list("pk", flat=True))
    own = {"undp_focal_point": world["undp"].pk, "unicef_focal_point": world["unicef"].pk}[persona]
    return {p.pk for p in Project.objects.all() if p.state == ReviewState.ACCEPTED or p.reporting_partner_id == own}


def _active_today(project: Project) -> bool:
    start = project.actual_start or project.planned_start
    return (project.status == ActivityStatus.IMPLEMENTATION and project.duplicate_of_id is None
            and (start is None or start <= TODAY) and (project.actual_end is None or project.actual_end >= TODAY))


def _expected(persona: str, world) -> dict:
    seen = _may_see(persona, world)
    active = {p.pk for p in Project.objects.all() if p.pk in seen and _active_today(p)}
    places = [(loc.project_id, loc.municipality_id) for loc in ProjectLocation.objects.all()]
    sectors = {(s.project_id, s.sector_id) for s in ProjectSector.objects.all()}
    munis = list(Municipality.objects.values_list("pk", flat=True))
    sector_ids = [s.pk for s in world["sectors"].values()]
    by_muni = {mid: {pid for pid, m in places if m == mid and pid in active} for mid in munis}
    by_cell = {(mid, sid): {pid for pid in by_muni[mid] if (pid, sid) in sectors} for mid in munis for sid in sector_ids}
    severity = {(n.municipality_id, n.sector_id): n.severity for n in Need.objects.all()}
    unreached = {(mid, None) for mid in munis if not by_muni[mid]}
    unreached |= {cell for cell, ps in by_cell.items() if not ps and severity.get(cell, 0) >= SEVERITY_MIN}
    return {
        "seen": seen,
        "active_by_municipality": {mid: len(ps) for mid, ps in by_muni.items()},
        "active_by_cell": {cell: len(ps) for cell, ps in by_cell.items()},
        "active_projects": len({pid for ps in by_muni.values() for pid in ps}),
        "unreached": unreached,
        "reached_municipalities": len({m for pid, m in places if pid in seen}),
        "reached_today": len({m for pid, m in places if pid in active}),
        "delay_flags": {f.pk for f in DelayFlag.objects.filter(resolved_at__isnull=True) if f.project_id in seen},
        "duplicate_flags": {f.pk for f in DuplicateFlag.objects.all() if {f.project_a_id, f.project_b_id} <= seen},
    }


def _rows(client, name: str, **params) -> list[dict]:
    response = client.get(reverse(name), {"page_size": 1000, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- the tests -----------------------------------------------------------------------------------


def test_the_world_hides_something_from_the_undp_focal_point(world):
    """The premise: the ministry's stored flags and figures count projects that UNDP's focal point may not see."""
    seen = _may_see("undp_focal_point", world)
    hidden = {k for k, p in world["p"].items() if p.pk not in seen}
    assert hidden == {"unicef_draft", "unicef_submitted", "unicef_returned"}
    stored = {(f.municipality_id, f.sector_id) for f in GapFlag.objects.filter(resolved_at__isnull=True)}
    assert (world["m"]["mizda"].pk, None) not in stored  # the ministry counts UNICEF's draft there
    assert DelayFlag.objects.filter(project=world["p"]["unicef_submitted"], resolved_at__isnull=True).exists()


@pytest.mark.parametrize("persona", ["undp_focal_point", "unicef_focal_point"])
def test_gap_figures_count_the_projects_the_focal_point_may_see(client_for, world, persona):
    expected = _expected(persona, world)
    client = client_for(persona, "en", api=True)
    whole = _rows(client, "api:gaps", level="municipality")
    assert {r["municipality_id"]: r["active_projects"] for r in whole} == expected["active_by_municipality"]
    assert {(r["municipality_id"], None) for r in whole if r["unreached"]} == {
        c for c in expected["unreached"] if c[1] is None}
    cells = _rows(client, "api:gaps")
    assert {(r["municipality_id"], r["sector_id"]): r["active_projects"] for r in cells} == expected["active_by_cell"]
    if persona == "undp_focal_point":
        mizda = next(r for r in whole if r["municipality_slug"] == "mizda")
        assert mizda["active_projects"] == 0 and mizda["unreached"] and mizda["budget_usd"] == 0
        nalut = next(r for r in whole if r["municipality_slug"] == "nalut")
        assert nalut["active_projects"] == 1  # their own draft counts for them; UNICEF's submission does not


def test_the_gap_summary_counts_what_the_focal_point_may_see(client_for, world):
    expected = _expected("undp_focal_point", world)
    summary = client_for("undp_focal_point", "en", api=True).get(reverse("api:gaps-summary")).json()
    assert summary["counts"]["active_projects"] == expected["active_projects"]
    assert summary["counts"]["unreached_municipalities"] == sum(1 for c in expected["unreached"] if c[1] is None)
    assert summary["counts"]["unreached_municipality_sectors"] == sum(
        1 for c in expected["unreached"] if c[1] is not None)
    water = client_for("undp_focal_point", "en", api=True).get(reverse("api:gaps-summary"), {"sector": "water"}).json()
    assert water["sectors_without_active_project"] == []  # UNICEF's accepted water project in obari
    assert water["country"][0]["active_projects"] == sum(
        1 for pid in expected["seen"] if _active_today(Project.objects.get(pk=pid))
        and ProjectSector.objects.filter(project_id=pid, sector__code="water").exists())


def test_the_coverage_layer_counts_what_the_focal_point_may_see(client_for, world):
    expected = _expected("undp_focal_point", world)
    client = client_for("undp_focal_point", "en", api=True)
    body = json.loads(client.get(reverse("api:municipality-coverage")).content)
    props = {f["properties"]["municipality_id"]: f["properties"] for f in body["features"]}
    assert {m: p["active_projects"] for m, p in props.items()} == expected["active_by_municipality"]
    assert {m for m, p in props.items() if p["unreached"]} == {c[0] for c in expected["unreached"] if c[1] is None}
    water = json.loads(client.get(reverse("api:municipality-coverage"), {"sector": "water"}).content)
    water_id = world["sectors"]["water"].pk
    assert {f["properties"]["municipality_id"]: f["properties"]["active_projects"] for f in water["features"]} == {
        m: n for (m, s), n in expected["active_by_cell"].items() if s == water_id}
    assert props[world["m"]["mizda"].pk]["partners"] == 0 and props[world["m"]["nalut"].pk]["budget_usd"] == 100_000


def test_the_gap_flags_of_a_focal_point_agree_with_their_figures(client_for, world):
    """The stored flags are the ministry's, computed over every project: UNDP's focal point is served the gaps
    found over the projects they may see instead, the same places their figures call unreached."""
    expected = _expected("undp_focal_point", world)
    client = client_for("undp_focal_point", "en", api=True)
    flags = _rows(client, "api:gap-flag-list")
    listed = {(f["municipality"], f["sector"]) for f in flags}
    assert (world["m"]["mizda"].pk, None) in listed
    assert (world["m"]["obari"].pk, world["sectors"]["health"].pk) in listed  # the returned project is hidden
    assert listed == expected["unreached"]
    figures = {(r["municipality_id"], None) for r in _rows(client, "api:gaps", level="municipality") if r["unreached"]}
    figures |= {(r["municipality_id"], r["sector_id"]) for r in _rows(client, "api:gaps") if r["unreached"]}
    assert listed == figures
    # Found for this reader: no stored flag stands behind a row, so none of its review life is shown.
    analyst_row = _rows(client_for("ministry_analyst", "en", api=True), "api:gap-flag-list")[0]
    for flag in flags:
        assert set(flag) == set(analyst_row)
        assert flag["id"] is None and flag["status"] is None and flag["decided_at"] is None
        assert flag["resolved_at"] is None and flag["created_at"] is None and flag["reason_texts"]
    mizda = next(f for f in flags if f["municipality_slug"] == "mizda" and f["sector"] is None)
    assert mizda["reason_texts"] == ["No active project in this municipality. People in need: 2000."]
    # Filters work on the rows found as on the stored ones.
    only = _rows(client, "api:gap-flag-list", municipality="mizda", sector="none")
    assert [(f["municipality_slug"], f["sector_code"]) for f in only] == [("mizda", None)]
    assert {f["sector_code"] for f in _rows(client, "api:gap-flag-list", sector="health")} == {"health"}
    assert _rows(client, "api:gap-flag-list", resolved="true") == []
    assert _rows(client, "api:gap-flag-list", status="dismissed") == []
    assert len(_rows(client, "api:gap-flag-list", district="LY0211")) == len(flags)
    # A stored flag is not served to a focal point by its id either: whether it exists is the ministry's view.
    for stored in GapFlag.objects.all():
        assert client.get(reverse("api:gap-flag-detail", args=[stored.pk])).status_code == 404


def test_the_ministry_keeps_its_stored_flags_and_counts_the_draft(client_for, world):
    """The negative control: the ministry's figures count every review state, and its flags are the stored
    review queue with their life."""
    expected = _expected("ministry_analyst", world)
    client = client_for("ministry_analyst", "en", api=True)
    whole = _rows(client, "api:gaps", level="municipality")
    assert {r["municipality_id"]: r["active_projects"] for r in whole} == expected["active_by_municipality"]
    mizda = next(r for r in whole if r["municipality_slug"] == "mizda")
    assert mizda["active_projects"] == 1 and not mizda["unreached"]  # UNICEF's draft counts for the ministry
    flags = _rows(client, "api:gap-flag-list")
    stored = GapFlag.objects.filter(resolved_at__isnull=True)
    assert {f["id"] for f in flags} == set(stored.values_list("pk", flat=True))
    assert {(f["municipality"], f["sector"]) for f in flags} == expected["unreached"]
    assert all(f["status"] == "open" and f["created_at"] for f in flags)
    summary = client.get(reverse("api:gaps-summary")).json()
    assert summary["counts"]["active_projects"] == expected["active_projects"] == 5


@pytest.mark.parametrize("persona", ["undp_focal_point", "unicef_focal_point", "ministry_analyst"])
def test_delay_and_duplicate_flags_follow_the_same_rule(client_for, world, persona):
    expected = _expected(persona, world)
    client = client_for(persona, "en", api=True)
    assert {f["id"] for f in _rows(client, "api:delay-flag-list")} == expected["delay_flags"]
    assert {f["id"] for f in _rows(client, "api:duplicate-list")} == expected["duplicate_flags"]
    assert expected["delay_flags"] and expected["duplicate_flags"]


@pytest.mark.parametrize("persona", ["undp_focal_point", "unicef_focal_point", "ministry_analyst"])
def test_the_dashboard_counts_what_the_reader_may_see(client_for, world, persona):
    expected = _expected(persona, world)
    overview = client_for(persona, "en").get(reverse("home")).context["overview"]
    seen = [p for p in Project.objects.all() if p.pk in expected["seen"]]
    assert overview["projects"] == {
        "total": len(seen), "active": sum(p.status == ActivityStatus.IMPLEMENTATION for p in seen),
        "pipeline": sum(p.status == ActivityStatus.PIPELINE for p in seen)}
    assert overview["municipalities_reached"] == expected["reached_today"]  # the gap engine's "reached"
    assert overview["budget"]["usd"] == sum(p.budget for p in seen)


def _focal_point_answers(client_for) -> dict:
    client = client_for("undp_focal_point", "en", api=True)
    answers = {}
    for name, params in (("api:gaps", {}), ("api:gaps", {"level": "municipality"}), ("api:gaps-summary", {}),
                         ("api:gaps-summary", {"sector": "water"}), ("api:gap-flag-list", {}),
                         ("api:gap-flag-list", {"resolved": "all"}), ("api:municipality-coverage", {}),
                         ("api:delay-flag-list", {}), ("api:duplicate-list", {})):
        response = client.get(reverse(name), {"page_size": 1000, **params})
        assert response.status_code == 200
        answers[(name, tuple(params.items()))] = json.loads(response.content)
    overview = client_for("undp_focal_point", "en").get(reverse("home")).context["overview"]
    answers["home"] = {k: v for k, v in overview.items() if k != "partners"}  # partners are not projects
    return answers


def test_nothing_a_focal_point_is_shown_moves_when_another_partner_adds_hidden_projects(client_for, world):
    """The same answers, to the byte, after UNICEF adds a draft, a submitted and a returned project in every
    municipality and sector and the ministry's jobs run again (its stored gap flags resolve, new delay flags
    open): nothing served to UNDP's focal point depends on records they may not see."""
    from coordination.services.delays import delays_full_scan
    from coordination.services.gaps import gaps_full_run

    before = _focal_point_answers(client_for)
    stored_before = set(GapFlag.objects.filter(resolved_at__isnull=True).values_list("pk", flat=True))
    for state in (ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.RETURNED):
        make_project(municipalities=list(world["m"].values()), partner=world["unicef"], state=state,
                     sectors={s: 50 for s in world["sectors"].values()}, planned_end=TODAY - timedelta(days=1),
                     budget=5_000_000, **ACTIVE)
    gaps_full_run()
    delays_full_scan()
    assert set(GapFlag.objects.filter(resolved_at__isnull=True).values_list("pk", flat=True)) != stored_before
    after = _focal_point_answers(client_for)
    for key in before:
        assert after[key] == before[key], key


@pytest.mark.parametrize(("name", "params", "limit"), [
    # The limits of test_gaps_api's ministry reader: the focal point's gap flags are one analysis (like the figures).
    ("api:gaps", {}, 12), ("api:gaps-summary", {}, 12), ("api:municipality-coverage", {}, 13),
    ("api:gap-flag-list", {}, 12), ("api:gap-flag-list", {"municipality": "mizda"}, 13),
    ("api:delay-flag-list", {}, 6), ("api:duplicate-list", {}, 6),
])
def test_a_focal_points_query_counts_do_not_grow_with_the_portfolio(client_for, world, django_assert_max_num_queries,
                                                                     name, params, limit):
    client = client_for("undp_focal_point", "ar", api=True)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name), params).status_code == 200
    for i in range(20):
        make_project(municipalities=[world["m"]["mizda"], world["m"]["obari"]], shares=[50, 50],
                     partner=world["undp" if i % 2 else "unicef"],
                     state=ReviewState.ACCEPTED if i % 3 else ReviewState.DRAFT,
                     sectors={world["sectors"]["water"]: 100}, planned_end=TODAY - timedelta(days=2), **ACTIVE)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name), params).status_code == 200
