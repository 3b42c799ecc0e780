"""Paths to the project pages that the reporting pages and e-mails point to."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

# The project pages (projects/urls.py) are built separately; when their URL names are not (yet) there,
# the documented paths are used, so a reminder never fails for want of a link.
_UPDATE_CREATE_NAMES = ("project_update_create", "update_create", "projects:update_create")


def update_create_path(project_id: int) -> str:
    """Where a focal point writes a new update on a project."""
    for name in _UPDATE_CREATE_NAMES:
        try:
            return reverse(name, args=[project_id])
        except NoReverseMatch:
            continue
    return f"/projects/{project_id}/updates/new/"
