"""What a focal point must not learn or borrow from another partner: the id of a hidden project behind a
related activity, another partner's programmes, and which record holds an identifier."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from projects import services
from projects.models import ActivityStatus, Programme, Project, RelatedActivity, ReviewState
from tests import factories
from tests.conftest import force_login_verified

pytestmark = pytest.mark.django_db

NEUTRAL_IATI = "This IATI identifier is already used by another record."
NEUTRAL_CODE = "This code is already used by another record of the same partner."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def water(db):
    return factories.SectorFactory(code="water")


def _body(**extra):
    return {"title_en": "Water network", "status": ActivityStatus.IMPLEMENTATION,
            "sectors": [{"sector": "water", "percentage": "100"}], **extra}


@pytest.fixture
def unicef_projects(unicef):
    hidden = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.DRAFT,
                                      iati_identifier="XM-DAC-41122-HIDDEN", partner_code="U-1")
    shown = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.ACCEPTED,
                                     iati_identifier="XM-DAC-41122-SHOWN")
    return hidden, shown


# --- related activities -----------------------------------------------------------------------


def test_a_related_project_is_named_only_to_those_who_may_see_it(client_for, personas, water, unicef_projects):
    hidden, shown = unicef_projects
    response = client_for(personas["undp_focal_point"], 'en', api=True).post(reverse("api:project-list"), _body(related_activities=[
        {"relation": 3, "iati_identifier": hidden.iati_identifier},
        {"relation": 3, "iati_identifier": shown.iati_identifier}]), format="json")
    assert response.status_code == 201, response.json()
    links = {r["iati_identifier"]: r["related_project"] for r in response.json()["related_activities"]}
    assert links == {hidden.iati_identifier: None, shown.iati_identifier: shown.pk}
    project_id = response.json()["id"]
    # The link is kept (the ministry sees it); only its answer to the focal point is blank.
    assert RelatedActivity.objects.get(iati_identifier=hidden.iati_identifier).related_project == hidden
    ministry = client_for(personas["ministry_analyst"], 'en', api=True).get(reverse("api:project-detail", args=[project_id])).json()
    assert {r["iati_identifier"]: r["related_project"] for r in ministry["related_activities"]} == {
        hidden.iati_identifier: hidden.pk, shown.iati_identifier: shown.pk}
    again = client_for(personas["undp_focal_point"], 'en', api=True).get(reverse("api:project-detail", args=[project_id])).json()
    assert {r["iati_identifier"]: r["related_project"] for r in again["related_activities"]} == links


# --- programmes -------------------------------------------------------------------------------


@pytest.fixture
def programmes(undp, unicef):
    return (Programme.objects.create(partner=undp, title_en="UNDP programme"),
            Programme.objects.create(partner=unicef, title_en="UNICEF programme"))


def test_a_focal_point_attaches_only_their_partners_programmes(personas, water, programmes):
    mine, theirs = programmes
    fp = personas["undp_focal_point"]
    with pytest.raises(ValidationError) as caught:
        services.project_create(user=fp, fields={"title_en": "X", "programme": theirs},
                                sectors=[{"sector": water, "percentage": Decimal("100")}])
    assert "Choose one of your partner's programmes" in caught.value.message_dict["programme"][0]
    assert not Project.objects.exists()
    project = services.project_create(user=fp, fields={"title_en": "X", "programme": mine})
    with pytest.raises(ValidationError):
        services.project_edit(project=project, user=fp, fields={"programme": theirs})
    project.refresh_from_db()
    assert project.programme == mine


def test_the_api_refuses_another_partners_programme(client_for, personas, water, programmes):
    mine, theirs = programmes
    fp = client_for(personas["undp_focal_point"], 'en', api=True)
    refused = fp.post(reverse("api:project-list"), _body(programme=theirs.pk), format="json")
    assert refused.status_code == 400 and "programme" in refused.json()["error"]["fields"]
    created = fp.post(reverse("api:project-list"), _body(programme=mine.pk), format="json")
    assert created.status_code == 201 and created.json()["programme"] == mine.pk
    moved = fp.patch(reverse("api:project-detail", args=[created.json()["id"]]), {"programme": theirs.pk},
                     format="json")
    assert moved.status_code == 400 and Project.objects.get().programme == mine
    assert Project.objects.count() == 1


def test_the_ministry_attaches_any_programme_and_an_attached_one_survives_the_partners_edits(
        client_for, personas, undp, water, programmes):
    _mine, theirs = programmes
    project = services.project_create(user=personas["ministry_admin"],
                                      fields={"title_en": "Joint", "reporting_partner": undp, "programme": theirs})
    assert project.programme == theirs
    fp = client_for(personas["undp_focal_point"], 'en', api=True)
    response = fp.patch(reverse("api:project-detail", args=[project.pk]),
                        {"title_en": "Joint works", "programme": theirs.pk}, format="json")
    assert response.status_code == 200, response.json()
    services.project_edit(project=project, user=personas["undp_focal_point"], fields={"programme": theirs,
                                                                                    "title_en": "Joint 2"})
    project.refresh_from_db()
    assert (project.title_en, project.programme) == ("Joint 2", theirs)


# --- identifiers ------------------------------------------------------------------------------


def _form(water, **fields) -> dict[str, str]:
    return {"title_en": "Schools", "status": "2", "currency": "USD", "spend_to_date": "0",
            "progress_percent": "0", "sectors-TOTAL_FORMS": "1", "sectors-INITIAL_FORMS": "0",
            "sectors-0-sector": str(water.pk), "sectors-0-percentage": "100",
            "places-TOTAL_FORMS": "0", "places-INITIAL_FORMS": "0", **fields}


def _page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    force_login_verified(client, user)
    return client


@pytest.mark.parametrize("persona", ["undp_focal_point", "ministry_admin"])
def test_the_project_form_does_not_say_which_record_holds_an_iati_identifier(personas, undp, water,
                                                                             unicef_projects, persona):
    hidden, _shown = unicef_projects
    extra = {"reporting_partner": str(undp.pk)} if persona == "ministry_admin" else {}
    response = _page(personas[persona]).post(reverse("project_create"),
                                             _form(water, iati_identifier=hidden.iati_identifier, **extra))
    assert response.status_code == 400
    assert response.context["form"].errors["iati_identifier"] == [NEUTRAL_IATI]
    assert "already exists" not in response.content.decode()
    assert Project.objects.count() == 2


def test_a_partner_code_clash_is_said_neutrally_in_the_form_and_the_api(client_for, personas, undp, unicef, water):
    factories.ProjectFactory(reporting_partner=undp, partner_code="UNDP-7")
    factories.ProjectFactory(reporting_partner=unicef, partner_code="UNDP-8")
    page = _page(personas["undp_focal_point"]).post(reverse("project_create"), _form(water, partner_code="UNDP-7"))
    assert page.status_code == 400 and page.context["form"].errors["partner_code"] == [NEUTRAL_CODE]
    admin = _page(personas["ministry_admin"]).post(reverse("project_create"),
                                                   _form(water, partner_code="UNDP-7", reporting_partner=str(undp.pk)))
    assert admin.status_code == 400 and admin.context["form"].errors["partner_code"] == [NEUTRAL_CODE]
    assert "Constraint" not in admin.content.decode()
    api = client_for(personas["undp_focal_point"], 'en', api=True).post(reverse("api:project-list"), _body(partner_code="UNDP-7"),
                                                  format="json")
    assert api.status_code == 400 and api.json()["error"]["fields"]["partner_code"] == [NEUTRAL_CODE]
    fine = client_for(personas["undp_focal_point"], 'en', api=True).post(reverse("api:project-list"), _body(partner_code="UNDP-8"),
                                                   format="json")
    assert fine.status_code == 201  # another partner's code is not a clash
    assert Project.objects.count() == 3


def test_the_api_and_the_service_say_it_neutrally_too(client_for, personas, water, unicef_projects):
    hidden, shown = unicef_projects
    for other in (hidden, shown):
        response = client_for(personas["undp_focal_point"], 'en', api=True).post(
            reverse("api:project-list"), _body(iati_identifier=other.iati_identifier), format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["iati_identifier"] == [NEUTRAL_IATI]
        assert "Project with this" not in response.content.decode()
    mine = services.project_create(user=personas["undp_focal_point"], fields={"title_en": "Mine"})
    with pytest.raises(ValidationError) as caught:
        services.project_edit(project=mine, user=personas["undp_focal_point"],
                              fields={"iati_identifier": hidden.iati_identifier})
    assert caught.value.message_dict == {"iati_identifier": [NEUTRAL_IATI]}


# --- review notes, the dashboard, coverage figures, site links ---------------------------------


def _html(user, url) -> str:
    client = Client()
    force_login_verified(client, user)
    client.cookies["django_language"] = "en"
    return client.get(url).content.decode()


def test_review_notes_of_an_accepted_record_stay_with_the_ministry_and_its_partner(client_for, personas, undp):
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED,
                                       review_comment="ACCEPT NOTE INTERNAL", reviewed_by=personas["ministry_analyst"])
    for persona, sees in (("unicef_focal_point", False), ("undp_focal_point", True), ("viewer", True)):
        body = client_for(personas[persona], 'en', api=True).get(f"/api/v1/projects/{project.pk}/").json()
        assert (body["review_comment"] == "ACCEPT NOTE INTERNAL") is sees, persona
        html = _html(personas[persona], reverse("project_detail", args=[project.pk]))
        assert ("ACCEPT NOTE INTERNAL" in html) is sees, persona


def test_dashboard_totals_leave_out_another_partners_drafts(personas, undp):
    factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT, budget=Decimal("777777"),
                             currency="USD")
    other = _html(personas["unicef_focal_point"], reverse("home"))
    assert 'data-testid="projects-total">0<' in other and "777" not in other.split('data-testid="budget-usd"')[1][:40]
    own = _html(personas["undp_focal_point"], reverse("home"))
    assert 'data-testid="projects-total">1<' in own


def test_coverage_figures_leave_out_another_partners_drafts(client_for, personas, undp):
    import datetime as dt

    town = factories.MunicipalityFactory()
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT,
                                       status=ActivityStatus.IMPLEMENTATION, budget=Decimal("777777"), currency="USD",
                                       planned_start=dt.date(2020, 1, 1))
    project.locations.create(municipality=town)

    def active(persona) -> int:
        rows = client_for(personas[persona], 'en', api=True).get("/api/v1/gaps/", {"level": "municipality", "municipality": town.pk,
                                                             "page_size": 1000}).json()["results"]
        return sum(row["active_projects"] for row in rows)

    assert active("ministry_analyst") == 1
    assert active("unicef_focal_point") == 0
    project.state = ReviewState.ACCEPTED
    project.save()
    assert active("unicef_focal_point") == 1


def test_editing_a_projects_sites_keeps_the_rows_that_stay(personas, undp):
    from django.contrib.gis.geos import Point

    from projects.models import Site

    project = factories.ProjectFactory(reporting_partner=undp)
    stays = Site.objects.create(project=project, name_en="Well 1", point=Point(13.18, 32.88, srid=4326))
    Site.objects.create(project=project, name_en="Well 2", point=Point(13.20, 32.89, srid=4326))
    services.project_edit(project=project, user=personas["ministry_admin"], fields={}, sites=[
        {"name_en": "Well 1", "point": Point(13.18, 32.88, srid=4326), "municipality": stays.municipality},
        {"name_en": "Well 3", "point": Point(13.25, 32.90, srid=4326)},
    ])
    names = dict(Site.objects.filter(project=project).values_list("name_en", "pk"))
    assert set(names) == {"Well 1", "Well 3"} and names["Well 1"] == stays.pk
