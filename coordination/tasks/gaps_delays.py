"""Gap and delay analysis tasks: thin (ids in, the service re-reads the rows), safe to run twice.

Running one twice, or two at once, leaves the same flags: the services upsert against unique
constraints and resolve what no longer holds.
"""

from __future__ import annotations

from celery import shared_task

__all__ = [
    "delays_check_projects",
    "delays_full_scan",
    "gaps_check_municipalities",
    "gaps_check_projects",
    "gaps_full_analysis",
]


@shared_task(name="coordination.tasks.gaps_full_analysis")
def gaps_full_analysis() -> int:
    from coordination.services.gaps import gaps_full_run

    return gaps_full_run().pk


@shared_task(name="coordination.tasks.gaps_check_projects")
def gaps_check_projects(project_ids: list[int]) -> int | None:
    from coordination.services import gaps

    run = gaps.gaps_check_projects(project_ids=[int(i) for i in project_ids])
    return run.pk if run else None


@shared_task(name="coordination.tasks.gaps_check_municipalities")
def gaps_check_municipalities(municipality_ids: list[int]) -> int | None:
    from coordination.services import gaps

    run = gaps.gaps_check_municipalities(municipality_ids=[int(i) for i in municipality_ids])
    return run.pk if run else None


@shared_task(name="coordination.tasks.delays_full_scan")
def delays_full_scan() -> int:
    from coordination.services import delays

    return delays.delays_full_scan().pk


@shared_task(name="coordination.tasks.delays_check_projects")
def delays_check_projects(project_ids: list[int]) -> int | None:
    from coordination.services import delays

    run = delays.delays_check_projects(project_ids=[int(i) for i in project_ids])
    return run.pk if run else None
