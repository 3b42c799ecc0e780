"""Celery tasks: reporting (thin; safe to run twice, as each reminder is recorded once)."""

from __future__ import annotations

from celery import shared_task

__all__ = ["send_report_reminders"]


@shared_task(name="projects.tasks.send_report_reminders")
def send_report_reminders() -> dict[str, int]:
    """Daily (beat): e-mail focal points about reports due soon or overdue."""
    from projects.reporting.reminders import report_reminders_send

    return report_reminders_send()
