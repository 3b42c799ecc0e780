"""New sites reported in a project update: written with it (service, API, page), checked (named, in Libya),
all or nothing, and made the project's sites — once — when the ministry accepts the update."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from projects import services
from projects.events import project_changed
from projects.models import ActivityStatus, ProjectUpdate, ReviewState, Site, UpdateSite
from projects.services import updates as services_updates
from tests import factories
from tests.conftest import force_login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def places(db):
    square = MultiPolygon(Polygon(((13.0, 32.7), (13.3, 32.7), (13.3, 32.95), (13.0, 32.95), (13.0, 32.7))), srid=4326)
    tripoli = factories.MunicipalityFactory(slug="tripoli-center", name_en="Tripoli Center", area=square,
                                            area_is_official=True)
    misrata = factories.MunicipalityFactory(slug="misrata", name_en="Misrata")
    return tripoli, misrata


@pytest.fixture
def project(undp):
    return factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED, title_en="Schools in Tripoli")


@pytest.fixture
def announced():
    """The change categories services announce for projects."""
    seen: list[set[str]] = []

    def on_project(sender, changed, **kwargs):
        seen.append(set(changed))

    project_changed.connect(on_project, dispatch_uid="test-update-sites")
    yield seen
    project_changed.disconnect(dispatch_uid="test-update-sites")


def _fields(**extra):
    return {"period_start": dt.date(2025, 4, 1), "period_end": dt.date(2025, 6, 30),
            "progress_percent": Decimal("40"), "status": ActivityStatus.IMPLEMENTATION,
            "spend_to_date": Decimal("5000"), **extra}


SCHOOL = {"name_ar": "مدرسة الفجر", "name_en": "Al-Fajr school", "lat": 32.88, "lon": 13.19}
CLINIC = {"name_en": "Clinic", "point": Point(15.09, 32.37, srid=4326)}


def _submitted(personas, project, sites):
    fp = personas["undp_focal_point"]
    update = services.project_update_create(project=project, user=fp, fields=_fields(), new_sites=sites)
    return services.project_update_submit(update=update, user=fp)


# --- the service ------------------------------------------------------------------------------


def test_a_focal_point_reports_new_sites_and_their_municipality_is_found(personas, project, places):
    tripoli, misrata = places
    update = services.project_update_create(project=project, user=personas["undp_focal_point"], fields=_fields(),
                                            new_sites=[SCHOOL, {**CLINIC, "municipality": misrata}])
    rows = list(update.new_sites.order_by("pk"))
    assert [(r.name_ar, r.name_en, r.municipality, r.site) for r in rows] == [
        ("مدرسة الفجر", "Al-Fajr school", tripoli, None), ("", "Clinic", misrata, None)]
    assert (round(rows[0].point.y, 6), round(rows[0].point.x, 6)) == (32.88, 13.19)
    assert not Site.objects.exists()  # a partner's claim until the ministry accepts the update


@pytest.mark.parametrize(("row", "message"), [
    ({"name_en": "Sabha school", "lat": 13.19, "lon": 32.88}, "The site must be in Libya"),  # swapped
    ({"name_en": "Far away", "lat": 40.0, "lon": 13.0}, "latitude between 19 and 34"),
    ({"name_en": "West", "lat": 32.0, "lon": 8.5}, "longitude between 9 and 26"),
    ({"name_ar": " ", "name_en": "", "lat": 32.88, "lon": 13.19}, "Give the site's name in Arabic or English."),
    ({"name_en": "Nowhere"}, "give the site's latitude and longitude"),
])
def test_a_bad_site_is_refused_with_a_clear_message_and_nothing_is_saved(personas, project, places, row, message):
    with pytest.raises(ValidationError) as caught:
        services.project_update_create(project=project, user=personas["undp_focal_point"], fields=_fields(),
                                       new_sites=[SCHOOL, row])
    errors = caught.value.message_dict["new_sites"]
    assert errors[0].startswith("Item 2: ") and message in errors[0], errors
    assert not ProjectUpdate.objects.exists() and not UpdateSite.objects.exists()


def test_editing_replaces_the_new_sites_as_a_whole_and_a_bad_list_changes_nothing(personas, project, places):
    fp = personas["undp_focal_point"]
    update = services.project_update_create(project=project, user=fp, fields=_fields(), new_sites=[SCHOOL])
    services.project_update_edit(update=update, user=fp, fields={"narrative": "More"})  # no list: kept
    assert list(update.new_sites.values_list("name_en", flat=True)) == ["Al-Fajr school"]
    services.project_update_edit(update=update, user=fp, fields={}, new_sites=[CLINIC])
    assert list(update.new_sites.values_list("name_en", flat=True)) == ["Clinic"]
    with pytest.raises(ValidationError):
        services.project_update_edit(update=update, user=fp, fields={"narrative": "Changed"},
                                     new_sites=[SCHOOL, {"name_en": "x", "lat": 50, "lon": 50}])
    update.refresh_from_db()
    assert update.narrative == "More" and list(update.new_sites.values_list("name_en", flat=True)) == ["Clinic"]
    services.project_update_edit(update=update, user=fp, fields={}, new_sites=[])
    assert not update.new_sites.exists()


def test_accepting_makes_them_the_projects_sites_once_and_queues_the_duplicate_check(
        personas, project, places, announced, django_capture_on_commit_callbacks, monkeypatch):
    from coordination.tasks import duplicates

    queued: list[list[int]] = []
    monkeypatch.setattr(duplicates.duplicates_check_projects, "delay", lambda ids: queued.append(list(ids)))
    tripoli, _misrata = places
    update = _submitted(personas, project, [SCHOOL, CLINIC])
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_update_review(update=update, user=personas["ministry_analyst"], decision="accept")
    sites = list(project.sites.order_by("pk"))
    assert [(s.name_en, s.municipality) for s in sites] == [("Al-Fajr school", tripoli), ("Clinic", None)]
    assert [r.site for r in update.new_sites.order_by("pk")] == sites
    assert any("sites" in changed for changed in announced)
    assert queued == [[project.pk]]

    # Accepting again is refused (the update is no longer submitted), and re-running the accept path adds nothing.
    with pytest.raises(PermissionDenied):
        services.project_update_review(update=update, user=personas["ministry_analyst"], decision="accept")
    assert services_updates.update_sites_to_project(update) == 0
    assert Site.objects.count() == 2


def test_a_site_the_project_already_has_is_linked_not_copied(personas, project, places, announced):
    tripoli, _misrata = places
    existing = Site.objects.create(project=project, name_ar=SCHOOL["name_ar"], name_en=SCHOOL["name_en"],
                                   point=Point(SCHOOL["lon"], SCHOOL["lat"], srid=4326), municipality=tripoli)
    update = _submitted(personas, project, [SCHOOL])
    announced.clear()
    services.project_update_review(update=update, user=personas["ministry_analyst"], decision="accept")
    assert list(project.sites.all()) == [existing] and update.new_sites.get().site == existing
    assert not any("sites" in changed for changed in announced)  # nothing new on the map: no re-check


def test_a_returned_update_keeps_its_new_sites_for_the_fix(personas, project, places):
    fp = personas["undp_focal_point"]
    update = _submitted(personas, project, [SCHOOL])
    services.project_update_review(update=update, user=personas["ministry_analyst"], decision="return",
                                   comment="Give the clinic too.")
    assert list(update.new_sites.values_list("name_en", "site")) == [("Al-Fajr school", None)]
    assert not Site.objects.exists()
    services.project_update_edit(update=update, user=fp, fields={}, new_sites=[SCHOOL, CLINIC])
    services.project_update_submit(update=update, user=fp)
    services.project_update_review(update=update, user=personas["ministry_analyst"], decision="accept")
    assert sorted(project.sites.values_list("name_en", flat=True)) == ["Al-Fajr school", "Clinic"]


def test_another_partners_focal_point_cannot_add_sites(personas, project, places):
    update = services.project_update_create(project=project, user=personas["undp_focal_point"], fields=_fields())
    with pytest.raises(PermissionDenied):
        services.project_update_edit(update=update, user=personas["unicef_focal_point"], fields={},
                                     new_sites=[SCHOOL])
    with pytest.raises(PermissionDenied):
        services.project_update_create(project=project, user=personas["unicef_focal_point"], fields=_fields(),
                                       new_sites=[SCHOOL])
    assert not UpdateSite.objects.exists() and ProjectUpdate.objects.count() == 1


# --- the API ----------------------------------------------------------------------------------


def _body(project_id, **extra):
    return {"project": project_id, "period_start": "2025-04-01", "period_end": "2025-06-30",
            "progress_percent": "40.00", "status": ActivityStatus.IMPLEMENTATION, "spend_to_date": "5000.00",
            "new_sites": [{"name_ar": "مدرسة الفجر", "name_en": "Al-Fajr school", "lat": 32.88, "lon": 13.19},
                          {"name_en": "Clinic", "point": {"type": "Point", "coordinates": [15.09, 32.37]},
                           "municipality": "misrata"}], **extra}


def test_the_api_writes_and_shows_new_sites(client_for, personas, project, places):
    fp = client_for(personas["undp_focal_point"], 'en', api=True)
    response = fp.post(reverse("api:update-list"), _body(project.pk), format="json")
    assert response.status_code == 201, response.json()
    rows = response.json()["new_sites"]
    assert [(r["name_en"], r["municipality"], r["site"], r["added_to_project"]) for r in rows] == [
        ("Al-Fajr school", "tripoli-center", None, False), ("Clinic", "misrata", None, False)]
    assert rows[1]["point"] == {"type": "Point", "coordinates": [pytest.approx(15.09), pytest.approx(32.37)]}
    update_id = response.json()["id"]
    patched = fp.patch(reverse("api:update-detail", args=[update_id]),
                       {"new_sites": [{"name_en": "Well", "lat": 26.0, "lon": 14.4}]}, format="json")
    assert patched.status_code == 200 and [r["name_en"] for r in patched.json()["new_sites"]] == ["Well"]
    fp.post(reverse("api:update-submit", args=[update_id]))
    accepted = client_for(personas["ministry_analyst"], 'en', api=True).post(reverse("api:update-review", args=[update_id]),
                                                       {"decision": "accept"}, format="json")
    row = accepted.json()["new_sites"][0]
    assert row["added_to_project"] is True and row["site"] == project.sites.get().pk
    detail = fp.get(reverse("api:update-detail", args=[update_id])).json()
    assert detail["new_sites"][0]["site"] == row["site"]


@pytest.mark.parametrize("site", [
    {"name_en": "Wrong way round", "lat": 13.19, "lon": 32.88},
    {"name_ar": "", "name_en": "", "lat": 32.88, "lon": 13.19},
    {"name_en": "No place"},
    {"name_en": "Bad point", "point": {"type": "LineString", "coordinates": [[13, 32], [14, 33]]}},
])
def test_the_api_refuses_a_bad_site_and_saves_nothing(client_for, personas, project, places, site):
    response = client_for(personas["undp_focal_point"], 'en', api=True).post(
        reverse("api:update-list"), _body(project.pk, new_sites=[site]), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "new_sites" in error["fields"], error
    assert not ProjectUpdate.objects.exists() and not UpdateSite.objects.exists()


def test_another_partner_cannot_touch_the_new_sites_through_the_api(client_for, personas, project, places):
    created = client_for(personas["undp_focal_point"], 'en', api=True).post(reverse("api:update-list"), _body(project.pk), format="json")
    update_id = created.json()["id"]
    other = client_for(personas["unicef_focal_point"], 'en', api=True).patch(reverse("api:update-detail", args=[update_id]),
                                                      {"new_sites": []}, format="json")
    assert other.status_code == 404  # another partner's draft does not exist for them
    services.project_update_submit(update=ProjectUpdate.objects.get(), user=personas["undp_focal_point"])
    locked = client_for(personas["undp_focal_point"], 'en', api=True).patch(reverse("api:update-detail", args=[update_id]),
                                                     {"new_sites": []}, format="json")
    assert locked.status_code == 403
    assert UpdateSite.objects.count() == 2


@pytest.mark.parametrize("size", [2, 8])
def test_the_update_list_keeps_its_query_count_with_new_sites(client_for, personas, project, places, size,
                                                              django_assert_max_num_queries):
    for _ in range(size):
        services.project_update_create(project=project, user=personas["undp_focal_point"], fields=_fields(),
                                       new_sites=[SCHOOL, CLINIC])
    with django_assert_max_num_queries(3):
        response = client_for(personas["undp_focal_point"], 'en', api=True).get(reverse("api:update-list"))
    assert response.status_code == 200
    assert [len(u["new_sites"]) for u in response.json()["results"]] == [2] * size
    assert response.json()["results"][0]["new_sites"][0]["municipality"] == "tripoli-center"


# --- the pages --------------------------------------------------------------------------------


def _page(personas, name: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    force_login_verified(client, personas[name])
    return client


def _form(**extra) -> dict[str, str]:
    data = {"period_start": "2025-04-01", "period_end": "2025-06-30", "progress_percent": "45", "status": "2",
            "spend_to_date": "42000", "beneficiaries_reached": "", "narrative": "", "problems": "",
            "sites-TOTAL_FORMS": "3", "sites-INITIAL_FORMS": "0", "sites-MIN_NUM_FORMS": "0",
            "sites-MAX_NUM_FORMS": "100"}
    for index in range(3):
        for name in ("name_ar", "name_en", "lat", "lon", "municipality"):
            data[f"sites-{index}-{name}"] = ""
    data.update(extra)
    return data


def test_the_form_reports_new_sites_in_rows(personas, project, places):
    tripoli, misrata = places
    response = _page(personas, "undp_focal_point").post(reverse("update_create", args=[project.pk]), _form(**{
        "sites-0-name_ar": "مدرسة الفجر", "sites-0-lat": "32.88", "sites-0-lon": "13.19",
        "sites-2-name_en": "Clinic", "sites-2-lat": "32.37", "sites-2-lon": "15.09",
        "sites-2-municipality": str(misrata.pk)}))
    update = ProjectUpdate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("update_detail", args=[update.pk])
    assert list(update.new_sites.order_by("pk").values_list("name_ar", "name_en", "municipality")) == [
        ("مدرسة الفجر", "", tripoli.pk), ("", "Clinic", misrata.pk)]
    edit = _page(personas, "undp_focal_point").get(reverse("update_edit", args=[update.pk]))
    assert edit.status_code == 200
    assert 'value="مدرسة الفجر"' in edit.content.decode() and 'name="sites-1-lat" value="32.37"' in edit.content.decode()


def test_a_post_without_the_site_rows_leaves_the_new_sites_as_they_are(personas, project, places):
    update = services.project_update_create(project=project, user=personas["undp_focal_point"], fields=_fields(),
                                            new_sites=[SCHOOL])
    data = {k: v for k, v in _form(narrative="Later").items() if not k.startswith("sites-")}
    response = _page(personas, "undp_focal_point").post(reverse("update_edit", args=[update.pk]), data)
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.narrative == "Later" and list(update.new_sites.values_list("name_en", flat=True)) == [
        "Al-Fajr school"]
    emptied = _page(personas, "undp_focal_point").post(reverse("update_edit", args=[update.pk]), _form())
    assert emptied.status_code == 302 and not update.new_sites.exists()  # rows sent empty: no new site


def test_the_form_shows_each_bad_row_and_saves_nothing(personas, project, places):
    response = _page(personas, "undp_focal_point").post(reverse("update_create", args=[project.pk]), _form(**{
        "sites-0-name_en": "Upside down", "sites-0-lat": "13.19", "sites-0-lon": "32.88",
        "sites-1-lat": "32.88", "sites-1-lon": "13.19",
        "sites-2-name_en": "Half", "sites-2-lat": "32.88"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    forms = response.context["sites"].forms
    assert "The site must be in Libya" in forms[0].errors["lat"][0]
    assert forms[1].errors["name_ar"] == ["Give the site's name in Arabic or English."]
    assert forms[2].errors["lon"] == ["Give the latitude and the longitude."]
    assert html.count('data-error-for="lat"') == 1 and 'data-error-for="name_ar"' in html
    assert not ProjectUpdate.objects.exists() and not UpdateSite.objects.exists()


def test_another_partners_focal_point_cannot_post_sites_to_the_page(personas, project, places):
    update = services.project_update_create(project=project, user=personas["undp_focal_point"], fields=_fields())
    response = _page(personas, "unicef_focal_point").post(reverse("update_edit", args=[update.pk]), _form(**{
        "sites-0-name_en": "Intruder", "sites-0-lat": "32.88", "sites-0-lon": "13.19"}))
    assert response.status_code == 404 and not UpdateSite.objects.exists()


def test_the_update_page_lists_the_new_sites_and_whether_they_were_added(personas, project, places):
    update = _submitted(personas, project, [SCHOOL, {**CLINIC, "name_ar": ""}])
    page = _page(personas, "undp_focal_point").get(reverse("update_detail", args=[update.pk])).content.decode()
    assert "Al-Fajr school" in page and "Tripoli Center" in page and "municipality not found" in page
    assert page.count("added when the update is accepted") == 2
    services.project_update_review(update=update, user=personas["ministry_analyst"], decision="accept")
    page = _page(personas, "ministry_analyst").get(reverse("update_detail", args=[update.pk])).content.decode()
    assert page.count("added to the project") == 2 and "added when the update is accepted" not in page


def test_the_admin_shows_the_new_sites_and_locks_them_once_accepted(personas, project, places):
    admin = _page(personas, "ministry_admin")
    update = _submitted(personas, project, [SCHOOL])
    url = reverse("admin:projects_projectupdate_change", args=[update.pk])
    page = admin.get(url)
    assert page.status_code == 200 and 'name="new_sites-TOTAL_FORMS"' in page.content.decode()
    services.project_update_review(update=update, user=personas["ministry_analyst"], decision="accept")
    page = admin.get(url).content.decode()
    assert "Al-Fajr school" in page and 'name="new_sites-0-name_en"' not in page
