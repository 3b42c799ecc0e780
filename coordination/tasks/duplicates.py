"""Duplicate detection tasks: thin, ids in, safe to run twice (the flags are upserted)."""

from __future__ import annotations

from celery import shared_task

__all__ = ["duplicates_check_projects", "duplicates_full_scan"]


@shared_task(name="coordination.tasks.duplicates_full_scan")
def duplicates_full_scan() -> int:
    from coordination.services.duplicates import duplicates_full_scan as scan

    return scan().pk


@shared_task(name="coordination.tasks.duplicates_check_projects")
def duplicates_check_projects(project_ids: list[int]) -> int:
    from coordination.services.duplicates import duplicates_check_projects as check

    return check(project_ids=list(project_ids)).pk
