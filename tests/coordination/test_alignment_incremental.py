"""The incremental alignment run: a project's or a plan's change re-computes the suggestions of the projects
concerned only, never overwrites a person's decision, and leaves the flags as a full run would."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coordination.models import AlignmentFlag, AnalysisRun, ObjectiveLink
from coordination.services.alignment import (
    alignment_full_run,
    alignment_plans_run,
    alignment_projects_run,
    objective_link_decide,
)
from municipalities.models import DevelopmentPlan, PlanObjective
from projects.models import ProjectSector
from projects.services.projects import project_save
from tests.coordination.place_helpers import murzuq_portfolio, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, undp, unicef):
    w = murzuq_portfolio(undp, unicef)
    national = DevelopmentPlan.objects.create(code="NDP", level="national", title_ar="الخطة العامة للدولة",
                                              start_year=2024, end_year=2027, status="approved")
    grid = PlanObjective.objects.create(plan=national, code="N1", title_ar="", title_en="Restore the electricity network",
                                        sector=w["electricity"], priority_rank=1)
    grid.sectors.add(w["electricity"])
    local = DevelopmentPlan.objects.create(code="MZQ", level="municipal", municipality=w["murzuq"],
                                           title_ar="خطة مرزق", start_year=2024, end_year=2027, status="approved")
    water = PlanObjective.objects.create(plan=local, code="M1", title_ar="حفر آبار مياه الشرب", priority_rank=1,
                                         sector=w["water"], cost_estimate=Decimal("2000000"), currency="USD")
    water.sectors.add(w["water"])
    alignment_full_run()
    return {**w, "grid_objective": grid, "water_objective": water, "local": local}


def _links(**filters) -> dict:
    return {(link.project_id, link.objective_id): (link.pk, link.status, link.score, link.updated_at)
            for link in ObjectiveLink.objects.filter(**filters)}


def _flags() -> set:
    return {(f.kind, f.project_id, f.objective_id, f.municipality_id, f.resolved_at is None, f.score)
            for f in AlignmentFlag.objects.all()}


def _save(p, personas, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        project_save(project=p, user=personas["ministry_admin"])


def test_a_title_change_recomputes_that_projects_suggestions_only(world, personas, django_capture_on_commit_callbacks):
    grid, wells = world["grid"], world["wells"]
    assert set(_links(project=grid)) == {(grid.pk, world["grid_objective"].pk)}
    others = _links(project=wells)
    assert others, "the wells were suggested the municipality's water objective"
    runs = AnalysisRun.objects.filter(kind="alignment").count()
    grid.title_en, grid.title_ar = "Training of municipal staff in accounting", "تدريب موظفي البلدية على المحاسبة"
    _save(grid, personas, django_capture_on_commit_callbacks)
    run = AnalysisRun.objects.filter(kind="alignment").order_by("-pk").first()
    assert AnalysisRun.objects.filter(kind="alignment").count() == runs + 1
    assert run.mode == AnalysisRun.Mode.INCREMENTAL and run.status == AnalysisRun.Status.SUCCEEDED
    assert run.counts["projects"] == 1
    assert _links(project=grid) == {}  # the sector alone no longer reaches the threshold: suggestion removed
    assert AlignmentFlag.objects.filter(kind="outside_plans", project=grid, resolved_at=None).exists()
    assert _links(project=wells) == others  # untouched: same rows, scores and times


def test_a_sector_change_moves_the_suggestion(world, personas, django_capture_on_commit_callbacks):
    from projects.services.projects import project_related_changed

    wells = world["wells"]
    assert (wells.pk, world["water_objective"].pk) in _links(project=wells)
    grid_links = _links(project=world["grid"])
    wells.title_en, wells.title_ar = "Electricity network for returning families", "شبكة كهرباء للأسر العائدة"
    _save(wells, personas, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ProjectSector.objects.filter(project=wells).update(sector=world["electricity"])
        project_related_changed(project=wells, changed={"sectors"}, user=personas["ministry_admin"])
    assert set(_links(project=wells)) == {(wells.pk, world["grid_objective"].pk)}
    assert _links(project=world["grid"]) == grid_links
    # the municipality's water priority lost its only project: the incremental run raised the flag
    assert AlignmentFlag.objects.filter(kind="priority_unfunded", objective=world["water_objective"],
                                        resolved_at=None).exists()


def test_a_confirmed_link_survives_the_incremental_run(world, personas, django_capture_on_commit_callbacks):
    grid, analyst = world["grid"], personas["ministry_analyst"]
    with django_capture_on_commit_callbacks(execute=True):
        objective_link_decide(user=analyst, project=grid, objective=world["grid_objective"], status="confirmed")
    assert AnalysisRun.objects.filter(kind="alignment").order_by("-pk").first().mode == "incremental"
    grid.title_en, grid.title_ar = "Something else entirely", "شيء آخر"
    _save(grid, personas, django_capture_on_commit_callbacks)
    link = ObjectiveLink.objects.get(project=grid, objective=world["grid_objective"])
    assert link.status == "confirmed" and link.decided_by == analyst
    assert not AlignmentFlag.objects.filter(kind="outside_plans", project=grid, resolved_at=None).exists()
    objective_link_decide(user=analyst, project=grid, objective=world["grid_objective"], status="rejected")
    grid.title_en = "Electricity network repairs in Murzuq"
    grid.save()
    alignment_projects_run(project_ids=[grid.pk])
    assert ObjectiveLink.objects.get(project=grid).status == "rejected"
    assert AlignmentFlag.objects.filter(kind="outside_plans", project=grid, resolved_at=None).exists()


def test_the_incremental_run_leaves_links_and_flags_as_a_full_run_would(world, personas, undp):
    wells = world["wells"]
    wells.status = 1  # pipeline: the water priority is unfunded, the money concentrated elsewhere
    wells.save()
    extra = project(undp, world["murzuq"], world["water"], title_en="Drinking water wells in Murzuq", title_ar="",
                    budget=Decimal("300000"))
    alignment_projects_run(project_ids=[wells.pk, extra.pk])
    incremental_links = {k: v[1:3] for k, v in _links().items()}
    incremental_flags = _flags()
    alignment_full_run()
    assert {k: v[1:3] for k, v in _links().items()} == incremental_links
    assert _flags() == incremental_flags
    assert (extra.pk, world["water_objective"].pk) in incremental_links


def test_a_project_that_leaves_a_municipality_is_checked_there_too_without_a_full_run(
        world, personas, django_capture_on_commit_callbacks):
    from coordination.models import AlignmentPlace
    from projects.models import ProjectLocation
    from projects.services.projects import project_related_changed

    murzuq, other, grid = world["murzuq"], world["other"], world["grid"]
    concentrated = AlignmentFlag.objects.get(kind="concentrated_outside_priorities", municipality=murzuq)
    assert concentrated.resolved_at is None  # the grid's money is outside Murzuq's water priority
    assert set(AlignmentPlace.objects.filter(project=grid).values_list("municipality_id", flat=True)) == {murzuq.pk}
    assert not ObjectiveLink.objects.filter(project=grid, objective__plan=world["local"]).exists()
    runs = AnalysisRun.objects.filter(kind="alignment").count()
    with django_capture_on_commit_callbacks(execute=True):
        ProjectLocation.objects.filter(project=grid).update(municipality=other)
        project_related_changed(project=grid, changed={"locations"}, user=personas["ministry_admin"])
    [run] = AnalysisRun.objects.filter(kind="alignment").order_by("-pk")[:1]
    assert AnalysisRun.objects.filter(kind="alignment").count() == runs + 1 and run.mode == "incremental"
    assert run.counts["projects"] == 1 and run.counts["places_changed"] == 1
    # Murzuq, where the grid no longer is and whose objectives it was never linked to, was judged again:
    # less of its money is outside its priority now (the draft's is still there)
    before = concentrated.score
    concentrated.refresh_from_db()
    assert concentrated.last_seen_run_id == run.pk and concentrated.score < before
    assert set(AlignmentPlace.objects.filter(project=grid).values_list("municipality_id", flat=True)) == {other.pk}
    incremental_links, incremental_flags = {k: v[1:3] for k, v in _links().items()}, _flags()
    alignment_full_run()
    assert {k: v[1:3] for k, v in _links().items()} == incremental_links and _flags() == incremental_flags


def test_a_municipal_plan_change_recomputes_its_candidate_projects(world):
    grid, wells = world["grid"], world["wells"]
    before = _links(project=wells)
    grid_objective = PlanObjective.objects.create(plan=world["local"], code="M2", title_ar="إصلاح شبكة الكهرباء",
                                                  sector=world["electricity"], priority_rank=2)
    grid_objective.sectors.add(world["electricity"])
    run = alignment_plans_run(plan_ids=[world["local"].pk])
    assert run.mode == "incremental"
    assert (grid.pk, grid_objective.pk) in _links(project=grid)
    assert _links(project=wells) == before


def test_a_national_plan_change_is_a_full_run(world):
    plan = world["grid_objective"].plan
    assert alignment_plans_run(plan_ids=[plan.pk]).mode == "full"
    assert alignment_plans_run(plan_ids=[10 ** 9]).mode == "full"  # gone: its candidates cannot be found


@pytest.mark.parametrize("changed, task", [
    ({"title"}, "alignment_check_projects"), ({"sdg"}, "alignment_check_projects"),
    ({"sectors", "budget"}, "alignment_check_projects"), ({"locations"}, "alignment_check_projects"),
    ({"title", "locations"}, "alignment_check_projects"), ({"progress"}, None),
])
def test_what_a_change_queues(monkeypatch, django_capture_on_commit_callbacks, changed, task):
    from coordination import receivers
    from coordination.tasks import alignment as tasks

    queued = []
    for name in ("alignment_check_projects", "alignment_full_analysis"):
        monkeypatch.setattr(getattr(tasks, name), "delay", lambda *a, _n=name: queued.append((_n, a)))
    with django_capture_on_commit_callbacks(execute=True):
        receivers.queue_alignment_check(None, project_ids=[7], changed=changed)
    assert queued == ([] if task is None else [(task, ([7],) if task == "alignment_check_projects" else ())])


def test_the_database_timing_leaves_the_runs_and_flags_as_they_were(world):
    from demo.alignment_timing import database_incremental

    runs = set(AnalysisRun.objects.values_list("pk", flat=True))
    seen = dict(AlignmentFlag.objects.values_list("pk", "last_seen_run_id"))
    links = {k: v[1:3] for k, v in _links().items()}
    result = database_incremental(10, seed=1)
    assert result["projects"] == result["checks"] == 3 and result["ms"]["median"] > 0 and result["queries"]["median"] > 0
    assert set(AnalysisRun.objects.values_list("pk", flat=True)) == runs
    assert dict(AlignmentFlag.objects.values_list("pk", "last_seen_run_id")) == seen
    assert {k: v[1:3] for k, v in _links().items()} == links
