"""The alignment API: plans, a project's objectives, figures and flags, scoped like the pages."""

from __future__ import annotations

import pytest

from coordination.models import AlignmentFlag, ObjectiveLink
from coordination.services.alignment import alignment_full_run
from tests.coordination.test_alignment import plans  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("extra", [0, 5])
def test_plans_with_objectives_in_a_fixed_number_of_queries(client_for, plans, django_assert_num_queries,  # noqa: F811
                                                            extra):
    from municipalities.models import DevelopmentPlan, PlanObjective

    for i in range(extra):
        plan = DevelopmentPlan.objects.create(code=f"X{i}", level="national", title_ar="خطة", start_year=2025,
                                              end_year=2026)
        PlanObjective.objects.create(plan=plan, code="A", title_ar="هدف")
    client = client_for("unicef_focal_point", "en", api=True)
    with django_assert_num_queries(7):
        data = client.get("/api/v1/plans/").json()
    assert data["count"] == 2 + extra
    local = next(p for p in data["results"] if p["code"] == "MZQ")
    assert local["objectives"][0]["code"] == "M1" and local["status"] == "approved"


def test_a_projects_alignment_follows_who_may_see_and_decide(client_for, plans):  # noqa: F811
    alignment_full_run()
    draft, grid = plans["draft"], plans["grid"]  # UNICEF's draft, UNDP's accepted grid
    undp = client_for("undp_focal_point", "en", api=True)
    assert undp.get(f"/api/v1/projects/{draft.pk}/alignment/").status_code == 404
    links = undp.get(f"/api/v1/projects/{grid.pk}/alignment/").json()
    assert [link["objective_code"] for link in links] == ["N1"] and links[0]["status"] == "suggested"
    body = {"objective": plans["grid_objective"].pk, "status": "rejected"}
    unicef = client_for("unicef_focal_point", "en", api=True)
    assert unicef.post(f"/api/v1/projects/{grid.pk}/alignment/", body, format="json").status_code == 403
    answer = undp.post(f"/api/v1/projects/{grid.pk}/alignment/", body, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "rejected"
    assert ObjectiveLink.objects.get(project=grid).status == "rejected"


def test_figures_count_only_the_readers_projects(client_for, plans, undp):  # noqa: F811
    alignment_full_run()
    analyst = client_for("ministry_analyst", "en", api=True).get("/api/v1/alignment/figures/").json()
    focal = client_for("undp_focal_point", "en", api=True).get("/api/v1/alignment/figures/").json()
    # the analyst counts UNICEF's USD 9,000,000 draft; the UNDP focal point may not see it
    assert analyst["all"][0]["usd"] == pytest.approx(1_000_000 + 550_000 + 9_000_000)
    assert focal["all"][0]["usd"] == pytest.approx(1_000_000 + 550_000)
    assert focal["all"][0]["usd_aligned"] == pytest.approx(1_550_000)  # the grid (N1) and the wells (M1)


def test_flags_are_the_ministrys_and_reviewed_through_the_api(client_for, plans):  # noqa: F811
    alignment_full_run()
    assert client_for("undp_focal_point", "en", api=True).get("/api/v1/alignment/flags/").json()["count"] == 0
    analyst = client_for("ministry_analyst", "en", api=True)
    data = analyst.get("/api/v1/alignment/flags/?kind=concentrated_outside_priorities").json()
    assert data["count"] == 1
    pk = data["results"][0]["id"]
    reply = analyst.post(f"/api/v1/alignment/flags/{pk}/review/", {"status": "confirmed"}, format="json")
    assert reply.status_code == 200 and AlignmentFlag.objects.get(pk=pk).status == "confirmed"
    refused = client_for("undp_focal_point", "en", api=True).post(f"/api/v1/alignment/flags/{pk}/review/",
                                                                  {"status": "open"}, format="json")
    assert refused.status_code in (403, 404)
