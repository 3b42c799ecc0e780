"""Reads of the files attached to project updates.

A file is exactly as confidential as its update (``projects.selectors.projects.updates_visible_to``): it is
the partner's that wrote the update, and stays so when the ministry moves the project to another partner.
Every way to a file (the update's file list, the page's download, the API's) reads it through here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from projects.models.reporting import UpdateAttachment
from projects.selectors.projects import updates_visible_to


def attachments_visible_to(user: Any) -> QuerySet[UpdateAttachment]:
    """The files ``user`` may read: those of the updates they may read."""
    return UpdateAttachment.objects.filter(update__in=updates_visible_to(user))


def update_attachment_visible(user: Any, *, update_id: int, pk: int) -> UpdateAttachment | None:
    """One file of one update, if ``user`` may read it (None otherwise: the caller answers 404)."""
    return attachments_visible_to(user).filter(update_id=update_id, pk=pk).first()
