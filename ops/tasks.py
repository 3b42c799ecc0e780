"""Celery tasks of the ops app (thin)."""

from __future__ import annotations

from celery import shared_task

__all__ = ["backup_nightly"]


@shared_task(name="ops.tasks.backup_nightly", acks_late=False)
def backup_nightly() -> str:
    """Nightly (beat): a backup into TANSIQ_BACKUP_DIR, keeping the TANSIQ_BACKUP_KEEP newest. Not acknowledged
    late: a backup cut short by a dead worker is left as a .partial folder and tomorrow's run makes a whole one."""
    from django.conf import settings

    from ops.backups.services import backup_create

    result = backup_create(root=settings.TANSIQ_BACKUP_DIR, keep=settings.TANSIQ_BACKUP_KEEP,
                           media_root=settings.MEDIA_ROOT)
    return str(result.folder)
