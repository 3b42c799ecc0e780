"""The map's answers at scale: sites listed one by one up to a bound and grouped into grid cells in the database
beyond it, narrowed to the view; a fixed number of queries at two sizes for each answer; a focal point's sites
never include another partner's draft."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.selectors import map as map_selectors
from projects.models import ProjectLocation, ReviewState, Site
from tests import factories

pytestmark = pytest.mark.django_db


def _project_with_sites(municipality, points, *, partner=None, state=ReviewState.ACCEPTED):
    project = factories.ProjectFactory(state=state, budget=Decimal("1000"),
                                       **({"reporting_partner": partner} if partner else {}))
    ProjectLocation.objects.create(project=project, municipality=municipality)
    for i, (x, y) in enumerate(points):
        Site.objects.create(project=project, point=Point(x, y, srid=4326), municipality=municipality,
                            name_en=f"Site {i}", name_ar=f"موقع {i}")
    return project


def _sites(client, **params):
    response = client.get(reverse("map_sites"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_few_sites_are_listed_and_many_are_grid_cells_whose_counts_add_up(client_for, personas, monkeypatch):
    place = factories.MunicipalityFactory()
    # two near Tripoli, one near Benghazi, one far south
    _project_with_sites(place, [(13.18, 32.88), (13.19, 32.89), (20.07, 32.12), (14.43, 27.04)])
    client = client_for("ministry_analyst", "en")
    listed = _sites(client)
    assert listed["clustered"] is False and listed["total"] == 4
    assert {f["properties"]["name"] for f in listed["features"]} == {"Site 0", "Site 1", "Site 2", "Site 3"}
    assert all("count" not in f["properties"] for f in listed["features"])

    monkeypatch.setattr(map_selectors, "SITES_LISTED_MAX", 2)
    cells = _sites(client)
    assert cells["clustered"] is True and cells["total"] == 4
    counts = sorted(f["properties"]["count"] for f in cells["features"])
    assert counts == [1, 1, 2]  # the two Tripoli sites share a cell at the country's zoom
    tripoli = next(f for f in cells["features"] if f["properties"]["count"] == 2)
    assert tripoli["geometry"]["coordinates"] == [13.185, 32.885]  # the mean of its points
    # zoomed in on Tripoli: the two sites are few enough to be listed again
    near = _sites(client, zoom=12, bbox="13.0,32.7,13.4,33.0")
    assert near["clustered"] is False and near["total"] == 2
    assert sorted(f["properties"]["name"] for f in near["features"]) == ["Site 0", "Site 1"]
    # closer zooms make smaller cells: the Tripoli pair splits
    fine = _sites(client, zoom=16)
    assert fine["clustered"] is True and len(fine["features"]) == 4


@pytest.mark.parametrize("params", [{"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"bbox": "10,30,5,35"},
                                    {"zoom": "40"}])
def test_a_bad_view_is_a_clear_400(client_for, personas, params):
    response = client_for("ministry_analyst", "en").get(reverse("map_sites"), params)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(params)


def test_another_partners_draft_sites_are_neither_listed_nor_counted_in_cells(client_for, personas, undp, unicef,
                                                                            monkeypatch):
    place = factories.MunicipalityFactory()
    _project_with_sites(place, [(13.18, 32.88)], partner=undp, state=ReviewState.ACCEPTED)
    _project_with_sites(place, [(13.181, 32.881), (13.182, 32.882)], partner=unicef, state=ReviewState.DRAFT)
    fp = client_for("undp_focal_point", "en")
    assert _sites(fp)["total"] == 1
    monkeypatch.setattr(map_selectors, "SITES_LISTED_MAX", 0)
    cells = _sites(fp)
    assert cells["clustered"] is True and [f["properties"]["count"] for f in cells["features"]] == [1]
    assert sum(f["properties"]["count"] for f in _sites(client_for("ministry_analyst", "en"))["features"]) == 3


@pytest.mark.parametrize("listed_max", [0, 10_000])  # always cells, always listed
def test_sites_take_the_same_queries_with_3_and_with_30_projects(client_for, personas, django_assert_num_queries,
                                                                 monkeypatch, listed_max):
    monkeypatch.setattr(map_selectors, "SITES_LISTED_MAX", listed_max)
    client = client_for("ministry_analyst", "en")
    sector = factories.SectorFactory(code="water")
    counts = []
    made = 0
    for size in (3, 30):
        while made < size:
            project = _project_with_sites(factories.MunicipalityFactory(), [(10 + made * 0.5, 25 + made * 0.2)])
            project.sector_shares.create(sector=sector, percentage=100)
            made += 1
        client.get(reverse("map_sites"))
        with CaptureQueriesContext(connection) as queries:
            body = _sites(client, sector="water", zoom=6)
        assert body["total"] == size
        counts.append(len(queries))
    with django_assert_num_queries(counts[0]):
        _sites(client, sector="water", zoom=6)
    assert counts[0] == counts[1]


def test_pairs_are_the_highest_scores_up_to_the_bound_with_both_points_and_their_total(client_for, personas,
                                                                                     monkeypatch):
    from coordination.models import DuplicateFlag

    here = factories.MunicipalityFactory(point=Point(20.0, 30.0, srid=4326))
    with_site = _project_with_sites(here, [(13.5, 32.5)])
    without = _project_with_sites(here, [])  # drawn at its municipality's point
    third = _project_with_sites(here, [(14.0, 31.0)])
    DuplicateFlag.objects.create(project_a=with_site, project_b=without, score=0.9, reasons=[])
    DuplicateFlag.objects.create(project_a=with_site, project_b=third, score=0.7, reasons=[])
    DuplicateFlag.objects.create(project_a=without, project_b=third, score=0.8, reasons=[], status="dismissed")
    client = client_for("ministry_analyst", "en")
    body = client.get(reverse("map_duplicates")).json()
    assert body["total"] == 2
    assert [f["geometry"]["coordinates"] for f in body["features"]] == [[[13.5, 32.5], [20.0, 30.0]],
                                                                       [[13.5, 32.5], [14.0, 31.0]]]
    monkeypatch.setattr(map_selectors, "PAIRS_LISTED_MAX", 1)
    capped = client.get(reverse("map_duplicates")).json()
    assert capped["total"] == 2 and [f["properties"]["score_text"] for f in capped["features"]] == ["0.90"]


def test_pairs_take_the_same_queries_with_3_and_with_30_flags(client_for, personas, undp,
                                                             django_assert_num_queries):
    from coordination.models import DuplicateFlag

    client = client_for("undp_focal_point", "en")
    made = []
    counts = []
    for size in (3, 30):
        while len(made) < size:
            place = factories.MunicipalityFactory(point=Point(15.0, 30.0, srid=4326))
            a = _project_with_sites(place, [(15.1, 30.1)], partner=undp)
            b = _project_with_sites(place, [], partner=undp)
            made.append(DuplicateFlag.objects.create(project_a=a, project_b=b, score=0.5, reasons=[]))
        client.get(reverse("map_duplicates"))
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("map_duplicates")).json()
        assert body["total"] == len(body["features"]) == size  # a focal point's own pairs
        counts.append(len(queries))
    with django_assert_num_queries(counts[0]):
        client.get(reverse("map_duplicates"))
    assert counts[0] == counts[1]
