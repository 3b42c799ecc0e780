"""Report tasks: thin (a job id in, the service re-reads and claims the job), safe to run twice."""

from __future__ import annotations

from celery import shared_task

__all__ = ["report_job_render"]


@shared_task(name="coordination.tasks.report_job_render")
def report_job_render(job_id: int) -> str | None:
    from coordination.services.reports import report_job_run

    job = report_job_run(int(job_id))
    return job.status if job is not None else None
