"""Writes to projects and their parts (sectors, places, sites, partners, money, links), and their review. Every write a user or job makes goes through here.

Each write runs inside ``transaction.atomic`` and records who made it (django-simple-history
keeps the row's versions with the user), then announces what changed (``events``) so the
analyses can re-check the project once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import events
from projects.events import RELATED_CATEGORIES, project_changed
from projects.models import (
    Participation,
    Project,
    ProjectLocation,
    ProjectSector,
    RelatedActivity,
    ReviewState,
    Site,
    Transaction,
    validate_location_shares,
    validate_sector_split,
)
from projects.permissions import (
    project_can_create,
    project_can_edit,
    project_can_review,
    project_can_submit,
    user_manages,
    user_partner_id,
)
from projects.selectors.project_pages import plan_objectives_allowed
from projects.services.sites import site_identity, site_municipality
from projects.services.workflow import (
    PROJECT_FIELDS,
    fields_refuse_unknown,
    permission_require,
    review_outcome,
    row_locked,
)


def project_changes(before: Project | None, after: Project) -> set[str]:
    """The categories of change between two versions of a project (``created`` for a new one), by the
    field map of ``projects.events``."""
    if before is None:
        return {events.CREATED}
    return {
        category for field, category in events.PROJECT_FIELD_CATEGORIES.items()
        if getattr(before, field) != getattr(after, field)
    }


def project_identifier_clashes(*, pk: int | None, iati_identifier: str | None, partner_code: str | None,
                               partner_id: int | None) -> dict[str, str]:
    """Identifiers already taken by another project, each with one neutral message: whether the other
    record is one the user may see or another partner's draft, the answer is the same, so the form or
    the API cannot be used to learn that a hidden project exists or what it is."""
    others = Project.objects.exclude(pk=pk) if pk else Project.objects.all()
    clashes: dict[str, str] = {}
    if iati_identifier and others.filter(iati_identifier=iati_identifier).exists():
        clashes["iati_identifier"] = _("This IATI identifier is already used by another record.")
    if partner_code and partner_id and others.filter(reporting_partner_id=partner_id,
                                                     partner_code=partner_code).exists():
        clashes["partner_code"] = _("This code is already used by another record of the same partner.")
    return clashes


def _project_validate(project: Project) -> None:
    """The model's own checks, with the identifiers' uniqueness said neutrally (project_identifier_clashes)."""
    errors: dict[str, list] = {}
    for check in (lambda: project.full_clean(validate_unique=False, validate_constraints=False),
                  lambda: project.validate_constraints(exclude={"iati_identifier", "partner_code"})):
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    clashes = project_identifier_clashes(pk=project.pk, iati_identifier=project.iati_identifier,
                                         partner_code=project.partner_code, partner_id=project.reporting_partner_id)
    for name, message in clashes.items():
        errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)


# The review notes of a project, in the groups written together: who submitted it and when; who reviewed it,
# when, and the reviewer's comment.
REVIEW_NOTE_GROUPS = (("submitted_by_id", "submitted_at"), ("reviewed_by_id", "reviewed_at", "review_comment"))


def _review_notes_keep_owner(before: Project | None, project: Project) -> None:
    """Say whose the review notes are (``review_notes_partner``): the partner reporting the project when they
    are written. A move to another partner leaves them with the old one. When the new partner's first notes
    are written (its submission, the ministry's review of it), the old partner's left beside them are cleared:
    a row's notes are one partner's, and the old ones stay in the history, which only the ministry and that
    partner read."""
    if before is None:
        project.review_notes_partner_id = project.reporting_partner_id
        return
    written = [any(getattr(project, name) != getattr(before, name) for name in group) for group in REVIEW_NOTE_GROUPS]
    if not any(written) or project.review_notes_partner_id == project.reporting_partner_id:
        return
    for group, rewritten in zip(REVIEW_NOTE_GROUPS, written, strict=True):
        if not rewritten:
            for name in group:
                setattr(project, name, "" if name == "review_comment" else None)
    project.review_notes_partner_id = project.reporting_partner_id


@transaction.atomic
def project_save(*, project: Project, user=None, also_changed: Iterable[str] = ()) -> set[str]:
    """Validate and save a project (keeping its review notes with their partner); announce what changed.
    Returns the change categories."""
    before = Project.objects.filter(pk=project.pk).first() if project.pk else None
    _review_notes_keep_owner(before, project)
    _project_validate(project)
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


@transaction.atomic
def project_set_duplicate_of(*, project: Project, duplicate_of: Project | None, user=None) -> Project:
    """Mark a project as reporting again the same project as ``duplicate_of`` (money totals, the
    reporting calendar and coverage then count the other record only), or count it again (None).

    This is the committee's decision on a duplicate flag: who may take it is checked by the caller
    (coordination's flag review), as the permission belongs to the flag. The project's own rules refuse
    a record marked as a duplicate of itself, directly or around a ring (``Project.clean``); the change
    is announced as "duplicate" by ``project_save``'s field map."""
    project = row_locked(Project, project.pk)
    target_id = duplicate_of.pk if duplicate_of is not None else None
    if project.duplicate_of_id == target_id:
        return project
    project.duplicate_of_id = target_id
    project_save(project=project, user=user)
    return project


# --- the review workflow (projects.services.workflow) -------------------------------------------





def _programme_allowed(user, project: Project, *, attached_before: int | None = None) -> None:
    """A focal point attaches only programmes of the partner that reports the project (the ministry may
    attach any); a programme already attached stays, so an unrelated edit is not refused."""
    if project.programme_id is None or project.programme_id == attached_before or user_manages(user):
        return
    if project.programme.partner_id != project.reporting_partner_id:
        raise ValidationError({"programme": _("Choose one of your partner's programmes: a project can be attached "
                                              "only to a programme of the partner that reports it.")})


def _rows_unique(rows: list[tuple], field: str) -> None:
    if len(set(rows)) != len(rows):
        raise ValidationError({field: _("The same item is listed twice.")})


def _project_set_related(
    project: Project, *, sectors: list[dict] | None, locations: list[dict] | None,
    participations: list[dict] | None,
) -> set[str]:
    """Replace the sector split, the municipalities and the participations that are given (None: leave as is).
    Returns the change categories of what really changed."""
    changed: set[str] = set()
    if sectors is not None:
        try:
            validate_sector_split([row["percentage"] for row in sectors])
        except ValidationError as exc:
            raise ValidationError({"sectors": exc.messages}) from None
        wanted = [(row["sector"].pk, Decimal(str(row["percentage"]))) for row in sectors]
        _rows_unique([sector for sector, _p in wanted], "sectors")
        # Lines an IATI import kept with their DAC codes (several per national sector) are compared by
        # national sector: a sector whose total is unchanged keeps its lines and their codes.
        lines = list(project.sector_shares.all())
        current: dict[int, Decimal] = {}
        for line in lines:
            current[line.sector_id] = current.get(line.sector_id, Decimal(0)) + line.percentage
        if dict(wanted) != current:
            keep = {sector for sector, pct in wanted if current.get(sector) == pct}
            project.sector_shares.exclude(sector_id__in=keep).delete()
            ProjectSector.objects.bulk_create(
                [ProjectSector(project=project, sector_id=s, percentage=p) for s, p in wanted if s not in keep])
            changed |= RELATED_CATEGORIES[ProjectSector]
    if locations is not None:
        try:
            validate_location_shares([row.get("share") for row in locations])
        except ValidationError as exc:
            raise ValidationError({"locations": exc.messages}) from None
        wanted_l = [(row["municipality"].pk, None if row.get("share") is None else Decimal(str(row["share"])))
                    for row in locations]
        _rows_unique([m for m, _s in wanted_l], "locations")
        current_l = list(project.locations.values_list("municipality_id", "share"))
        if sorted(wanted_l, key=str) != sorted(current_l, key=str):
            project.locations.all().delete()
            ProjectLocation.objects.bulk_create(
                [ProjectLocation(project=project, municipality_id=m, share=s) for m, s in wanted_l])
            changed |= RELATED_CATEGORIES[ProjectLocation]
    if participations is not None:
        wanted_p = [(row["partner"].pk, int(row["role"]), row.get("activity_id", "") or "") for row in participations]
        _rows_unique([(p, r) for p, r, _a in wanted_p], "participations")
        current_p = list(project.participations.values_list("partner_id", "role", "activity_id"))
        if sorted(wanted_p) != sorted(current_p):
            project.participations.all().delete()
            Participation.objects.bulk_create(
                [Participation(project=project, partner_id=p, role=r, activity_id=a) for p, r, a in wanted_p])
            changed |= RELATED_CATEGORIES[Participation]
    return changed


def _row_errors(field: str, index: int, exc: ValidationError) -> ValidationError:
    """A nested row's errors under the list's name, saying which row (counted from 1)."""
    messages = [f"{name}: {m}" if name != "__all__" else m
                for name, ms in getattr(exc, "message_dict", {"__all__": exc.messages}).items() for m in ms]
    return ValidationError({field: [_("Item %(row)s: %(message)s") % {"row": index + 1, "message": m}
                                    for m in messages]})




def _project_set_details(
    project: Project, *, sites: list[dict] | None, transactions: list[dict] | None,
    related_activities: list[dict] | None,
) -> set[str]:
    """Replace the sites, transactions and related activities that are given (None: leave as is), each
    row checked by the model's own rules. Returns the change categories of what really changed."""
    changed: set[str] = set()
    if sites is not None:
        wanted_s = []
        for index, row in enumerate(sites):
            municipality = row.get("municipality") or site_municipality(row["point"])
            site = Site(project=project, name_ar=row.get("name_ar") or "", name_en=row.get("name_en") or "",
                        point=row["point"], municipality=municipality)
            try:
                site.full_clean(exclude=["project"])
            except ValidationError as exc:
                raise _row_errors("sites", index, exc) from None
            wanted_s.append(site)
        current_s = list(project.sites.all())
        if sorted(map(site_identity, wanted_s), key=str) != sorted(map(site_identity, current_s), key=str):
            # Sites that stay keep their rows (an accepted update's new sites point at them); only the
            # ones that go are deleted and only the new ones created.
            kept: dict[tuple, list[Site]] = {}
            for site in current_s:
                kept.setdefault(site_identity(site), []).append(site)
            fresh = [site for site in wanted_s if not (kept.get(site_identity(site)) and kept[site_identity(site)].pop())]
            Site.objects.filter(pk__in=[site.pk for rows in kept.values() for site in rows]).delete()
            Site.objects.bulk_create(fresh)
            changed |= RELATED_CATEGORIES[Site]
    if transactions is not None:
        columns = ("type", "date", "value", "currency", "provider_org_id", "provider_activity_id",
                   "receiver_org_id", "receiver_activity_id")
        wanted_t = []
        for index, row in enumerate(transactions):
            tx = Transaction(
                project=project, type=row["type"], date=row["date"], value=row["value"],
                currency=(row.get("currency") or project.currency or "").upper(),
                provider_org=row.get("provider_org"), provider_activity_id=row.get("provider_activity_id") or "",
                receiver_org=row.get("receiver_org"), receiver_activity_id=row.get("receiver_activity_id") or "")
            try:
                tx.full_clean(exclude=["project"])
            except ValidationError as exc:
                raise _row_errors("transactions", index, exc) from None
            wanted_t.append(tx)
        current_t = sorted(project.transactions.values_list(*columns), key=str)
        if sorted((tuple(getattr(t, c) for c in columns) for t in wanted_t), key=str) != current_t:
            project.transactions.all().delete()
            Transaction.objects.bulk_create(wanted_t)
            changed |= RELATED_CATEGORIES[Transaction]
    if related_activities is not None:
        wanted_r = [(int(row["relation"]), (row["iati_identifier"] or "").strip()) for row in related_activities]
        _rows_unique(wanted_r, "related_activities")
        for index, (_relation, identifier) in enumerate(wanted_r):
            if not identifier:
                raise ValidationError({"related_activities": [_("Item %(row)s: give the related activity's IATI "
                                                                "identifier.") % {"row": index + 1}]})
            if project.iati_identifier and identifier == project.iati_identifier:
                raise ValidationError({"related_activities": [_("Item %(row)s: a project cannot be related to "
                                                                "itself.") % {"row": index + 1}]})
        current_r = sorted(project.related_activities.values_list("relation", "iati_identifier"))
        if sorted(wanted_r) != current_r:
            targets = dict(Project.objects.filter(iati_identifier__in={i for _r, i in wanted_r})
                           .exclude(pk=project.pk).values_list("iati_identifier", "pk"))
            project.related_activities.all().delete()
            RelatedActivity.objects.bulk_create(
                [RelatedActivity(project=project, relation=r, iati_identifier=i, related_project_id=targets.get(i))
                 for r, i in wanted_r])
            changed |= RELATED_CATEGORIES[RelatedActivity]
    return changed


def _project_set_objectives(project: Project, objectives: list | None) -> bool:
    """Replace the plan objectives the project serves (None: leave as is); each must be an objective of a
    national plan or of the plan of one of the project's municipalities. Returns whether they changed."""
    if objectives is None:
        return False
    wanted = {getattr(o, "pk", o) for o in objectives}
    places = set(project.locations.values_list("municipality_id", flat=True))
    allowed = set(plan_objectives_allowed(places).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise ValidationError({"plan_objectives": _(
            "Choose objectives of the national plans or of the plans of the project's municipalities.")})
    if wanted == set(project.plan_objectives.values_list("pk", flat=True)):
        return False
    project.plan_objectives.set(sorted(wanted))
    return True


@transaction.atomic
def project_create(
    *, user, fields: dict[str, Any], sectors: list[dict] | None = None, locations: list[dict] | None = None,
    participations: list[dict] | None = None, sites: list[dict] | None = None,
    transactions: list[dict] | None = None, related_activities: list[dict] | None = None,
    plan_objectives: list | None = None,
) -> Project:
    """A new project in draft, with the related lists given; all or nothing. A focal point's project is
    reported by their partner."""
    fields_refuse_unknown(fields, PROJECT_FIELDS)
    fields = dict(fields)
    if fields.get("reporting_partner") is None and user_partner_id(user) is not None:
        fields["reporting_partner"] = user.focal_point.partner
    partner = fields.get("reporting_partner")
    if partner is None:
        raise ValidationError({"reporting_partner": _("Say which partner reports this project.")})
    permission_require(project_can_create(user, partner), _("You may create projects only for your own partner."))
    project = Project(**fields, state=ReviewState.DRAFT)
    _programme_allowed(user, project)
    project_save(project=project, user=user)
    _project_set_related(project, sectors=sectors, locations=locations, participations=participations)
    _project_set_details(project, sites=sites, transactions=transactions, related_activities=related_activities)
    _project_set_objectives(project, plan_objectives)
    return project


@transaction.atomic
def project_edit(
    *, project: Project, user, fields: dict[str, Any], sectors: list[dict] | None = None,
    locations: list[dict] | None = None, participations: list[dict] | None = None,
    sites: list[dict] | None = None, transactions: list[dict] | None = None,
    related_activities: list[dict] | None = None, plan_objectives: list | None = None,
) -> Project:
    """Change a project's fields and the related lists that are given (all or nothing); see the workflow
    note above."""
    fields_refuse_unknown(fields, PROJECT_FIELDS)
    project = row_locked(Project, project.pk)
    permission_require(project_can_edit(user, project), _("You may edit only your own partner's projects."))
    if "reporting_partner" in fields and fields["reporting_partner"].pk != project.reporting_partner_id:
        permission_require(user_manages(user), _("Only the ministry can move a project to another partner."))
    before = {name: getattr(project, name) for name in fields}
    programme_before = project.programme_id
    for name, value in fields.items():
        setattr(project, name, value)
    _programme_allowed(user, project, attached_before=programme_before)
    field_changed = any(getattr(project, name) != value for name, value in before.items())
    related = _project_set_related(project, sectors=sectors, locations=locations, participations=participations)
    related |= _project_set_details(project, sites=sites, transactions=transactions,
                                    related_activities=related_activities)
    objectives_changed = _project_set_objectives(project, plan_objectives)
    if (field_changed or related or objectives_changed) and not user_manages(user) \
            and project.state == ReviewState.ACCEPTED:
        project.state = ReviewState.SUBMITTED
        project.submitted_by, project.submitted_at = user, timezone.now()
    if field_changed or related or objectives_changed:
        project_save(project=project, user=user, also_changed=related)
    return project


@transaction.atomic
def project_submit(*, project: Project, user) -> Project:
    """Send a draft or returned project to the ministry for review."""
    project = row_locked(Project, project.pk)
    permission_require(project_can_submit(user, project), _("You cannot submit this project."))
    project.state = ReviewState.SUBMITTED
    project.submitted_by, project.submitted_at = user, timezone.now()
    project_save(project=project, user=user, also_changed={events.REVIEW})
    return project


@transaction.atomic
def project_review(*, project: Project, user, decision: str, comment: str = "") -> Project:
    """Accept or return a submitted project (returning needs a comment)."""
    project = row_locked(Project, project.pk)
    permission_require(project_can_review(user, project), _("You cannot review this project."))
    project.state = review_outcome(decision, comment)
    project.reviewed_by, project.reviewed_at, project.review_comment = user, timezone.now(), (comment or "").strip()
    project_save(project=project, user=user, also_changed={events.REVIEW})
    return project


@transaction.atomic
def project_plan_objectives_change(*, project: Project, add: Iterable[Any] = (), remove: Iterable[Any] = (),
                                   user=None) -> None:
    """The plan objectives a project declares it serves (people's decisions on the alignment engine's
    suggestions land here). No re-check is announced: the analyses read the decisions themselves."""
    add, remove = list(add), list(remove)
    if add:
        project.plan_objectives.add(*add)
    if remove:
        project.plan_objectives.remove(*remove)
