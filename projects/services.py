"""Writes to partners and projects. Every write a user or job makes goes through here.

Each write runs inside ``transaction.atomic`` and records who made it (django-simple-history
keeps the row's versions with the user), then announces what changed (``events``) so the
analyses can re-check the project once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .events import project_changed
from .models import Project

# Which fields make which kind of change: the analyses care about these categories.
CHANGE_CATEGORIES: dict[str, str] = {
    "title_ar": "title", "title_en": "title", "description_ar": "title", "description_en": "title",
    "planned_start": "dates", "planned_end": "dates", "actual_start": "dates", "actual_end": "dates",
    "status": "status", "budget": "budget", "currency": "budget", "spend_to_date": "budget",
    "progress_percent": "progress", "reporting_partner_id": "partners", "iati_identifier": "identifiers",
}


def project_changes(before: Project | None, after: Project) -> set[str]:
    """The categories of change between two versions of a project (``created`` for a new one)."""
    if before is None:
        return {"created"}
    return {
        category for field, category in CHANGE_CATEGORIES.items()
        if getattr(before, field) != getattr(after, field)
    }


@transaction.atomic
def project_save(*, project: Project, user=None, also_changed: Iterable[str] = ()) -> set[str]:
    """Validate and save a project; announce what changed. Returns the change categories."""
    before = Project.objects.filter(pk=project.pk).first() if project.pk else None
    project.full_clean()
    if before is None and user is not None and project.created_by_id is None:
        project.created_by = user
    project._history_user = user  # django-simple-history: who made this version
    project.save()
    changed = project_changes(before, project) | set(also_changed)
    if changed:
        project_changed.send(sender=Project, project_ids=[project.pk], changed=changed, user=user)
    return changed


def project_related_changed(*, project: Project, changed: Iterable[str], user=None) -> None:
    """Announce changes made to a project's sectors, municipalities, sites or partners."""
    changed = set(changed)
    if changed:
        project_changed.send(sender=Project, project_ids=[project.pk], changed=changed, user=user)
