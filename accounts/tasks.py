"""Celery tasks of the accounts app (thin; safe to run twice)."""

from __future__ import annotations

from celery import shared_task

__all__ = ["security_events_prune"]


@shared_task(name="accounts.tasks.security_events_prune")
def security_events_prune() -> int:
    """Daily (beat): drop security events older than TANSIQ_SECURITY_LOG_DAYS."""
    from django.conf import settings

    from accounts.services.security_log import security_events_prune as prune

    return prune(days=settings.TANSIQ_SECURITY_LOG_DAYS)
