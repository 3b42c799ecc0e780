"""The export jobs' tasks: write the file of a queued export job; the nightly expiry of old and stale jobs."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="projects.tasks.export_job_write")
def export_job_write(job_id: int) -> str | None:
    from projects.exchange.services.exports import export_job_run

    job = export_job_run(int(job_id))
    return job.status if job is not None else None


@shared_task(name="projects.tasks.export_jobs_expire")
def export_jobs_expire() -> dict[str, int]:
    from projects.exchange.services.exports import export_jobs_expire as expire

    result = expire()
    return {"removed": result.removed, "failed": result.failed}
