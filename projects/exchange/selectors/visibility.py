"""Reads for the exchange pages and API: import and export jobs, and the projects a user may export."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from projects.models import ExportJob, ImportJob, Project, ReviewState
from projects.permissions import user_manages, user_oversees, user_partner_id
from projects.selectors.projects import projects_visible_to


def import_jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    """The ministry sees every job; a focal point their partner's jobs; anyone else only their own."""
    qs = ImportJob.objects.select_related("partner", "created_by")
    if not (user is not None and user.is_authenticated and user.is_active):
        return qs.none()
    if user_oversees(user):
        return qs
    partner_id = user_partner_id(user)
    mine = Q(created_by=user)
    return qs.filter(mine | Q(partner_id=partner_id) if partner_id is not None else mine)


def import_job_can_act(user: Any, job: ImportJob) -> bool:
    """Import or cancel a job: its uploader, or the ministry's administrator."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    return job.created_by_id == user.pk or user_manages(user)


def export_scope(user: Any) -> Q:
    """What a user's exports hold: accepted projects, and a focal point's own partner's in any state
    (so that the sheet they download can come back with their corrections)."""
    scope = Q(state=ReviewState.ACCEPTED)
    partner_id = user_partner_id(user)
    if partner_id is not None:
        scope |= Q(reporting_partner_id=partner_id)
    return scope


def exportable_projects(user: Any, projects: QuerySet[Project], *, everything: bool = False) -> QuerySet[Project]:
    """``projects`` (an exporter's queryset) narrowed to what ``user`` may see and export. A focal point's
    export holds their own partner's projects unless they ask for ``everything`` they may see."""
    visible = projects_visible_to(user).filter(export_scope(user)).values("pk")
    projects = projects.filter(pk__in=visible)
    partner_id = user_partner_id(user)
    if partner_id is not None and not everything:
        projects = projects.filter(reporting_partner_id=partner_id)
    return projects


def export_jobs_visible_to(user: Any) -> QuerySet[ExportJob]:
    """An export job, and its file, belong to whoever asked for it (the file holds what *they* may see);
    the site's staff may follow any."""
    jobs = ExportJob.objects.select_related("requested_by")
    if not (user is not None and user.is_authenticated and user.is_active):
        return jobs.none()
    if user.is_staff or user.is_superuser:
        return jobs
    return jobs.filter(requested_by=user)
