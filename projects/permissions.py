"""Who may do what to which project or update: object-level rules as plain functions.

The groups (``coordination.roles``) hand out model permissions, which say what *kind* of thing a
role may do; the functions here add *on which records*, from the user's focal point:

* ``projects.oversee_project`` (ministry administrator, analyst, rapporteur, viewer): read every
  project and update in every review state.
* ``projects.manage_project`` (ministry administrator): create and edit any partner's projects and updates.
* ``projects.review_project`` / ``projects.review_projectupdate`` (administrator, analyst): accept or
  return what was submitted.
* A focal point (``FocalPoint`` row + ``add``/``change`` permissions) creates, edits and submits only
  records whose ``reporting_partner`` is their partner, and reads another partner's records only once
  the ministry accepted them (an update: once both it and its project are accepted, or once it is accepted
  on a project of their own).
* Anyone else, and anonymous users, nothing.

What a partner wrote stays theirs when the ministry moves a project to another partner (``reporting_partner``
changes): an update belongs to the partner that wrote it (``ProjectUpdate.partner``), and so do its files, its
new sites and its review notes; a project's review notes (who submitted and reviewed it, when, the comment)
belong to the partner they were written for (``Project.review_notes_partner``). So after a move:

* the new partner owns the project (reads and edits it, reports new updates) and reads the old partner's
  updates only once accepted, like any accepted record, without their review notes;
* the old partner reads what it wrote only while it can still see the project (an accepted project, like any
  focal point), and changes none of it: an update is edited by its own partner on its own partner's project;
* the ministry sees everything, and its administrator may still edit what it may edit.

Review state limits the actions too (the workflow in ``projects.services``): submitting from draft
or returned, reviewing only what is submitted; an update can be edited only before it is submitted
(draft or returned), while a project stays editable (a focal point's edit of a submitted or accepted
project sends it back to review). ``projects.selectors.projects_visible_to`` is the same read rule as a
query; the table test in tests/projects/test_permissions.py holds both to one matrix.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from projects.models import Partner, Project, ProjectUpdate, ReviewState

OVERSEE = "projects.oversee_project"
MANAGE = "projects.manage_project"
REVIEW_PROJECT = "projects.review_project"
REVIEW_UPDATE = "projects.review_projectupdate"
EDITABLE_UPDATE_STATES = (ReviewState.DRAFT, ReviewState.RETURNED)
SUBMITTABLE_STATES = (ReviewState.DRAFT, ReviewState.RETURNED)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_partner_id(user: Any) -> int | None:
    """The partner a user reports for, or None (the reverse one-to-one is cached on the user)."""
    if not _active(user):
        return None
    try:
        return user.focal_point.partner_id
    except ObjectDoesNotExist:  # not a focal point
        return None


def user_municipality_id(user: Any) -> int | None:
    """The municipality whose council a user reports for (a municipality account), or None."""
    if not _active(user):
        return None
    try:
        return user.focal_point.partner.municipality_id
    except ObjectDoesNotExist:
        return None


def user_oversees(user: Any) -> bool:
    return _active(user) and (user.has_perm(OVERSEE) or user.has_perm(MANAGE))


def user_manages(user: Any) -> bool:
    return _active(user) and user.has_perm(MANAGE)


def _own(user: Any, partner_id: int | None) -> bool:
    mine = user_partner_id(user)
    return mine is not None and mine == partner_id


# --- projects ------------------------------------------------------------------------------


def project_can_view(user: Any, project: Project) -> bool:
    if user_oversees(user):
        return True
    if not (_active(user) and user.has_perm("projects.view_project")):
        return False
    return _own(user, project.reporting_partner_id) or project.state == ReviewState.ACCEPTED


def project_can_create(user: Any, partner: Partner | int | None) -> bool:
    """May ``user`` create a project reported by ``partner``?"""
    partner_id = partner.pk if isinstance(partner, Partner) else partner
    if user_manages(user):
        return True
    return _active(user) and user.has_perm("projects.add_project") and _own(user, partner_id)


def project_can_edit(user: Any, project: Project) -> bool:
    if user_manages(user):
        return True
    return _active(user) and user.has_perm("projects.change_project") and _own(user, project.reporting_partner_id)


def project_can_submit(user: Any, project: Project) -> bool:
    return project.state in SUBMITTABLE_STATES and project_can_edit(user, project)


def project_can_review(user: Any, project: Project) -> bool:
    return project.state == ReviewState.SUBMITTED and _active(user) and user.has_perm(REVIEW_PROJECT)


# --- review notes --------------------------------------------------------------------------


def project_review_notes_visible(user: Any, project: Any) -> bool:
    """May ``user``, who sees ``project``, read who submitted and reviewed it, when, and the reviewer's comment?
    The ministry and the partner the notes were written for, whoever reports the project now. ``project`` may
    be a version from the project's history (its notes are then that version's)."""
    return user_oversees(user) or _own(user, project.review_notes_partner_id)


def update_review_notes_visible(user: Any, update: ProjectUpdate) -> bool:
    """May ``user`` read an update's review notes and every version of it (its history in full)? The ministry,
    and the partner that wrote it while it may see the update, whoever reports the project now."""
    return user_oversees(user) or (_own(user, update.partner_id) and update_can_view(user, update))


# --- updates -------------------------------------------------------------------------------


def update_can_view(user: Any, update: ProjectUpdate) -> bool:
    """The ministry: every update. A focal point: their own partner's (in any state) and anyone's accepted
    ones, in both cases only on a project they may see."""
    if user_oversees(user):
        return True
    if not (_active(user) and user.has_perm("projects.view_projectupdate")):
        return False
    if not (_own(user, update.partner_id) or update.state == ReviewState.ACCEPTED):
        return False
    project = update.project
    return _own(user, project.reporting_partner_id) or project.state == ReviewState.ACCEPTED


def update_can_create(user: Any, project: Project) -> bool:
    """May ``user`` report an update on ``project``?"""
    if user_manages(user):
        return True
    return _active(user) and user.has_perm("projects.add_projectupdate") and _own(user, project.reporting_partner_id)


def update_can_edit(user: Any, update: ProjectUpdate) -> bool:
    """Drafts and returned updates: the ministry's administrator, or a focal point of the partner that wrote the
    update while that partner still reports the project (after a move, neither the old partner nor the new
    one changes what the old one wrote)."""
    if update.state not in EDITABLE_UPDATE_STATES:
        return False
    if user_manages(user):
        return True
    return (_active(user) and user.has_perm("projects.change_projectupdate") and _own(user, update.partner_id)
            and update.partner_id == update.project.reporting_partner_id)


def update_can_submit(user: Any, update: ProjectUpdate) -> bool:
    return update.state in SUBMITTABLE_STATES and update_can_edit(user, update)


def update_can_review(user: Any, update: ProjectUpdate) -> bool:
    return update.state == ReviewState.SUBMITTED and _active(user) and user.has_perm(REVIEW_UPDATE)
