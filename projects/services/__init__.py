"""Every write a user or job makes to partners, projects and updates (one module per kind of record).

- ``projects``: projects and their parts, their review, a confirmed double report's ``duplicate_of``; change
  categories announced through ``projects.events``;
- ``updates``: a focal point's periodic reports, their new sites, their review;
- ``workflow``: the review rules both share; ``sites``: what makes two sites the same place;
- ``accounts``: a focal point's e-mail language, API tokens.

The public functions are also importable from this package (``from projects import services``).
"""

from projects.services.accounts import api_token_renew, api_token_revoke, focal_point_set_language
from projects.services.projects import (
    project_create,
    project_edit,
    project_identifier_clashes,
    project_related_changed,
    project_review,
    project_save,
    project_set_duplicate_of,
    project_submit,
)
from projects.services.sites import site_municipality
from projects.services.updates import (
    project_update_create,
    project_update_edit,
    project_update_review,
    project_update_submit,
)
from projects.services.workflow import PROJECT_FIELDS, UPDATE_FIELDS, Decision

__all__ = [
    "PROJECT_FIELDS", "UPDATE_FIELDS", "Decision", "api_token_renew", "api_token_revoke", "focal_point_set_language",
    "project_create", "project_edit", "project_identifier_clashes", "project_related_changed", "project_review",
    "project_save", "project_set_duplicate_of", "project_submit", "project_update_create", "project_update_edit",
    "project_update_review", "project_update_submit", "site_municipality",
]
