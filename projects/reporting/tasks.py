"""Celery tasks: reporting (thin; safe to run twice: each reminder is recorded once, and a sync of the
reporting periods writes only what differs)."""

from __future__ import annotations

from celery import shared_task

__all__ = ["reporting_periods_sync", "reporting_periods_sync_projects", "send_report_reminders"]


@shared_task(name="projects.tasks.send_report_reminders")
def send_report_reminders() -> dict[str, int]:
    """Daily (beat): e-mail focal points about reports due soon or overdue."""
    from projects.reporting.services.reminders import report_reminders_send

    return report_reminders_send()


@shared_task(name="projects.tasks.reporting_periods_sync")
def reporting_periods_sync() -> dict[str, int | float]:
    """Daily (beat, before the reminders): every project's periods, as new ones begin with the days."""
    from projects.reporting.services.periods import reporting_periods_sync as sync

    return sync().as_dict()


@shared_task(name="projects.tasks.reporting_periods_sync_projects")
def reporting_periods_sync_projects(project_ids: list[int]) -> dict[str, int | float]:
    """The periods of projects that changed (queued on commit by ``projects.receivers``)."""
    from projects.reporting.services.periods import reporting_periods_sync as sync

    return sync(project_ids=project_ids).as_dict()
