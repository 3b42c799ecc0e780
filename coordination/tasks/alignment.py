"""Alignment analysis task: thin, safe to run twice (the service upserts and never touches decisions)."""

from __future__ import annotations

from celery import shared_task

__all__ = ["alignment_full_analysis"]


@shared_task(name="coordination.tasks.alignment_full_analysis")
def alignment_full_analysis() -> int:
    from coordination.services.alignment import alignment_full_run

    return alignment_full_run().pk
