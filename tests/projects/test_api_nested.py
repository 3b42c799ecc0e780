"""Nested writes in the project API: sites, transactions and related activities, validated, all or nothing."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from projects.models import ActivityStatus, Project, RelatedActivity, Site, Transaction
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    square = MultiPolygon(Polygon(((13.0, 32.7), (13.3, 32.7), (13.3, 32.95), (13.0, 32.95), (13.0, 32.7))), srid=4326)
    tripoli = factories.MunicipalityFactory(slug="tripoli-center", area=square, area_is_official=True)
    misrata = factories.MunicipalityFactory(slug="misrata")
    factories.SectorFactory(code="water")
    return tripoli, misrata


def _body(**extra):
    return {
        "title_ar": "شبكة مياه", "title_en": "Water network", "status": ActivityStatus.IMPLEMENTATION,
        "planned_start": "2025-01-01", "planned_end": "2026-06-30", "budget": "500000.00", "currency": "EUR",
        "iati_identifier": "XM-DAC-41114-WATER-2",
        "sectors": [{"sector": "water", "percentage": "100"}],
        "sites": [
            {"name_ar": "محطة الضخ", "name_en": "Pumping station", "lat": 32.88, "lon": 13.19},
            {"name_en": "Reservoir", "point": {"type": "Point", "coordinates": [15.09, 32.37]},
             "municipality": "misrata"},
        ],
        "transactions": [
            {"type": 2, "date": "2025-02-01", "value": "200000.00", "provider_activity_id": "EU-FUND-1"},
            {"type": 3, "date": "2025-03-01", "value": "50000.00", "currency": "usd"},
        ],
        "related_activities": [{"relation": 1, "iati_identifier": "XM-DAC-41114-WATER"}],
        **extra,
    }


def test_create_with_sites_transactions_and_related_activities(client_for, personas, places):
    tripoli, misrata = places
    parent = factories.ProjectFactory(iati_identifier="XM-DAC-41114-WATER", state="accepted")  # one the reader may see
    response = client_for(personas["undp_focal_point"], 'ar', api=True).post(reverse("api:project-list"), _body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    sites = sorted(body["sites"], key=lambda s: s["lon"])
    # The first site had no municipality: the polygon holding its point gives it.
    assert sites[0]["municipality"] == "tripoli-center" and sites[0]["lat"] == pytest.approx(32.88)
    assert sites[0]["point"] == {"type": "Point", "coordinates": [pytest.approx(13.19), pytest.approx(32.88)]}
    assert sites[1]["municipality"] == "misrata" and sites[1]["name_en"] == "Reservoir"
    txs = sorted(body["transactions"], key=lambda t: t["date"])
    assert [(t["type"], t["value"], t["currency"]) for t in txs] == [(2, "200000.00", "EUR"), (3, "50000.00", "USD")]
    assert txs[0]["provider_activity_id"] == "EU-FUND-1"
    assert body["related_activities"] == [{"relation": 1, "iati_identifier": "XM-DAC-41114-WATER",
                                           "related_project": parent.pk}]
    detail = client_for(personas["ministry_analyst"], 'ar', api=True).get(reverse("api:project-detail", args=[body["id"]])).json()
    assert len(detail["sites"]) == 2 and len(detail["transactions"]) == 2


def test_the_list_stays_lean(client_for, personas, places):
    client_for(personas["undp_focal_point"], 'ar', api=True).post(reverse("api:project-list"), _body(), format="json")
    row = client_for(personas["undp_focal_point"], 'ar', api=True).get(reverse("api:project-list")).json()["results"][0]
    assert "sites" not in row and "sectors" in row


@pytest.mark.parametrize(("change", "field"), [
    ({"sites": [{"name_en": "Nowhere"}]}, "sites"),
    ({"sites": [{"lat": 95, "lon": 13}]}, "sites"),
    ({"sites": [{"lat": 32.8, "lon": 13.1, "point": {"type": "Point", "coordinates": [13.1, 32.8]}}]}, "sites"),
    ({"sites": [{"point": {"type": "LineString", "coordinates": [[13, 32], [14, 33]]}}]}, "sites"),
    ({"sites": [{"lat": 32.8, "lon": 13.1, "municipality": "no-such-place"}]}, "sites"),
    ({"transactions": [{"type": 3, "date": "2025-03-01", "value": "-5"}]}, "transactions"),
    ({"transactions": [{"type": 3, "date": "2025-03-01", "value": "5", "currency": "DOLLARS"}]}, "transactions"),
    ({"transactions": [{"type": 99, "date": "2025-03-01", "value": "5"}]}, "transactions"),
    ({"related_activities": [{"relation": 1, "iati_identifier": "X"}, {"relation": 1, "iati_identifier": "X"}]},
     "related_activities"),
    ({"related_activities": [{"relation": 1, "iati_identifier": "XM-DAC-41114-WATER-2"}]}, "related_activities"),
    ({"related_activities": [{"relation": 9, "iati_identifier": "X"}]}, "related_activities"),
])
def test_an_invalid_nested_list_refuses_the_whole_project(client_for, personas, places, change, field):
    response = client_for(personas["undp_focal_point"], 'ar', api=True).post(reverse("api:project-list"), _body(**change),
                                                             format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert not Project.objects.exists() and not Site.objects.exists() and not Transaction.objects.exists()
    assert not RelatedActivity.objects.exists()


def test_edit_replaces_the_lists_given_and_keeps_the_others(client_for, personas, places):
    fp = client_for(personas["undp_focal_point"], 'ar', api=True)
    project_id = fp.post(reverse("api:project-list"), _body(), format="json").json()["id"]
    url = reverse("api:project-detail", args=[project_id])
    changed = fp.patch(url, {"sites": [{"name_ar": "خزان", "lat": 32.9, "lon": 13.2}]}, format="json")
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert [s["name_ar"] for s in body["sites"]] == ["خزان"] and len(body["transactions"]) == 2
    assert len(body["related_activities"]) == 1 and len(body["sectors"]) == 1


def test_a_failed_edit_changes_nothing(client_for, personas, places):
    fp = client_for(personas["undp_focal_point"], 'ar', api=True)
    project_id = fp.post(reverse("api:project-list"), _body(), format="json").json()["id"]
    before_sites = set(Site.objects.values_list("pk", flat=True))
    response = fp.patch(reverse("api:project-detail", args=[project_id]), {
        "title_en": "Renamed", "sites": [{"name_en": "New", "lat": 32.9, "lon": 13.2}],
        "transactions": [{"type": 3, "date": "2025-03-01", "value": "5", "currency": "EURO"}],
    }, format="json")
    assert response.status_code == 400 and "transactions" in response.json()["error"]["fields"]
    project = Project.objects.get(pk=project_id)
    assert project.title_en == "Water network"
    assert set(Site.objects.values_list("pk", flat=True)) == before_sites and project.transactions.count() == 2


def test_another_partners_focal_point_cannot_write_the_lists(client_for, personas, places):
    project_id = client_for(personas["undp_focal_point"], 'ar', api=True).post(reverse("api:project-list"), _body(),
                                                               format="json").json()["id"]
    response = client_for(personas["unicef_focal_point"], 'ar', api=True).patch(
        reverse("api:project-detail", args=[project_id]), {"sites": []}, format="json")
    assert response.status_code == 404
    assert Site.objects.filter(project_id=project_id).count() == 2


def test_a_site_outside_every_area_has_no_municipality(client_for, personas, places):
    response = client_for(personas["undp_focal_point"], 'ar', api=True).post(
        reverse("api:project-list"), _body(sites=[{"name_en": "Desert", "lat": 25.0, "lon": 20.0}]), format="json")
    assert response.status_code == 201 and response.json()["sites"][0]["municipality"] is None


def test_the_schema_documents_the_nested_lists(client_for, personas):
    schema = client_for(personas["ministry_admin"], 'ar', api=True).get("/api/schema/", {"format": "json"}).json()
    request = schema["components"]["schemas"]["ProjectDetailRequest"]["properties"]
    assert {"sites", "transactions", "related_activities"} <= set(request)
