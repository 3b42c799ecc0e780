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

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.models import PlanObjective
from projects.events import OBJECTIVES, RELATED_CATEGORIES
from projects.exchange.formats.iati_read import ActivityData, LocationData, ProgrammeData, activity_read
from projects.exchange.formats.iati_xml import IatiFileError, iati_parse, iati_read_file
from projects.exchange.selectors.matching import GENERIC_REFS, OrgRef, Resolver
from projects.models import (
    Participation,
    Partner,
    Programme,
    Project,
    ProjectLocation,
    ProjectSector,
    RelatedActivity,
    ReviewState,
    Site,
    Transaction,
    validate_location_shares,
)
from projects.services import project_save
from projects.services.projects import project_plan_objectives_change

PROJECT_FIELDS = ("reporting_partner_id", "partner_code", "title_ar", "title_en", "description_ar",
                  "description_en", "status", "planned_start", "planned_end", "actual_start", "actual_end",
                  "budget", "budget_revised", "currency", "sdg_tags", "humanitarian", "policy_markers", "aid_type",
                  "finance_type", "flow_type", "tied_status", "collaboration_type")
CENT = Decimal("0.01")
LIBYA = "LY"
# progress(done, total): called as each activity is saved
Progress = Callable[[int, int], None]


@dataclass
class ActivityReport:
    identifier: str
    action: str  # created, updated, unchanged, skipped
    unmapped: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    activities: list[ActivityReport] = field(default_factory=list)
    partners_created: list[str] = field(default_factory=list)
    partners_identified: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for a in self.activities if a.action == action)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    def lines(self) -> list[str]:
        out = [_("created %(created)s, updated %(updated)s, unchanged %(unchanged)s, skipped %(skipped)s, "
                 "partners created %(partners)s") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped, "partners": len(self.partners_created)}]
        if self.dry_run:
            out.append(_("dry run: nothing was saved"))
        if self.partners_created:
            out.append(_("new partners: %(names)s") % {"names": "; ".join(self.partners_created)})
        if self.partners_identified:
            out.append(_("identifier added to partners found by name: %(names)s") % {
                "names": "; ".join(self.partners_identified)})
        for activity in self.activities:
            for item in activity.unmapped:
                out.append(f"{activity.identifier or '?'} ({activity.action}): {item}")
        return out


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
    related_changes = _children(project, activity, resolver, entry, fresh=created)
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


def _children(project: Project, activity: ActivityData, resolver: Resolver, entry: ActivityReport,
              *, fresh: bool) -> set[str]:
    """Bring participations, sectors, municipalities, transactions and related activities in line with the file."""
    changed: set[str] = set()

    # participations: one row per (partner, role); the first activity-id given wins
    wanted_parts: dict[tuple[int, int], str] = {}
    for org, role, activity_id in activity.participations:
        if org.ref.strip() in GENERIC_REFS:
            entry.unmapped.append(_("%(name)s (%(ref)s) is a category of organisation, not one: not kept as a "
                                    "partner") % {"name": org.label, "ref": org.ref})
            continue
        partner = resolver.partner(org)
        if partner is not None:
            wanted_parts.setdefault((partner.pk, role), activity_id)
    current_parts = {} if fresh else {(p.partner_id, p.role): p for p in project.participations.all()}
    if {k: p.activity_id for k, p in current_parts.items()} != wanted_parts:
        project.participations.all().delete()
        Participation.objects.bulk_create(
            Participation(project=project, partner_id=pid, role=role, activity_id=aid)
            for (pid, role), aid in wanted_parts.items())
        changed |= RELATED_CATEGORIES[Participation]

    # sectors: one line per line of the file, with the DAC code it came with (lines of one national sector,
    # even of one code, are not merged: exported again, they come out as received)
    wanted_sectors: list[tuple[int, str, Decimal]] = []
    codes = activity.sectors
    missing_pct = [c for c in codes if c[2] is None]
    for code, vocabulary, pct in codes:
        sector, reason = resolver.sector(code, vocabulary)
        if sector is None:
            entry.unmapped.append(reason)
            continue
        if pct is None:
            pct = Decimal("100") / len(codes) if missing_pct else Decimal("100")
        if pct <= 0:
            continue
        dac_code = code if vocabulary in ("1", "2") else ""
        if not dac_code and any(sid == sector.pk and not dac for sid, dac, _p in wanted_sectors):
            entry.unmapped.append(_("sector %(code)s given twice: the percentages are added") % {"code": code})
            sid, dac, old = next(x for x in wanted_sectors if x[0] == sector.pk and not x[1])
            wanted_sectors[wanted_sectors.index((sid, dac, old))] = (sid, dac, min(Decimal(100), old + pct))
            continue
        wanted_sectors.append((sector.pk, dac_code, min(Decimal("100"), pct)))
    wanted_sectors = [(sid, dac, pct.quantize(CENT)) for sid, dac, pct in wanted_sectors]
    current_sectors = [] if fresh else list(
        project.sector_shares.order_by("pk").values_list("sector_id", "dac_code", "percentage"))
    if current_sectors != wanted_sectors:
        project.sector_shares.all().delete()
        ProjectSector.objects.bulk_create(
            ProjectSector(project=project, sector_id=sid, dac_code=dac, percentage=pct)
            for sid, dac, pct in wanted_sectors)
        changed |= RELATED_CATEGORIES[ProjectSector]

    # municipalities (a share staff entered stays while the municipality stays)
    wanted_munis: list[int] = []
    mapped: list[tuple[LocationData, int | None]] = []
    for location in activity.locations:
        municipality = next(filter(None, (resolver.municipality_by_pcode(c) for c in location.pcodes)), None)
        municipality = municipality or next(filter(None, (resolver.municipality_by_name(n) for n in location.names)), None)
        if municipality is None and location.point is not None:
            municipality = resolver.municipality_at(*location.point)
        district = None if municipality else next(filter(None, (resolver.district(c) for c in location.codes)), None)
        if district is not None:
            entry.unmapped.append(_("location %(label)s is the district %(district)s, not one municipality") % {
                "label": location.label, "district": district})
        elif municipality is None:
            entry.unmapped.append(_("location %(label)s matches no municipality") % {"label": location.label or "?"})
            for name in location.names:
                resolver.place_unresolved(name)
        elif municipality.pk not in wanted_munis and not (location.is_site and activity.from_tansiq):
            # a site counts for the project's municipalities, except in a Tansiq export, which lists them all
            wanted_munis.append(municipality.pk)
        mapped.append((location, municipality.pk if municipality is not None else None))
    if not activity.locations:
        entry.unmapped.append(_("no sub-national location: no municipality"))
    current_munis = set() if fresh else set(project.locations.values_list("municipality_id", flat=True))
    if current_munis != set(wanted_munis):
        project.locations.exclude(municipality_id__in=wanted_munis).delete()
        ProjectLocation.objects.bulk_create(
            ProjectLocation(project=project, municipality_id=mid) for mid in wanted_munis if mid not in current_munis)
        changed |= RELATED_CATEGORIES[ProjectLocation]
    if _location_shares(project, mapped, entry):
        changed |= RELATED_CATEGORIES[ProjectLocation]
    if _sites(project, mapped, resolver, fresh=fresh):
        changed |= RELATED_CATEGORIES[Site]

    # transactions, compared as a multiset
    wanted_tx = []
    for tx in activity.transactions:
        for org in (tx.provider, tx.receiver):
            if org is not None and org.ref.strip() in GENERIC_REFS:
                entry.unmapped.append(_("%(name)s (%(ref)s) on a transaction is a category of organisation, not "
                                        "one: not kept as a partner") % {"name": org.label, "ref": org.ref})
        provider = resolver.partner(tx.provider) if tx.provider else None
        receiver = resolver.partner(tx.receiver) if tx.receiver else None
        # the transaction's own sectors, as received (vocabulary, code): hashable here, lists when stored
        sectors = tuple((vocabulary, code) for code, vocabulary in tx.sectors)
        wanted_tx.append((tx.type, tx.date, tx.value.quantize(CENT), tx.currency, provider.pk if provider else None,
                          tx.provider_activity_id, receiver.pk if receiver else None, tx.receiver_activity_id, sectors))
    tx_fields = ("type", "date", "value", "currency", "provider_org_id", "provider_activity_id", "receiver_org_id",
                 "receiver_activity_id", "sectors")
    current_tx = [] if fresh else [(*row[:-1], tuple(tuple(pair) for pair in row[-1] or ()))
                                   for row in project.transactions.values_list(*tx_fields)]
    if Counter(current_tx) != Counter(wanted_tx):
        project.transactions.all().delete()
        Transaction.objects.bulk_create(
            Transaction(project=project, **dict(zip(tx_fields, (*row[:-1], [list(pair) for pair in row[-1]]),
                                                    strict=True)))
            for row in wanted_tx)
        changed |= RELATED_CATEGORIES[Transaction]

    # related activities (related_project is linked once every activity of the import is saved)
    current_rel = set() if fresh else set(project.related_activities.values_list("relation", "iati_identifier"))
    if current_rel != set(activity.related):
        project.related_activities.exclude(
            pk__in=[r.pk for r in project.related_activities.all() if (r.relation, r.iati_identifier) in activity.related]
        ).delete()
        RelatedActivity.objects.bulk_create(
            RelatedActivity(project=project, relation=relation, iati_identifier=ref)
            for relation, ref in activity.related if (relation, ref) not in current_rel)
        changed |= RELATED_CATEGORIES[RelatedActivity]
    if activity.objectives and _objectives_declare(project, activity, entry):
        changed.add(OBJECTIVES)
    return changed


def _location_shares(project: Project, mapped: list[tuple[LocationData, int | None]], entry: ActivityReport) -> bool:
    """Municipality shares a Tansiq export carries (``tansiq:share``), set when given for every municipality
    and adding up to 100. True when any changed."""
    shares = {mid: loc.share for loc, mid in mapped if mid is not None and not loc.is_site and loc.share is not None}
    if not shares:
        return False
    rows = {row.municipality_id: row for row in project.locations.all()}
    try:
        validate_location_shares([shares.get(mid) for mid in rows])
    except ValidationError as exc:
        entry.unmapped.append(_("municipality shares not kept: %(errors)s") % {"errors": "; ".join(exc.messages)})
        return False
    stale = [row for mid, row in rows.items() if row.share != shares[mid]]
    for row in stale:
        row.share = shares[row.municipality_id]
    ProjectLocation.objects.bulk_update(stale, ["share"])
    return bool(stale)


def _objectives_declare(project: Project, activity: ActivityData, entry: ActivityReport) -> bool:
    """Tags of vocabulary 99 whose URI is a plan's (what our export writes) declare its objectives; added,
    never taken away (dropping an objective is a decision on the project). True when any was added."""
    known = {(o.plan.uri, o.code.casefold()): o for o in PlanObjective.objects.select_related("plan").filter(
        plan__uri__in={uri for uri, _code in activity.objectives})}
    found = []
    for uri, code in activity.objectives:
        objective = known.get((uri, code.casefold()))
        if objective is None:
            entry.unmapped.append(_("tag %(code)s of vocabulary %(uri)s names no plan objective") % {
                "code": code, "uri": uri})
        else:
            found.append(objective)
    declared = set(project.plan_objectives.values_list("pk", flat=True))
    new = [o for o in dict.fromkeys(found) if o.pk not in declared]
    if new:
        project_plan_objectives_change(project=project, add=new)
    return bool(new)


def _sites(project: Project, mapped: list[tuple[LocationData, int | None]], resolver: Resolver, *,
           fresh: bool) -> bool:
    """Point locations that are places (not areas) become the project's sites, one per point: updated
    in place, added, or removed when the file no longer has them. True when anything changed."""
    wanted: dict[tuple[float, float], tuple[str, str, int | None]] = {}
    for location, municipality_id in mapped:
        if not location.is_site:
            continue
        lat, lon = round(location.point[0], 6), round(location.point[1], 6)
        # The polygon that holds the point is the surest; else the municipality the location named.
        inside = resolver.municipality_containing(lat, lon)
        wanted.setdefault((lat, lon), (location.name_ar[:250], location.name_en[:250],
                                       inside.pk if inside is not None else municipality_id))
    current = {} if fresh else {(round(s.point.y, 6), round(s.point.x, 6)): s for s in project.sites.all()}
    if {key: (s.name_ar, s.name_en, s.municipality_id) for key, s in current.items()} == wanted:
        return False
    project.sites.exclude(pk__in=[s.pk for key, s in current.items() if key in wanted]).delete()
    new = []
    for key, (name_ar, name_en, municipality_id) in wanted.items():
        site = current.get(key)
        if site is None:
            new.append(Site(project=project, name_ar=name_ar, name_en=name_en, municipality_id=municipality_id,
                            point=Point(key[1], key[0], srid=4326)))
        elif (site.name_ar, site.name_en, site.municipality_id) != (name_ar, name_en, municipality_id):
            site.name_ar, site.name_en, site.municipality_id = name_ar, name_en, municipality_id
            site.save(update_fields=["name_ar", "name_en", "municipality"])
    Site.objects.bulk_create(new)
    return True


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
