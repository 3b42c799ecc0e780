"""The alignment run on the database: suggestions, people's decisions, flags and their life."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from coordination.models import AlignmentFlag, AnalysisRun, FlagStatus, ObjectiveLink
from coordination.services.alignment import alignment_flag_review, alignment_full_run, objective_link_decide
from municipalities.models import DevelopmentPlan, PlanObjective
from tests.coordination.place_helpers import murzuq_portfolio, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(personas, undp, unicef):
    world = murzuq_portfolio(undp, unicef)
    national = DevelopmentPlan.objects.create(code="NDP", level="national", title_ar="الخطة العامة للدولة",
                                              start_year=2024, end_year=2027, status="approved")
    grid = PlanObjective.objects.create(plan=national, code="N1", title_ar="", title_en="Restore the electricity network",
                                        sector=world["electricity"], priority_rank=1)
    grid.sectors.add(world["electricity"])
    local = DevelopmentPlan.objects.create(code="MZQ", level="municipal", municipality=world["murzuq"],
                                           title_ar="خطة مرزق", start_year=2024, end_year=2027, status="approved")
    water = PlanObjective.objects.create(plan=local, code="M1", title_ar="حفر آبار مياه الشرب", priority_rank=1,
                                         sector=world["water"], cost_estimate=Decimal("2000000"), currency="USD")
    water.sectors.add(world["water"])
    return {**world, "national": national, "grid_objective": grid, "local": local, "water_objective": water}


def _arabic_only(p, title_ar):
    p.title_en, p.title_ar = "", title_ar
    p.save()


def test_an_arabic_only_project_gets_the_english_only_objective_suggested(plans):
    _arabic_only(plans["grid"], "إصلاح شبكة الكهرباء في مرزق")
    run = alignment_full_run()
    assert run.status == AnalysisRun.Status.SUCCEEDED and run.kind == "alignment"
    link = ObjectiveLink.objects.get(project=plans["grid"])
    assert link.objective == plans["grid_objective"] and link.status == "suggested" and link.score >= 0.7
    assert {r["code"] for r in link.reasons} >= {"same_sector", "shared_terms"}
    assert all(r["ar"] and r["en"] for r in link.reasons)


def test_a_confirmed_link_survives_reruns_and_a_rejected_one_is_never_suggested_again(plans, personas):
    alignment_full_run()
    analyst = personas["ministry_analyst"]
    link = objective_link_decide(user=analyst, project=plans["grid"], objective=plans["grid_objective"],
                                 status="confirmed")
    assert plans["grid"].plan_objectives.filter(pk=plans["grid_objective"].pk).exists()
    plans["grid"].title_en, plans["grid"].title_ar = "Something else entirely", "شيء آخر"
    plans["grid"].save()
    alignment_full_run()
    link.refresh_from_db()
    assert link.status == "confirmed" and link.decided_by == analyst
    objective_link_decide(user=analyst, project=plans["grid"], objective=plans["grid_objective"], status="rejected")
    plans["grid"].title_en = "Electricity network repairs in Murzuq"
    plans["grid"].save()
    alignment_full_run()
    assert ObjectiveLink.objects.get(project=plans["grid"]).status == "rejected"
    assert not plans["grid"].plan_objectives.exists()
    # rejected: the project counts as outside the plans again
    assert AlignmentFlag.objects.filter(kind="outside_plans", project=plans["grid"], resolved_at=None).exists()


def test_only_staff_and_the_projects_own_partner_decide(plans, personas):
    with pytest.raises(PermissionDenied):
        objective_link_decide(user=personas["unicef_focal_point"], project=plans["grid"],
                              objective=plans["grid_objective"], status="confirmed")
    with pytest.raises(PermissionDenied):
        objective_link_decide(user=personas["viewer"], project=plans["grid"], objective=plans["grid_objective"],
                              status="confirmed")
    link = objective_link_decide(user=personas["undp_focal_point"], project=plans["grid"],
                                 objective=plans["grid_objective"], status="confirmed")
    assert link.status == "confirmed"


def test_priority_unfunded_raised_then_resolved_and_a_dismissal_survives(plans, personas, undp):
    plans["wells"].status = 1  # the only water project is still in the pipeline
    plans["wells"].save()
    alignment_full_run()
    flag = AlignmentFlag.objects.get(kind="priority_unfunded")
    assert flag.objective == plans["water_objective"] and flag.municipality == plans["murzuq"]
    alignment_flag_review(flag=flag, user=personas["ministry_analyst"], status=FlagStatus.DISMISSED,
                          note="funded by the municipality")
    alignment_full_run()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED and flag.resolved_at is None
    project(undp, plans["murzuq"], plans["water"], title_en="Drilling drinking water wells", title_ar="",
            budget=Decimal("1900000"))
    alignment_full_run()
    flag.refresh_from_db()
    assert flag.resolved_at is not None  # kept, with its review, but no longer holds


def test_concentrated_outside_priorities_raised_and_cleared(plans, undp, settings):
    # Murzuq's priority is water; its active money: the grid's USD 1,000,000 and the draft's 9,000,000 in
    # electricity, half of the wells' EUR 500,000 (USD 275,000) in water.
    alignment_full_run()
    flag = AlignmentFlag.objects.get(kind="concentrated_outside_priorities", municipality=plans["murzuq"])
    assert flag.share_outside == pytest.approx(10_000_000 / 10_275_000, abs=1e-4)
    project(undp, plans["murzuq"], plans["water"], title_en="Water network", budget=Decimal("20000000"))
    alignment_full_run()
    flag.refresh_from_db()
    assert flag.resolved_at is not None


def test_a_project_change_queues_a_run_on_commit(plans, personas, django_capture_on_commit_callbacks):
    from projects.services.projects import project_save

    p = plans["grid"]
    p.title_en = "Electricity network rehabilitation in Murzuq"
    with django_capture_on_commit_callbacks(execute=True):
        project_save(project=p, user=personas["ministry_admin"])
    assert AnalysisRun.objects.filter(kind="alignment").count() >= 1
    assert ObjectiveLink.objects.filter(project=p, objective=plans["grid_objective"]).exists()


def test_selectors_for_the_dashboard_and_the_municipality_file(plans, personas):
    from coordination.selectors.alignment import alignment_share_by_partner, municipality_plan_priorities

    alignment_full_run()
    [priority] = municipality_plan_priorities(personas["undp_focal_point"], plans["murzuq"])
    assert priority["objective"] == plans["water_objective"] and priority["rank"] == 1
    assert priority["state"] == "partly" and priority["usd"] == pytest.approx(275_000)  # EUR 250,000 at 1.10
    rows = {r["name"]: r for r in alignment_share_by_partner(personas["undp_focal_point"])}
    assert rows["UNDP"]["money_share"] == 1.0 and rows["UNDP"]["projects"] == 2  # the grid, and the wells it implements
