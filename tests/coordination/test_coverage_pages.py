"""The coverage list and the map's figures read at scale: the gaps list paged in the database in the engine's
order, the map's active projects from the stored figures, and the gap score under a partner, status or period
filter from aggregates that equal the engine's; fixed query counts at two sizes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.coordination.gap_delay_helpers import make_project

pytestmark = pytest.mark.django_db
TODAY = date.today()
ACTIVE = {"status": 2, "planned_start": TODAY - timedelta(days=60), "planned_end": TODAY + timedelta(days=300)}


@pytest.fixture
def world(personas, undp, unicef):
    from municipalities.models import Need
    from projects.models import ReviewState

    district = factories.DistrictFactory()
    places = [factories.MunicipalityFactory(district=district, slug=slug, population=pop)
              for slug, pop in (("al-a", 5000), ("ala", 12000), ("b-b", None), ("bb", 800))]
    water, health = factories.SectorFactory(code="water"), factories.SectorFactory(code="health")
    for muni, sector, severity, people in ((places[0], water, 4, 900), (places[1], health, 5, None),
                                           (places[3], water, 3, 300), (places[3], health, 2, 700)):
        Need.objects.create(municipality=muni, sector=sector, severity=severity, people_in_need=people,
                            source="OCHA", assessed_on=TODAY - timedelta(days=20))
    accepted = {"state": ReviewState.ACCEPTED, **ACTIVE}
    make_project(municipalities=[places[0]], sectors={water: 100}, partner=undp, budget=40_000, **accepted)
    make_project(municipalities=[places[0], places[1]], shares=[70, 30], sectors={health: 60, water: 40},
                 partner=unicef, budget=500_000, **accepted)
    make_project(municipalities=[places[3]], sectors={water: 100}, partner=undp, budget=None, **accepted)
    make_project(municipalities=[places[1]], sectors={health: 100}, partner=unicef, budget=9_000,
                 state=ReviewState.ACCEPTED, status=3, planned_start=TODAY - timedelta(days=400),
                 planned_end=TODAY - timedelta(days=30))
    return {"places": places, "water": water, "health": health, "undp": undp, "unicef": unicef}


def _grow(world, n: int) -> None:
    from projects.models import ReviewState

    for i in range(n):
        make_project(municipalities=[world["places"][i % 4], world["places"][(i + 1) % 4]],
                     sectors={world["water"]: 50, world["health"]: 50},
                     partner=world["undp"] if i % 2 else world["unicef"], budget=1000 * (i + 1),
                     state=ReviewState.ACCEPTED, **ACTIVE)


def _all_pages(client, params):
    rows, page = [], 1
    while True:
        body = client.get(reverse("api:gaps"), {**params, "page_size": 3, "page": page}).json()
        rows += body["results"]
        if not body["next"]:
            return rows, body
        page += 1


@pytest.mark.parametrize("ordering", ["-gap_score", "gap_score", "municipality", "-budget_usd", "budget_usd"])
@pytest.mark.parametrize("level", ["sector", "municipality"])
def test_the_gaps_list_is_paged_in_the_database_in_the_order_of_the_rows_read_whole(world, personas, client_for,
                                                                                   monkeypatch, ordering, level):
    from coordination.api import gaps as api
    from coordination.services.gaps import gaps_full_run

    gaps_full_run()
    client = client_for(personas["ministry_analyst"], "en", api=True)
    params = {"ordering": ordering, "level": level}
    paged, last = _all_pages(client, params)
    assert last["as_of"] and last["count"] == len(paged) == (4 if level == "municipality" else 8)
    monkeypatch.setattr(api, "_stored_page", lambda params, user: None)  # the rows read whole, sorted in Python
    whole, _body = _all_pages(client, params)
    assert paged == whole
    # filters narrow the page source alike
    monkeypatch.undo()
    water, _ = _all_pages(client, {**params, "sector": "water", "unreached": "false"})
    assert water and all(r["sector_code"] == "water" and r["unreached"] is False for r in water)


def test_a_focal_point_with_own_pending_projects_still_gets_their_places_recomputed(world, personas, client_for):
    from coordination.services.gaps import gaps_full_run
    from projects.models import ReviewState

    make_project(municipalities=[world["places"][2]], sectors={world["health"]: 100}, partner=world["undp"],
                 budget=5000, state=ReviewState.DRAFT, **ACTIVE)
    gaps_full_run()
    rows = {r["municipality_slug"]: r for r in client_for(personas["undp_focal_point"], "en", api=True).get(
        reverse("api:gaps"), {"level": "municipality"}).json()["results"]}
    other = {r["municipality_slug"]: r for r in client_for(personas["unicef_focal_point"], "en", api=True).get(
        reverse("api:gaps"), {"level": "municipality"}).json()["results"]}
    assert rows["b-b"]["active_projects"] == 1 and rows["b-b"]["unreached"] is False
    assert other["b-b"]["active_projects"] == 0 and other["b-b"]["unreached"] is True  # never another's draft


@pytest.mark.parametrize("persona", ["ministry_analyst", "undp_focal_point"])
def test_the_gaps_list_takes_the_same_queries_with_4_and_with_40_projects(world, personas, client_for,
                                                                          django_assert_num_queries, persona):
    from coordination.services.gaps import gaps_full_run

    client = client_for(personas[persona], "en", api=True)
    gaps_full_run()
    client.get(reverse("api:gaps"), {"page_size": 5})  # warm: the reader's permissions and partner
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("api:gaps"), {"page_size": 5}).status_code == 200
    _grow(world, 36)
    gaps_full_run()
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("api:gaps"), {"page_size": 5}).status_code == 200


def test_the_maps_active_projects_come_from_the_stored_figures(world, personas, client_for, monkeypatch):
    from coordination.selectors import map as map_selectors
    from coordination.services.gaps import gap_analysis_on, gaps_full_run

    gaps_full_run()
    expected = {f.municipality_id: f.active_projects for f in gap_analysis_on()[1].municipalities}

    def refuse(*args, **kwargs):
        raise AssertionError("the active projects were counted over the projects")

    monkeypatch.setattr(map_selectors, "active_projects_by_municipality", refuse)
    body = client_for("ministry_analyst", "en").get(reverse("map_figures"), {"measure": "active_projects"}).json()
    assert body["as_of"]
    shown = {m.slug: body["municipalities"][m.slug]["value_text"] for m in world["places"]}
    assert shown == {m.slug: str(expected[m.pk]) for m in world["places"]}
    assert body["municipalities"]["b-b"]["unreached"] is True


FILTERS = [{"partner": "undp"}, {"partner": "unicef", "sector": "water"}, {"status": 2},
           {"start": (TODAY - timedelta(days=10)).isoformat(), "sector": "health"},
           {"end": (TODAY - timedelta(days=10)).isoformat()}]


@pytest.mark.parametrize("chosen", FILTERS)
def test_the_filtered_gap_score_is_the_engines_over_the_selected_projects(world, personas, chosen):
    from coordination.map_forms import MapFilterForm
    from coordination.selectors.map import map_figures, map_projects
    from coordination.services.gaps import gap_analysis_on

    user = personas["ministry_analyst"]
    data = dict(chosen)
    if "partner" in data:
        data["partner"] = str(world[data["partner"]].pk)
    form = MapFilterForm({**data, "measure": "gap_score"})
    assert form.is_valid(), form.errors
    filters = form.map_filters()
    figures = map_figures(user, filters, measure="gap_score")
    assert figures.as_of is None
    _inputs, analysis = gap_analysis_on(on=figures.on, projects=map_projects(user, filters))
    if filters.sector is None:
        expected = {f.municipality_id: f.gap_score for f in analysis.municipalities}
    else:
        expected = {f.municipality_id: f.gap_score for f in analysis.cells if f.sector_id == filters.sector.pk}
    assert figures.values == pytest.approx(expected, abs=1e-6)
    assert len(set(expected.values())) > 1  # the world tells the municipalities apart


def test_the_filtered_gap_score_takes_the_same_queries_with_4_and_with_40_projects(world, personas, client_for,
                                                                                   django_assert_num_queries):
    client = client_for("ministry_analyst", "en")
    params = {"measure": "gap_score", "partner": world["undp"].pk, "sector": "water"}
    client.get(reverse("map_figures"), params)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("map_figures"), params).status_code == 200
    _grow(world, 36)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("map_figures"), params).status_code == 200


def test_the_coverage_layer_never_simplifies_a_shape_a_run_has_stored(world, personas, client_for, monkeypatch):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from coordination.selectors import coverage
    from coordination.services.gaps import gaps_full_run
    from projects.models import ReviewState

    square = MultiPolygon(Polygon(((13.0, 32.7), (13.3, 32.7), (13.3, 32.95), (13.0, 32.95), (13.0, 32.7))),
                          srid=4326)
    for place in world["places"]:
        place.area, place.area_is_official = square, True
        place.save()
    make_project(municipalities=[world["places"][2]], sectors={world["health"]: 100}, partner=world["undp"],
                 budget=5000, state=ReviewState.DRAFT, **ACTIVE)  # UNDP's places recomputed for UNDP
    gaps_full_run()

    def refuse(*args, **kwargs):
        raise AssertionError("a stored shape was simplified again")

    monkeypatch.setattr(coverage, "web_geometry", refuse)
    url = reverse("api:municipality-coverage")
    ministry = client_for(personas["ministry_analyst"], "en", api=True)
    today = ministry.get(url).json()
    shapes = {f["id"]: f["geometry"] for f in today["features"]}
    assert len(shapes) == 4 and all(g["type"] in ("Polygon", "MultiPolygon") for g in shapes.values())
    past = ministry.get(url, {"date": (TODAY - timedelta(days=1)).isoformat()}).json()  # the engine's figures
    assert past["as_of"] is None and {f["id"]: f["geometry"] for f in past["features"]} == shapes
    own = client_for(personas["undp_focal_point"], "en", api=True).get(url).json()
    assert {f["id"]: f["geometry"] for f in own["features"]} == shapes
    assert next(f for f in own["features"] if f["id"] == "b-b")["properties"]["active_projects"] == 1
