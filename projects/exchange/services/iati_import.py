"""Import IATI 2.03 activity files: upsert on ``iati-identifier``, all in one transaction.

Decisions (issue 6):
- A project the import creates is ``accepted``: the ministry runs imports, and a published IATI
  record is the partner's own public account. An update leaves the review state as it is.
- The reporting partner is the reporting-org. When the reporting-org is only a secondary reporter
  (``secondary-reporter="1"``, e.g. the ministry's own export), it is our ``tansiq:reporting-partner``
  extension when present, else the accountable, extending, funding or implementing participant.
- Sectors map through their DAC code to the national sector; each line keeps the DAC code it came with
  (``ProjectSector.dac_code``) and lines are never merged (SDC splits 72050 in two lines); municipalities through a p-code (location/@ref, administrative,
  location-id), then the name (Arabic or English, normalised), then the point.
- A location with a point that is not an administrative region (``location-class`` other than 1)
  is a site (a school, a substation) and becomes a ``Site`` of the project, one per point, in the
  municipality whose area holds it (else the one the location names); it counts for the project's
  municipalities too. Sites follow the file on re-import: renamed in place, added, or removed.
- SDG tags (tag vocabularies 2 goals, 3 targets) and sectors in the SDG vocabularies (7 goals, 8
  targets, 9 indicators) go to ``Project.sdg_tags``, read by the alignment suggestions; they are not
  sectors (no national sector, no share of the sector split). Tags of vocabulary 99 whose
  ``vocabulary-uri`` is a plan's URI (what the export writes) declare that plan's objective, by code.
- Sectors on transactions (issue 15) are kept on each transaction as received (``Transaction.sectors``,
  vocabulary and code); when the activity gives none, its split is derived from them (each code's share
  of the transactions' value), and the export writes them back on the transactions.
- Budgets (issue 15): the original ones (type 1) summed as ``budget``, the revised ones (type 2) as
  ``budget_revised``; with no original, the revised total is the budget too.
- Results (issue 15): the first indicator counting people gives the beneficiaries targeted and reached
  (its periods' targets and actuals summed); every other indicator is named in the report.
- Whatever cannot be mapped is listed per activity in the report; an activity that cannot be saved
  at all (no identifier, no title, no reporting organisation) is skipped and listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.exchange.formats.iati_read import ActivityData, ProgrammeData, activity_read
from projects.exchange.formats.iati_xml import IatiFileError, iati_parse, iati_read_file
from projects.exchange.selectors.matching import OrgRef, Resolver
from projects.exchange.services.iati_children import activity_children_write
from projects.exchange.services.iati_report import ActivityReport, ImportReport
from projects.models import (
    Partner,
    Programme,
    Project,
    RelatedActivity,
    ReviewState,
)
from projects.services import project_save

PROJECT_FIELDS = ("reporting_partner_id", "partner_code", "title_ar", "title_en", "description_ar",
                  "description_en", "status", "planned_start", "planned_end", "actual_start", "actual_end",
                  "budget", "budget_revised", "currency", "sdg_tags", "humanitarian", "policy_markers", "aid_type",
                  "finance_type", "flow_type", "tied_status", "collaboration_type")
CENT = Decimal("0.01")
LIBYA = "LY"
# progress(done, total): called as each activity is saved
Progress = Callable[[int, int], None]


class _Rollback(Exception):
    """Raised to undo a dry run."""


def iati_load_files(paths: Iterable[Path]) -> list[tuple[str, bytes]]:
    """Read every file (a directory gives its ``*.xml``) before anything is written."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() == ".xml" and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise IatiFileError(_("%(name)s does not exist.") % {"name": path})
    if not found:
        raise IatiFileError(_("No XML file to import."))
    return [(p.name, iati_read_file(p)) for p in found]


def iati_import(*, files: list[tuple[str, bytes]], user: AbstractBaseUser | None = None,
                dry_run: bool = False, only_partner: Partner | None = None,
                submitted_by: AbstractBaseUser | None = None, progress: Progress | None = None) -> ImportReport:
    """Import IATI files given as (name, bytes). Raises ``IatiFileError`` before any write when a file is refused.

    ``only_partner``: a focal point's import; an activity another partner reports is skipped and listed.
    ``submitted_by``: new projects are submitted to the ministry's review (not accepted), and a changed
    accepted project is submitted again."""
    elements = [element for name, data in files for element in iati_parse(data, name=name)]
    activities = [activity_read(element) for element in elements]
    report = ImportReport(dry_run=dry_run)
    options = _Options(user=user, only_partner=only_partner, submitted_by=submitted_by, progress=progress)
    try:
        with transaction.atomic():
            _import(activities, report, options)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


@dataclass
class _Options:
    user: AbstractBaseUser | None = None
    only_partner: Partner | None = None
    submitted_by: AbstractBaseUser | None = None
    progress: Progress | None = None


def _import(activities: list[ActivityData], report: ImportReport, options: _Options) -> None:
    resolver = Resolver()
    seen: set[str] = set()
    saved: list[tuple[Project, ActivityData]] = []
    for done, activity in enumerate(activities, start=1):
        if options.progress is not None:
            options.progress(done - 1, len(activities))
        entry = ActivityReport(identifier=activity.identifier, action="skipped", unmapped=list(activity.problems))
        report.activities.append(entry)
        if not activity.identifier or len(activity.identifier) > 150:
            entry.unmapped.insert(0, _("no usable iati-identifier: activity skipped"))
            continue
        if activity.identifier in seen:
            entry.unmapped.insert(0, _("the identifier appears twice in the import: the second is skipped"))
            continue
        seen.add(activity.identifier)
        if not _in_libya(activity, entry):
            continue
        project = _upsert(activity, resolver, entry, options)
        if project is not None:
            saved.append((project, activity))
    _link_related(saved)
    if options.progress is not None and activities:
        options.progress(len(activities), len(activities))
    report.partners_created = [p.name_en for p in resolver.partners_created]
    report.partners_identified = [f"{p.name_en} = {p.iati_ref}" for p in resolver.partners_identified]


def _in_libya(activity: ActivityData, entry: ActivityReport) -> bool:
    """An activity in another country is not a Libyan project: refused, and said so. One in several countries
    is kept with a note of Libya's share; one that names no country is taken as Libya's, and said so."""
    codes = [code for code, _pct in activity.countries]
    if codes and LIBYA not in codes:
        entry.unmapped.insert(0, _("recipient country %(codes)s, not Libya: activity not imported") % {
            "codes": ", ".join(codes)})
        return False
    share = next((pct for code, pct in activity.countries if code == LIBYA), None)
    if len(codes) > 1 or (share is not None and share < 100):
        entry.unmapped.append(_("the activity is in several countries (%(codes)s); Libya's share %(share)s%%: "
                                "its money is counted whole") % {"codes": ", ".join(codes), "share": share or "?"})
    if not codes:
        entry.unmapped.append(_("no recipient country given: taken as Libya"))
    return True


def _reporting_partner(activity: ActivityData, resolver: Resolver) -> Partner | None:
    candidates: list[OrgRef | None] = []
    if activity.secondary_reporter:
        candidates.append(activity.reporting_partner)
        for role in (2, 3, 1, 4):
            candidates += [org for org, r, _id in activity.participations if r == role]
    candidates.append(activity.reporting_org)
    if not activity.secondary_reporter:
        candidates += [org for org, _r, _id in activity.participations]
    for org in candidates:
        if org is not None:
            partner = resolver.partner(org)
            if partner is not None:
                return partner
    return None


def _upsert(activity: ActivityData, resolver: Resolver, entry: ActivityReport, options: _Options) -> Project | None:
    user, only = options.user, options.only_partner
    reporting = _reporting_partner(activity, resolver)
    if reporting is None:
        entry.unmapped.insert(0, _("no reporting organisation: activity skipped"))
        return None
    existing_owner = Project.objects.filter(iati_identifier=activity.identifier).values_list(
        "reporting_partner", flat=True).first()
    if only is not None and reporting.pk != only.pk:
        entry.unmapped.insert(0, _("%(partner)s reports this activity: you may import only activities of %(own)s") % {
            "partner": reporting, "own": only})
        return None
    if only is not None and existing_owner not in (None, only.pk):
        # not named: it may be another partner's draft, which this user must not learn of
        entry.unmapped.insert(0, _("this identifier belongs to a record you may not change"))
        return None
    title_ar, title_en = activity.title_ar[:500], activity.title_en[:500]
    if not (title_ar or title_en):
        entry.unmapped.insert(0, _("no title: activity skipped"))
        return None
    if len(activity.title_ar) > 500 or len(activity.title_en) > 500:
        entry.unmapped.append(_("title cut to 500 characters"))
    values: dict[str, object] = {
        "reporting_partner_id": reporting.pk, "title_ar": title_ar, "title_en": title_en,
        "description_ar": activity.description_ar, "description_en": activity.description_en,
        "planned_start": activity.dates.get("planned_start"), "planned_end": activity.dates.get("planned_end"),
        "actual_start": activity.dates.get("actual_start"), "actual_end": activity.dates.get("actual_end"),
        "budget": activity.budget.quantize(CENT) if activity.budget is not None else None,
        "budget_revised": activity.budget_revised.quantize(CENT) if activity.budget_revised is not None else None,
        "sdg_tags": activity.sdg_tags,  # the file's SDG tags and SDG sectors, for the alignment suggestions
        **activity.classifications,  # humanitarian, policy markers, aid/finance/flow/tied/collaboration types
        **activity.extension,  # from a Tansiq export: beneficiaries, spend, progress, reporting frequency
    }
    if activity.programme is not None:
        programme = _programme(activity.programme, resolver, entry)
        values["programme_id"] = programme.pk if programme is not None else None
    if activity.status is not None:
        values["status"] = activity.status
    if activity.currency:
        values["currency"] = activity.currency
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if values[start] and values[end] and values[end] < values[start]:
            entry.unmapped.append(_("%(field)s %(date)s comes before the start: not kept") % {"field": end, "date": values[end]})
            values[end] = None
    if values["budget"] is not None and values["budget"] < 0:
        entry.unmapped.append(_("negative budget not kept"))
        values["budget"] = None
    if values["budget_revised"] is not None and values["budget_revised"] < 0:
        entry.unmapped.append(_("negative revised budget not kept"))
        values["budget_revised"] = None

    project = Project.objects.filter(iati_identifier=activity.identifier).first()
    if activity.partner_code:
        taken = Project.objects.filter(reporting_partner=reporting, partner_code=activity.partner_code)
        if project is not None:
            taken = taken.exclude(pk=project.pk)
        if taken.exists():
            entry.unmapped.append(_("partner code %(code)s already used by another project of %(partner)s") % {
                "code": activity.partner_code, "partner": reporting})
        else:
            values["partner_code"] = activity.partner_code

    created = project is None
    if created:
        project = Project(iati_identifier=activity.identifier, state=ReviewState.ACCEPTED)
        if options.submitted_by is not None:
            project.state = ReviewState.SUBMITTED
            project.submitted_by, project.submitted_at = options.submitted_by, timezone.now()
    changed_fields = [name for name, value in values.items() if getattr(project, name) != value]
    for name in changed_fields:
        setattr(project, name, values[name])
    try:
        if created:
            project_save(project=project, user=user)
        elif changed_fields:
            project.full_clean()  # before any related row is touched
    except ValidationError as exc:
        entry.unmapped.insert(0, _("not valid, skipped: %(errors)s") % {"errors": "; ".join(exc.messages)})
        return None
    related_changes = activity_children_write(project, activity, resolver, entry, fresh=created)
    if created:
        entry.action = "created"
        if activity.last_updated is not None:
            # the record is as of the file's date, not of the import (a re-export then says the same)
            Project.objects.filter(pk=project.pk).update(updated_at=activity.last_updated)
        return project
    if changed_fields or related_changes:
        if options.submitted_by is not None and project.state == ReviewState.ACCEPTED:
            project.state = ReviewState.SUBMITTED
            project.submitted_by, project.submitted_at = options.submitted_by, timezone.now()
        project_save(project=project, user=user, also_changed=related_changes)
        entry.action = "updated"
    else:
        entry.action = "unchanged"
    return project


def _programme(data: ProgrammeData, resolver: Resolver, entry: ActivityReport) -> Programme | None:
    """The programme a Tansiq export names: the lead partner's programme of that code (else title), made
    when missing."""
    lead = resolver.partner(data.lead) if data.lead is not None else None
    if lead is None:
        entry.unmapped.append(_("programme %(code)s without a lead partner: not kept") % {"code": data.code or "?"})
        return None
    found = Programme.objects.filter(partner=lead)
    found = found.filter(code=data.code) if data.code else found.filter(code="", title_en=data.title_en,
                                                                          title_ar=data.title_ar)
    programme = found.order_by("pk").first()
    if programme is None:
        programme = Programme(partner=lead, code=data.code, title_ar=data.title_ar, title_en=data.title_en,
                              description=data.description, start_date=data.start_date, end_date=data.end_date)
        programme.full_clean()
        programme.save()
    return programme


def _link_related(saved: list[tuple[Project, ActivityData]]) -> None:
    """Point each related activity at the project with that identifier, in this import or already here."""
    ids = [p.pk for p, _a in saved]
    rows = list(RelatedActivity.objects.filter(project_id__in=ids))
    by_identifier = dict(Project.objects.filter(iati_identifier__in={r.iati_identifier for r in rows})
                         .values_list("iati_identifier", "pk"))
    stale = []
    for row in rows:
        target = by_identifier.get(row.iati_identifier)
        if row.related_project_id != target:
            row.related_project_id = target
            stale.append(row)
    if stale:
        RelatedActivity.objects.bulk_update(stale, ["related_project"])
