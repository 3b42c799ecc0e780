"""Stored coverage figures (coordination.models.CoverageFigure): written by the gap runs, equal to a fresh engine run,
kept by a run that fails, read by the API, the map, the dashboard and the municipality file without running the
engine, restricted to what the reader may count; and the query counts of those pages do not grow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests import factories
from tests.coordination.gap_delay_helpers import make_project

TODAY = date.today()
FIELDS = ("active_projects", "partners", "budget_usd", "projects_without_budget", "population", "severity",
          "people_in_need", "displaced", "returnees", "need_assessed_on", "budget_per_capita",
          "budget_per_person_in_need", "gap_score", "unreached")


@pytest.fixture
def world(personas, undp, unicef):
    from municipalities.models import Need
    from projects.models import ReviewState

    district = factories.DistrictFactory()
    m1 = factories.MunicipalityFactory(district=district, pcode="LY021101", slug="alpha")
    m2 = factories.MunicipalityFactory(district=district, pcode="LY021102", slug="beta")
    m3 = factories.MunicipalityFactory(district=district, pcode="LY021103", slug="gamma")
    water, health = factories.SectorFactory(code="water"), factories.SectorFactory(code="health")
    accepted = {"state": ReviewState.ACCEPTED, "planned_start": TODAY - timedelta(days=60),
                "planned_end": TODAY + timedelta(days=300)}
    p1 = make_project(municipalities=[m1], sectors={water: 100}, partner=undp, **accepted)
    p2 = make_project(municipalities=[m1, m2], shares=[70, 30], sectors={health: 60, water: 40}, partner=unicef,
                      budget=500_000, **accepted)
    # UNDP's draft in gamma: the ministry and UNDP count it, UNICEF's focal point does not.
    draft = make_project(municipalities=[m3], sectors={health: 100}, partner=undp, budget=80_000,
                         planned_start=TODAY - timedelta(days=10), planned_end=TODAY + timedelta(days=100))
    for muni, sector, severity in ((m2, water, 4), (m3, health, 3), (m1, water, 5)):
        Need.objects.create(municipality=muni, sector=sector, severity=severity, people_in_need=1000,
                            source="OCHA", assessed_on=TODAY - timedelta(days=20))
    return {"m1": m1, "m2": m2, "m3": m3, "water": water, "health": health, "p1": p1, "p2": p2, "draft": draft,
            "undp": undp, "unicef": unicef}


def _stored(scope: str) -> dict:
    from coordination.models import CoverageFigure

    return {(r.municipality_id, r.sector_id): tuple(getattr(r, f) for f in FIELDS)
            for r in CoverageFigure.objects.filter(scope=scope)}


def _fresh(projects=None) -> dict:
    from coordination.services.gaps import gap_analysis_on

    _inputs, analysis = gap_analysis_on(projects=projects)
    return {(f.municipality_id, f.sector_id): tuple(getattr(f, k) for k in FIELDS)
            for f in analysis.municipalities + analysis.cells}


def _accepted():
    from projects.models import Project, ReviewState

    return Project.objects.filter(state=ReviewState.ACCEPTED)


@pytest.mark.django_db
def test_the_full_run_stores_what_a_fresh_engine_run_finds_for_each_scope(world):
    from coordination.models import CoverageFigure, CoverageScope, CoverageSummary
    from coordination.services.gaps import gaps_full_run

    run = gaps_full_run()
    stored_all, stored_accepted = _stored(CoverageScope.ALL), _stored(CoverageScope.ACCEPTED)
    assert stored_all == _fresh() and len(stored_all) == 3 * 3  # 3 municipalities x (whole + 2 sectors)
    assert stored_accepted == _fresh(_accepted())
    gamma = (world["m3"].pk, None)
    assert stored_all[gamma][FIELDS.index("unreached")] is False  # the draft reaches it for the ministry
    assert stored_accepted[gamma][FIELDS.index("unreached")] is True
    assert run.counts["figures_stored"] == 18
    assert set(CoverageSummary.objects.values_list("scope", flat=True)) == {"all", "accepted"}
    times = set(CoverageFigure.objects.values_list("scope", "municipality_id", "sector_id", "as_of"))
    again = gaps_full_run()  # idempotent: the same rows again, not twice as many
    assert _stored(CoverageScope.ALL) == stored_all
    # Nothing changed: nothing rewritten, and the figures keep the time they were found (that time must not
    # move with records a reader may not see).
    assert again.counts["figures_stored"] == 0
    assert set(CoverageFigure.objects.values_list("scope", "municipality_id", "sector_id", "as_of")) == times


@pytest.mark.django_db
def test_a_project_change_re_checks_its_municipalities_and_the_figures_equal_a_fresh_run(world):
    from coordination.models import CoverageFigure, CoverageScope
    from coordination.services.gaps import gaps_check_projects, gaps_full_run

    gaps_full_run()
    before = _stored(CoverageScope.ALL)
    world["p2"].budget = 2_000_000
    world["p2"].save(update_fields=["budget"])
    world["p1"].status = 4  # closed: alpha's water cell loses it
    world["p1"].save(update_fields=["status"])
    untouched = CoverageFigure.objects.get(scope="all", municipality=world["m3"], sector=None).as_of
    gaps_check_projects(project_ids=[world["p1"].pk, world["p2"].pk])
    after = _stored(CoverageScope.ALL)
    assert after != before
    assert after == _fresh()
    assert _stored(CoverageScope.ACCEPTED) == _fresh(_accepted())
    # Only the municipalities the projects touch were rewritten.
    assert CoverageFigure.objects.get(scope="all", municipality=world["m3"], sector=None).as_of == untouched
    assert CoverageFigure.objects.get(scope="all", municipality=world["m1"], sector=None).as_of > untouched


@pytest.mark.django_db
def test_a_run_that_fails_leaves_the_previous_figures(world, monkeypatch):
    from coordination.models import AnalysisRun, CoverageScope, CoverageSummary
    from coordination.services import coverage
    from coordination.services.gaps import gaps_full_run

    gaps_full_run()
    before, summary = _stored(CoverageScope.ALL), CoverageSummary.objects.get(scope="all").as_of
    world["p2"].budget = 9_000_000
    world["p2"].save(update_fields=["budget"])

    def broken(*args, **kwargs):
        raise RuntimeError("the money query failed")

    # Fails after the first scope's rows were written inside the transaction: none of it stays.
    calls = {"n": 0}
    real = coverage._money

    def second_fails(scope):
        calls["n"] += 1
        if calls["n"] == 2:
            broken()
        return real(scope)

    monkeypatch.setattr(coverage, "_money", second_fails)
    with pytest.raises(RuntimeError):
        gaps_full_run()
    assert AnalysisRun.objects.filter(kind="gaps").first().status == AnalysisRun.Status.FAILED
    assert _stored(CoverageScope.ALL) == before != _fresh()
    assert CoverageSummary.objects.get(scope="all").as_of == summary


def _no_engine(monkeypatch):
    """Make any run of the engine on request fail the test."""
    from coordination.services import gaps

    def refuse(*args, **kwargs):
        raise AssertionError("the gap engine ran on request")

    monkeypatch.setattr(gaps, "gap_analysis", refuse)


@pytest.mark.django_db
def test_ministry_reads_come_from_the_stored_figures_without_running_the_engine(world, personas, client_for,
                                                                               monkeypatch):
    from coordination.services.gaps import gaps_full_run

    gaps_full_run()
    expected = _fresh()
    _no_engine(monkeypatch)
    api = client_for(personas["ministry_analyst"], "en", api=True)
    listed = api.get(reverse("api:gaps"), {"level": "municipality"}).json()
    assert listed["as_of"]
    assert {r["municipality_id"]: r["gap_score"] for r in listed["results"]} == {
        m: v[FIELDS.index("gap_score")] for (m, s), v in expected.items() if s is None}
    summary = api.get(reverse("api:gaps-summary"), {"sector": "water"}).json()
    assert summary["as_of"] and summary["counts"]["municipalities"] == 3
    assert all(a["sector_id"] == world["water"].pk for a in summary["regions"])
    layer = api.get(reverse("api:municipality-coverage")).json()
    assert layer["as_of"] and {f["properties"]["unreached"] for f in layer["features"]} == {False}
    assert all(f["geometry"] is not None for f in layer["features"])
    page = client_for(personas["ministry_analyst"], "en")
    figures = page.get(reverse("map_figures"), {"measure": "gap_score", "sector": "water"}).json()
    assert figures["as_of"] and any("Figures as of" in n for n in figures["notes"])
    home = page.get(reverse("home"))
    assert home.status_code == 200 and b'data-testid="figures-as-of"' in home.content
    file = page.get(reverse("municipality_file", args=["gamma"]))
    assert file.status_code == 200 and b'data-testid="figures-as-of"' in file.content


@pytest.mark.django_db
def test_a_focal_point_reads_the_accepted_figures_with_their_own_pending_places_recomputed(world, personas,
                                                                                          client_for):
    from coordination.services.gaps import gaps_full_run
    from projects.selectors.projects import projects_counted_for

    gaps_full_run()
    for persona in ("undp_focal_point", "unicef_focal_point"):
        user = personas[persona]
        expected = {m: v for (m, s), v in _fresh(projects_counted_for(user)).items() if s is None}
        rows = client_for(user, "en", api=True).get(reverse("api:gaps"), {"level": "municipality"}).json()["results"]
        assert {r["municipality_id"]: (r["active_projects"], r["budget_usd"], r["gap_score"], r["unreached"])
                for r in rows} == {m: (v[0], v[2], v[FIELDS.index("gap_score")], v[FIELDS.index("unreached")])
                                   for m, v in expected.items()}
        gamma = next(r for r in rows if r["municipality_slug"] == "gamma")
        # UNDP counts its own draft; UNICEF never sees it through the figures.
        assert gamma["unreached"] is (persona == "unicef_focal_point")


@pytest.mark.django_db
def test_without_a_run_today_the_reads_fall_back_to_the_engine(world, personas, client_for):
    rows = client_for(personas["ministry_analyst"], "en", api=True).get(
        reverse("api:gaps"), {"level": "municipality"}).json()["results"]
    assert {r["municipality_id"]: r["gap_score"] for r in rows} == {
        m: v[FIELDS.index("gap_score")] for (m, s), v in _fresh().items() if s is None}


def _grow(world, n: int) -> None:
    from projects.models import ReviewState

    for i in range(n):
        make_project(municipalities=[world["m1"], world["m2"]], shares=[60, 40],
                     sectors={world["water"]: 50, world["health"]: 50},
                     partner=world["undp"] if i % 2 else world["unicef"], state=ReviewState.ACCEPTED,
                     planned_start=TODAY - timedelta(days=30), planned_end=TODAY + timedelta(days=30))


PAGES = [
    ("home", {}, None), ("map_figures", {"measure": "usd_per_capita"}, None),
    ("map_figures", {"measure": "gap_score"}, None), ("municipality_file", {}, "alpha"),
    ("api:gaps", {}, None), ("api:gaps-summary", {}, None), ("api:municipality-coverage", {}, None),
]


def _count_queries(client, name, params, slug) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(name, args=[slug] if slug else None)
    client.get(url, params)  # warm: sessions, caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ministry_analyst", "undp_focal_point"])
def test_query_counts_hold_with_3_and_with_30_projects(world, personas, client_for, django_assert_num_queries,
                                                       persona):
    from coordination.services.gaps import gaps_full_run

    user = personas[persona]
    clients = {False: client_for(user, "en"), True: client_for(user, "en", api=True)}
    gaps_full_run()
    counts = {}
    for name, params, slug in PAGES:
        counts[(name, str(params))] = _count_queries(clients[name.startswith("api:")], name, params, slug)
    _grow(world, 27)  # 3 projects, then 30
    gaps_full_run()
    for name, params, slug in PAGES:
        client = clients[name.startswith("api:")]
        url = reverse(name, args=[slug] if slug else None)
        with django_assert_num_queries(counts[(name, str(params))]):
            assert client.get(url, params).status_code == 200


@pytest.mark.django_db
def test_accepting_a_project_refreshes_the_accepted_scope_through_the_re_check(world, personas,
                                                                              django_capture_on_commit_callbacks):
    from coordination.models import CoverageScope
    from coordination.services.gaps import gaps_full_run
    from projects.models import ReviewState
    from projects.services.projects import project_review

    gaps_full_run()
    gamma = (world["m3"].pk, None)
    assert _stored(CoverageScope.ACCEPTED)[gamma][FIELDS.index("unreached")] is True
    draft = world["draft"]
    draft.state = ReviewState.SUBMITTED
    draft.save(update_fields=["state"])
    with django_capture_on_commit_callbacks(execute=True):
        project_review(project=draft, user=personas["ministry_analyst"], decision="accept")
    draft.refresh_from_db()
    assert draft.state == ReviewState.ACCEPTED
    accepted = _stored(CoverageScope.ACCEPTED)
    assert accepted[gamma][FIELDS.index("unreached")] is False
    assert accepted == _fresh(_accepted())
