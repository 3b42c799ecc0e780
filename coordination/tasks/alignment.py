"""Alignment analysis tasks: thin, ids in, safe to run twice (the service upserts and never touches decisions)."""

from __future__ import annotations

from celery import shared_task

__all__ = ["alignment_check_plans", "alignment_check_projects", "alignment_full_analysis"]


@shared_task(name="coordination.tasks.alignment_full_analysis")
def alignment_full_analysis() -> int:
    from coordination.services.alignment import alignment_full_run

    return alignment_full_run().pk


@shared_task(name="coordination.tasks.alignment_check_projects")
def alignment_check_projects(project_ids: list[int]) -> int:
    from coordination.services.alignment import alignment_projects_run

    return alignment_projects_run(project_ids=list(project_ids)).pk


@shared_task(name="coordination.tasks.alignment_check_plans")
def alignment_check_plans(plan_ids: list[int]) -> int:
    from coordination.services.alignment import alignment_plans_run

    return alignment_plans_run(plan_ids=list(plan_ids)).pk
