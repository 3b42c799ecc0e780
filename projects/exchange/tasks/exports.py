"""The export job's task: write the file of a queued export job."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="projects.tasks.export_job_write")
def export_job_write(job_id: int) -> str | None:
    from projects.exchange.services.exports import export_job_run

    job = export_job_run(int(job_id))
    return job.status if job is not None else None
