"""A project's SDG tags: checked against the UNSDG codelists, editable on the focal point's form and in the API
(own projects only), and read by the alignment suggestions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from coordination.models import ObjectiveLink
from coordination.services.alignment import alignment_full_run
from municipalities.models import DevelopmentPlan, PlanObjective
from projects.codelists import sdg_code_normalised, sdg_codes, sdg_tags_clean
from projects.models import ReviewState
from tests import factories
from tests.coordination.place_helpers import murzuq_portfolio


@pytest.mark.parametrize("raw, code", [
    ("6", "6"), ("SDG 6", "6"), ("06", "6"), ("6.1", "6.1"), ("6.A", "6.a"), ("sdg-11.b", "11.b"),
    ("6.1.1", "6.1.1"), ("17.19", "17.19"), (16, "16"),
    ("18", None), ("0", None), ("6.7", None), ("6.c", None), ("17.20", None), ("6.1.x", None), ("6..1", None),
    ("water", None), ("", None), ("6.1.1.1", None),
])
def test_codes_are_read_against_the_unsdg_codelists(raw, code):
    assert sdg_code_normalised(raw) == code


def test_the_codelists_hold_17_goals_and_169_targets():
    goals, targets = sdg_codes()
    assert len(goals) == 17 and len(targets) == 169
    assert {"6.a", "6.b", "3.d", "17.1"} <= targets and "6.c" not in targets


def test_a_text_list_is_split_kept_once_in_order_and_unknown_codes_are_named():
    assert sdg_tags_clean("6, 6.1; SDG 6 ، 11.a") == (["6", "6.1", "11.a"], [])
    assert sdg_tags_clean(["6", "99", "6.9"]) == (["6"], ["99", "6.9"])


@pytest.fixture
def place(db):
    water = factories.SectorFactory(code="water", name_en="Water and sanitation", name_ar="المياه والصرف الصحي")
    return {"water": water, "town": factories.MunicipalityFactory(name_en="Town", name_ar="بلدة")}


def _project(partner, place, **fields):
    project = factories.ProjectFactory(reporting_partner=partner, state=fields.pop("state", ReviewState.DRAFT),
                                       **fields)
    project.sector_shares.create(sector=place["water"], percentage=Decimal("100"))
    project.locations.create(municipality=place["town"])
    return project


def _form(project, place, **extra) -> dict:
    data = {
        "title_ar": project.title_ar, "title_en": project.title_en, "status": "2", "currency": "USD",
        "spend_to_date": "0", "progress_percent": "10", "budget": "250000",
        "planned_start": "2025-01-01", "planned_end": "2026-06-30",
        "sectors-TOTAL_FORMS": "1", "sectors-INITIAL_FORMS": "1",
        "sectors-0-sector": str(place["water"].pk), "sectors-0-percentage": "100",
        "places-TOTAL_FORMS": "1", "places-INITIAL_FORMS": "1",
        "places-0-municipality": str(place["town"].pk), "places-0-share": "",
        "partners-TOTAL_FORMS": "0", "partners-INITIAL_FORMS": "0",
        "sites-TOTAL_FORMS": "0", "sites-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_the_focal_point_sets_sdg_tags_on_the_form_and_sees_them_again(client_for, personas, undp, place):
    project = _project(undp, place, title_en="Water for Town")
    client = client_for("undp_focal_point", "en")
    response = client.post(reverse("project_edit", args=[project.pk]), _form(project, place, sdg_tags="6, SDG 6.1; 6.b"))
    assert response.status_code == 302, response.context["form"].errors
    project.refresh_from_db()
    assert project.sdg_tags == ["6", "6.1", "6.b"]
    page = client.get(reverse("project_edit", args=[project.pk])).content.decode()
    assert 'name="sdg_tags"' in page and 'value="6, 6.1, 6.b"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("language, words", [("en", "Not an SDG goal"), ("ar", "ليس")])
def test_an_unknown_sdg_code_on_the_form_is_refused_and_nothing_is_written(client_for, personas, undp, place,
                                                                           language, words):
    project = _project(undp, place, title_en="Water for Town", sdg_tags=["6"])
    response = client_for("undp_focal_point", language).post(
        reverse("project_edit", args=[project.pk]), _form(project, place, title_en="Changed", sdg_tags="6.1, 18"))
    assert response.status_code == 400
    assert "18" in str(response.context["form"].errors["sdg_tags"]) and words in response.content.decode()
    project.refresh_from_db()
    assert project.sdg_tags == ["6"] and project.title_en == "Water for Town"


@pytest.mark.django_db
def test_the_api_reads_and_writes_sdg_tags_on_the_focal_points_own_project_only(client_for, personas, undp, unicef,
                                                                                place):
    own = _project(undp, place, title_en="Water for Town")
    theirs = _project(unicef, place, title_en="UNICEF water", state=ReviewState.ACCEPTED, sdg_tags=["3"])
    fp = client_for("undp_focal_point", "en", api=True)
    response = fp.patch(reverse("api:project-detail", args=[own.pk]), {"sdg_tags": ["SDG 6", "6.1", "6.1.1"]},
                        format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["sdg_tags"] == ["6", "6.1", "6.1.1"]
    own.refresh_from_db()
    assert own.sdg_tags == ["6", "6.1", "6.1.1"]
    assert fp.get(reverse("api:project-detail", args=[theirs.pk])).json()["sdg_tags"] == ["3"]

    bad = fp.patch(reverse("api:project-detail", args=[own.pk]), {"sdg_tags": ["6.1", "6.z"]}, format="json")
    assert bad.status_code == 400 and "sdg_tags" in bad.json()["error"]["fields"]
    refused = fp.patch(reverse("api:project-detail", args=[theirs.pk]), {"sdg_tags": ["6"]}, format="json")
    assert refused.status_code in (403, 404)
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.sdg_tags == ["6", "6.1", "6.1.1"] and theirs.sdg_tags == ["3"]


@pytest.mark.django_db
def test_the_suggestion_follows_the_sdg_tags(personas, undp, unicef, client_for, settings):
    """The wells share the objective's sector (0.35) and none of its words: with the threshold at 0.45, only
    the shared SDG goal (0.15) lifts the score over it; taking the tag away takes the suggestion away."""
    settings.TANSIQ_ALIGNMENT_SETTINGS = {"suggest_threshold": 0.45}
    world = murzuq_portfolio(undp, unicef)
    plan = DevelopmentPlan.objects.create(code="NDP", level="national", title_ar="الخطة العامة للدولة",
                                          start_year=2024, end_year=2027, status="approved")
    objective = PlanObjective.objects.create(plan=plan, code="N6", title_ar="", title_en="Objective N6",
                                             sector=world["water"], sdg_targets=["6.1"])
    objective.sectors.add(world["water"])
    wells = world["wells"]
    alignment_full_run()
    without = ObjectiveLink.objects.filter(project=wells, objective=objective).first()
    fp = client_for("unicef_focal_point", "en", api=True)
    assert fp.patch(reverse("api:project-detail", args=[wells.pk]), {"sdg_tags": ["6.1"]},
                    format="json").status_code == 200
    alignment_full_run()
    link = ObjectiveLink.objects.get(project=wells, objective=objective)
    assert {r["code"] for r in link.reasons} == {"same_sector", "same_sdg"} and link.score == pytest.approx(0.5)
    assert without is None  # the sector alone is not enough
    assert fp.patch(reverse("api:project-detail", args=[wells.pk]), {"sdg_tags": []}, format="json").status_code == 200
    alignment_full_run()
    after = ObjectiveLink.objects.filter(project=wells, objective=objective).first()
    assert after is None
