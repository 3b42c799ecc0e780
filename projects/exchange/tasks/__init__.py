"""Celery tasks: import and export jobs. Thin: a job id in, the service re-reads the job and claims it, so a task
delivered twice (or for a job already checked, imported or cancelled) does nothing."""

from __future__ import annotations

from celery import shared_task

__all__ = ["export_job_write", "export_jobs_expire", "import_job_check", "import_job_commit", "import_jobs_fail_stale"]


@shared_task(name="projects.tasks.import_job_check")
def import_job_check(job_id: int) -> str | None:
    from projects.exchange.services.jobs import import_job_check as check

    job = check(int(job_id))
    return job.status if job is not None else None


@shared_task(name="projects.tasks.import_job_commit")
def import_job_commit(job_id: int) -> str | None:
    from projects.exchange.services.jobs import import_job_run

    job = import_job_run(int(job_id))
    return job.status if job is not None else None


@shared_task(name="projects.tasks.import_jobs_fail_stale")
def import_jobs_fail_stale() -> int:
    from projects.exchange.services.jobs import import_jobs_fail_stale as fail_stale

    return fail_stale()


# The export job's task has a module of its own (its service imports it, as the import jobs' service imports
# this one): registered here, where autodiscovery looks.
from projects.exchange.tasks.exports import export_job_write, export_jobs_expire  # noqa: E402,F401
