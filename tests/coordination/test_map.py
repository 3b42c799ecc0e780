"""The map's JSON answers: figures per municipality and their legend, sites, duplicate pairs; scoping, query
counts whatever the data size, bad filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.analysis.map_classes import classify, quantile_breaks
from coordination.models import DuplicateFlag
from projects.models import ProjectLocation, ProjectSector, ReviewState, Site
from tests import factories

pytestmark = pytest.mark.django_db


def _project(municipality, *, sector=None, partner=None, state=ReviewState.ACCEPTED, budget="100000", site=True):
    project = factories.ProjectFactory(state=state, budget=Decimal(budget),
                                       **({"reporting_partner": partner} if partner else {}))
    ProjectLocation.objects.create(project=project, municipality=municipality)
    if sector is not None:
        ProjectSector.objects.create(project=project, sector=sector, percentage=100)
    if site:
        Site.objects.create(project=project, point=Point(13.2, 32.85, srid=4326), municipality=municipality,
                            name_en="Site", name_ar="موقع")
    return project


def test_classes_keep_zero_and_no_data_apart_and_quantiles_hold_equal_values_together():
    result = classify({1: 0, 2: 1, 3: 1, 4: 5, 5: None, 6: 9}, scale="count")
    keys = [c.key for c in result.classes]
    assert keys[0] == "zero" and keys[-1] == "none"
    assert result.assigned[1] == "zero" and result.assigned[5] == "none"
    assert result.assigned[2] == result.assigned[3] != result.assigned[6]
    assert quantile_breaks([1, 1, 1, 1]) == [1]
    severity = classify({1: 1, 2: 5}, scale="severity")
    assert [c.count for c in severity.classes] == [1, 0, 0, 0, 1, 0]


def test_usd_per_capita_figures_legend_and_counts_change_with_the_sector(client_for, personas):
    water, power = factories.SectorFactory(code="water"), factories.SectorFactory(code="power")
    a = factories.MunicipalityFactory(population=1000)
    b = factories.MunicipalityFactory(population=2000)
    factories.MunicipalityFactory(population=None)
    _project(a, sector=water, budget="10000")
    _project(b, sector=power, budget="10000")
    client = client_for("ministry_analyst", "en")
    url = reverse("map_figures")
    every = client.get(url, {"measure": "usd_per_capita"}).json()
    assert every["municipalities"][a.slug]["value_text"] == "USD 10.00"
    assert every["municipalities"][b.slug]["value_text"] == "USD 5.00"
    assert {item["key"]: item["text"] for item in every["summary"]}["projects"] == "2"
    assert any(item["key"] == "none" and item["count"] == 1 for item in every["legend"])
    only_water = client.get(url, {"measure": "usd_per_capita", "sector": "water"}).json()
    assert only_water["municipalities"][b.slug]["value_text"] == "USD 0.00"
    assert {item["key"]: item["text"] for item in only_water["summary"]}["projects"] == "1"
    assert only_water["legend"] != every["legend"]
    assert only_water["municipalities"][b.slug]["unreached"] is True
    arabic = client_for("ministry_analyst", "ar").get(url, {"measure": "usd_per_capita"}).json()
    assert arabic["municipalities"][a.slug]["value_text"] == "10.00 دولار أمريكي"
    assert arabic["measure_label"] == "دولار للفرد"


def test_another_partners_draft_shows_neither_on_a_focal_points_map_nor_in_its_counts(client_for, personas, undp,
                                                                                     unicef):
    place = factories.MunicipalityFactory()
    draft = _project(place, partner=unicef, state=ReviewState.DRAFT)
    own = _project(place, partner=undp, state=ReviewState.DRAFT)
    DuplicateFlag.objects.create(project_a=draft, project_b=own, score=0.9, reasons=[])  # a < b
    fp = client_for("undp_focal_point", "en")
    figures = fp.get(reverse("map_figures")).json()
    assert figures["municipalities"][place.slug]["value_text"] == "1"
    assert {item["key"]: item["text"] for item in figures["summary"]}["projects"] == "1"
    assert len(fp.get(reverse("map_sites")).json()["features"]) == 1
    assert fp.get(reverse("map_duplicates")).json()["features"] == []
    analyst = client_for("ministry_analyst", "en")
    assert analyst.get(reverse("map_figures")).json()["municipalities"][place.slug]["value_text"] == "2"
    pairs = analyst.get(reverse("map_duplicates")).json()["features"]
    assert len(pairs) == 1 and pairs[0]["properties"]["url"].endswith(f"/coordination/duplicates/{pairs[0]['id']}/")


@pytest.mark.parametrize("measure", ["active_projects", "usd_per_capita", "gap_score", "severity", "open_flags"])
def test_each_measure_runs_a_fixed_number_of_queries(client_for, personas, django_assert_num_queries, measure):
    sector = factories.SectorFactory(code="water")
    client = client_for("ministry_analyst", "en")
    counts, made = [], 0
    for size in (3, 30):  # projects (each in a municipality of its own, with a site)
        while made < size:
            _project(factories.MunicipalityFactory(), sector=sector)
            made += 1
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("map_figures"), {"measure": measure, "sector": "water"})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    for name in ("map_sites", "map_duplicates"):
        with CaptureQueriesContext(connection) as small:
            client.get(reverse(name))
        for _ in range(5):
            _project(factories.MunicipalityFactory(), sector=sector)
        with django_assert_num_queries(len(small.captured_queries)):
            client.get(reverse(name))


@pytest.mark.parametrize("params, field", [({"measure": "nonsense"}, "measure"), ({"sector": "no-such"}, "sector"),
                                           ({"status": "9"}, "status"), ({"start": "yesterday"}, "start"),
                                           ({"start": "2025-06-01", "end": "2025-01-01"}, "end"),
                                           ({"partner": "x"}, "partner")])
def test_bad_filters_are_a_clear_400(client_for, personas, params, field):
    client = client_for("ministry_analyst", "en")
    for name in ("map_figures", "map_sites", "map_duplicates"):
        response = client.get(reverse(name), params)
        assert response.status_code == 400
        assert field in response.json()["fields"] and response.json()["error"]


def test_the_period_filter_reads_active_on_its_end(client_for, personas):
    place = factories.MunicipalityFactory()
    _project(place)  # starts 2025-01-01
    client = client_for("ministry_analyst", "en")
    before = client.get(reverse("map_figures"), {"start": "2024-01-01", "end": "2024-06-30"}).json()
    assert before["on"] == "2024-06-30" and before["municipalities"][place.slug]["unreached"] is True
    during = client.get(reverse("map_figures"), {"start": "2025-01-01", "end": "2025-06-30"}).json()
    assert during["municipalities"][place.slug]["unreached"] is False


def test_shapes_are_cached_by_version_and_revalidated_by_etag(client_for, personas):
    place = factories.MunicipalityFactory()
    client = client_for("viewer", "en")
    first = client.get(reverse("municipalities_geojson"))
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    assert client.get(reverse("municipalities_geojson"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    place.point = Point(14.0, 31.0, srid=4326)
    place.save()
    moved = client.get(reverse("municipalities_geojson"), HTTP_IF_NONE_MATCH=etag)
    assert moved.status_code == 200 and moved["ETag"] != etag
    assert moved.json()["features"][0]["geometry"]["coordinates"] == [14.0, 31.0]


def test_the_map_page_keeps_its_filters_and_needs_no_tile_server(client_for, personas):
    factories.SectorFactory(code="water")
    html = client_for("ministry_analyst", "en").get(reverse("municipality_map"),
                                                    {"measure": "usd_per_capita", "sector": "water"}).content.decode()
    assert '<option value="usd_per_capita" selected>' in html and '<option value="water" selected>' in html
    assert "tile.openstreetmap" not in html and "leaflet.markercluster.js" in html
    assert dt.date.today()  # the page renders whatever today is


def test_open_flags_count_each_flag_once_where_a_selected_project_of_it_is(personas, undp, unicef):
    from coordination.models import DelayFlag
    from coordination.selectors.map import MapFilters, map_projects, open_flags_by_municipality

    here, there, elsewhere = (factories.MunicipalityFactory() for _ in range(3))
    other = _project(elsewhere, partner=unicef)  # first: the lower pk, project a of its pair with b
    a, b = _project(here, partner=undp), _project(here, partner=undp)  # a pair inside one municipality
    ProjectLocation.objects.create(project=b, municipality=there)
    DuplicateFlag.objects.create(project_a=a, project_b=b, score=0.9, reasons=[])
    DuplicateFlag.objects.create(project_a=other, project_b=b, score=0.8, reasons=[])
    DelayFlag.objects.create(project=b, rule=DelayFlag.Rule.SUSPENDED, severity=2, score=0.5, reasons=[])
    DelayFlag.objects.create(project=other, rule=DelayFlag.Rule.SUSPENDED, severity=2, score=0.5, reasons=[])
    analyst = personas["ministry_analyst"]
    every = open_flags_by_municipality(analyst, map_projects(analyst, MapFilters()), sector=None)
    assert (every[here.pk], every[there.pk], every[elsewhere.pk]) == (3, 3, 2)
    undp_only = open_flags_by_municipality(analyst, map_projects(analyst, MapFilters(partner_id=undp.pk)),
                                           sector=None)
    # The second pair still counts where its selected project (b) is, and nowhere its other one is.
    assert (undp_only[here.pk], undp_only[there.pk], undp_only[elsewhere.pk]) == (3, 3, 0)
