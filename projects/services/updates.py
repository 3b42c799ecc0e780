"""Writes to project updates: a focal point's periodic report, its new sites, and its review.

The rules of the review workflow are shared with the project services (``projects.services.workflow``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.events import RELATED_CATEGORIES, project_update_changed
from projects.models import Project, ProjectUpdate, ReviewState, Site, UpdateSite
from projects.permissions import update_can_create, update_can_edit, update_can_review, update_can_submit
from projects.services.projects import project_save
from projects.services.sites import site_identity, site_municipality
from projects.services.workflow import (
    UPDATE_FIELDS,
    UPDATE_TO_PROJECT,
    fields_refuse_unknown,
    permission_require,
    review_outcome,
    row_locked,
)


def _update_save(update: ProjectUpdate, user) -> None:
    update.full_clean()
    update._history_user = user
    update.save()
    project_update_changed.send(sender=ProjectUpdate, update_ids=[update.pk], project_ids=[update.project_id],
                                user=user)


def _update_site_rows(rows: list[dict]) -> list[UpdateSite]:
    """An update's new sites (name, ``point`` or ``lat``/``lon``, optional municipality), each checked by the
    model's rules (named, in Libya), not saved yet; the municipality, when not given, is the one whose area
    holds the point."""
    built = []
    for index, row in enumerate(rows):
        point = row.get("point")
        if point is None and row.get("lat") is not None and row.get("lon") is not None:
            point = Point(float(row["lon"]), float(row["lat"]), srid=4326)
        if point is None:
            raise ValidationError({"new_sites": [_("Item %(row)s: give the site's latitude and longitude.")
                                                 % {"row": index + 1}]})
        site = UpdateSite(name_ar=(row.get("name_ar") or "").strip(), name_en=(row.get("name_en") or "").strip(),
                          point=point, municipality=row.get("municipality"))
        try:
            site.full_clean(exclude=["update", "site"])
        except ValidationError as exc:  # the messages say what is wrong; a field's name would not help here
            raise ValidationError({"new_sites": [_("Item %(row)s: %(message)s") % {"row": index + 1, "message": m}
                                                 for m in exc.messages]}) from None
        site.municipality = site.municipality or site_municipality(point)
        built.append(site)
    return built


def _update_sites_replace(update: ProjectUpdate, sites: list[UpdateSite]) -> None:
    update.new_sites.all().delete()
    for site in sites:
        site.update = update
    UpdateSite.objects.bulk_create(sites)


def update_sites_to_project(update: ProjectUpdate) -> int:
    """Make the accepted update's new sites sites of its project, once: a new site already made into one
    (``UpdateSite.site``) is skipped, and one the project already has (same names, point, municipality) is
    linked rather than copied. Returns how many project sites were created."""
    pending = list(update.new_sites.select_for_update().filter(site__isnull=True).order_by("pk"))
    if not pending:
        return 0
    existing = {site_identity(site): site for site in Site.objects.filter(project_id=update.project_id)}
    created = 0
    for row in pending:
        site = Site(project_id=update.project_id, name_ar=row.name_ar, name_en=row.name_en, point=row.point,
                    municipality_id=row.municipality_id)
        if site_identity(site) in existing:
            site = existing[site_identity(site)]
        else:
            site.save()
            existing[site_identity(site)] = site
            created += 1
        row.site = site
        row.save(update_fields=["site"])
    return created


@transaction.atomic
def project_update_create(*, project: Project, user, fields: dict[str, Any],
                          new_sites: list[dict] | None = None) -> ProjectUpdate:
    """A focal point's new report on one of their partner's projects, in draft, with the new sites it
    reports (all or nothing). The update is the project's reporting partner's for good, even if the project
    moves to another partner later (``ProjectUpdate.partner``)."""
    fields_refuse_unknown(fields, UPDATE_FIELDS)
    project = Project.objects.get(pk=project.pk)  # its partner as it is now, not as a caller's copy says
    permission_require(update_can_create(user, project), _("You may report only on your own partner's projects."))
    sites = _update_site_rows(new_sites or [])
    update = ProjectUpdate(project=project, partner_id=project.reporting_partner_id, **fields,
                           state=ReviewState.DRAFT)
    _update_save(update, user)
    _update_sites_replace(update, sites)
    return update


@transaction.atomic
def project_update_edit(*, update: ProjectUpdate, user, fields: dict[str, Any],
                        new_sites: list[dict] | None = None) -> ProjectUpdate:
    """Change a draft or returned update; ``new_sites``, when given, replaces its new sites as a whole."""
    fields_refuse_unknown(fields, UPDATE_FIELDS)
    update = ProjectUpdate.objects.select_for_update().select_related("project").get(pk=update.pk)
    permission_require(update_can_edit(user, update), _("You cannot edit this update (only drafts and returned ones)."))
    sites = None if new_sites is None else _update_site_rows(new_sites)
    for name, value in fields.items():
        setattr(update, name, value)
    _update_save(update, user)
    if sites is not None:
        _update_sites_replace(update, sites)
    return update


@transaction.atomic
def project_update_submit(*, update: ProjectUpdate, user) -> ProjectUpdate:
    update = ProjectUpdate.objects.select_for_update().select_related("project").get(pk=update.pk)
    permission_require(update_can_submit(user, update), _("You cannot submit this update."))
    update.state = ReviewState.SUBMITTED
    update.submitted_by, update.submitted_at = user, timezone.now()
    _update_save(update, user)
    return update


@transaction.atomic
def project_update_review(*, update: ProjectUpdate, user, decision: str, comment: str = "") -> ProjectUpdate:
    """Accept (copying its figures onto the project and making its new sites the project's) or return (with a
    comment; its new sites stay with it for the fix) a submitted update."""
    update = ProjectUpdate.objects.select_for_update().select_related("project").get(pk=update.pk)
    permission_require(update_can_review(user, update), _("You cannot review this update."))
    update.state = review_outcome(decision, comment)
    update.reviewed_by, update.reviewed_at, update.review_comment = user, timezone.now(), (comment or "").strip()
    _update_save(update, user)
    if update.state == ReviewState.ACCEPTED:
        project = row_locked(Project, update.project_id)
        for name in UPDATE_TO_PROJECT:
            value = getattr(update, name)
            if value is not None:
                setattr(project, name, value)
        # A site write like any other, so the duplicate check looks at the project's new places.
        added = update_sites_to_project(update)
        project_save(project=project, user=user, also_changed=RELATED_CATEGORIES[Site] if added else ())
    return update
