"""Alignment pages: plans, a plan's funding against cost, the upload, the flag queue, a project's objectives."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coordination.models import AlignmentFlag, ObjectiveLink
from coordination.services.alignment import alignment_full_run
from municipalities.models import DevelopmentPlan
from tests.coordination.place_helpers import project
from tests.coordination.test_alignment import plans  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_plan_list_and_plan_page_show_funding_against_cost(client_for, plans, undp):  # noqa: F811
    alignment_full_run()
    html = client_for("ministry_analyst", "en").get(reverse("plan_list")).content.decode()
    assert "State general plan" not in html and "الخطة العامة للدولة" in html  # Arabic title only
    page = client_for("ministry_analyst", "en").get(reverse("plan_detail", args=[plans["local"].pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "M1" in html and "USD 2,000,000" in html
    assert "Water wells for returning families" in html  # the engine's suggestion behind the objective
    assert "USD 275,000" in html and "14%" in html  # half of EUR 500,000 at 1.10, against USD 2,000,000


@pytest.mark.parametrize("extra", [1, 6])
def test_the_plan_page_costs_a_fixed_number_of_queries(client_for, plans, undp, django_assert_num_queries,  # noqa: F811
                                                       extra):
    for i in range(extra):
        project(undp, plans["murzuq"], plans["water"], title_en=f"Water wells round {i + 2}")
    alignment_full_run()
    client = client_for("ministry_analyst", "en")
    url = reverse("plan_detail", args=[plans["local"].pk])
    client.get(url)
    with django_assert_num_queries(19):
        response = client.get(url)
    assert response.content.decode().count("Water wells round") == extra


def test_the_flag_queue_is_the_ministrys_and_its_review_is_recorded(client_for, plans, personas):  # noqa: F811
    alignment_full_run()
    assert client_for("unicef_focal_point", "en").get(reverse("alignment_flag_list")).status_code == 403
    html = client_for("ministry_analyst", "en").get(reverse("alignment_flag_list")).content.decode()
    assert "Funding concentrated outside priorities" in html
    flag = AlignmentFlag.objects.get(kind="concentrated_outside_priorities")
    response = client_for("ministry_analyst", "en").post(reverse("alignment_flag_review", args=[flag.pk]),
                                                         {"status": "dismissed", "note": "municipality agreed"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "dismissed" and flag.decided_by == personas["ministry_analyst"]


def test_a_focal_point_confirms_an_objective_of_its_own_project_only(client_for, plans):  # noqa: F811
    alignment_full_run()
    grid = plans["grid"]
    url = reverse("project_objectives", args=[grid.pk])
    html = client_for("undp_focal_point", "ar").get(url).content.decode()
    assert "القطاع نفسه" in html  # the reason in Arabic
    objective = plans["grid_objective"]
    client_for("unicef_focal_point", "en").post(url, {"objective": objective.pk, "status": "confirmed"})
    assert ObjectiveLink.objects.get(project=grid, objective=objective).status == "suggested"
    client_for("undp_focal_point", "en").post(url, {"objective": objective.pk, "status": "confirmed"})
    assert ObjectiveLink.objects.get(project=grid, objective=objective).status == "confirmed"


def test_the_upload_page_imports_for_the_ministry_and_reports_row_errors(client_for, plans):  # noqa: F811
    from tests.municipalities.test_plans_import import HEADER

    row = ("UP-1,national,,خطة مرفوعة,,,2025,2026,approved,,U1,,هدف,,electricity,,,,1,\n")
    assert client_for("undp_focal_point", "en").get(reverse("plan_upload")).status_code == 403
    client = client_for("ministry_analyst", "en")
    html = client.post(reverse("plan_upload"), {"file": SimpleUploadedFile("p.csv", (HEADER + row).encode())}
                       ).content.decode()
    assert 'id="import-report"' in html and DevelopmentPlan.objects.filter(code="UP-1").exists()
    bad = row.replace("UP-1", "UP-2").replace("2026", "2020")
    html = client.post(reverse("plan_upload"), {"file": SimpleUploadedFile("p.csv", (HEADER + bad).encode())}
                       ).content.decode()
    assert 'id="import-errors"' in html and "Row 2, end_year" in html
    assert not DevelopmentPlan.objects.filter(code="UP-2").exists()


# Who may open which alignment page, as data: persona -> status for (plans, a plan, the upload, the flag queue,
# the objectives of UNDP's accepted grid project, of UNICEF's draft).
ACCESS = {
    "ministry_admin": (200, 200, 200, 200, 200, 200),
    "ministry_analyst": (200, 200, 200, 200, 200, 200),
    "rapporteur": (200, 200, 403, 200, 200, 200),
    "viewer": (200, 200, 403, 200, 200, 200),
    "undp_focal_point": (200, 200, 403, 403, 200, 404),
    "unicef_focal_point": (200, 200, 403, 403, 200, 200),
    "anonymous": (302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("persona", list(ACCESS))
def test_the_alignment_pages_permission_matrix(client_for, plans, persona):  # noqa: F811
    urls = [reverse("plan_list"), reverse("plan_detail", args=[plans["local"].pk]), reverse("plan_upload"),
            reverse("alignment_flag_list"), reverse("project_objectives", args=[plans["grid"].pk]),
            reverse("project_objectives", args=[plans["draft"].pk])]
    client = client_for(persona, "en")
    assert tuple(client.get(url).status_code for url in urls) == ACCESS[persona]
