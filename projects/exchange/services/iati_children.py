"""The rows an IATI activity brings beside its project: participations, sector lines, municipalities and their
shares, sites, transactions (with their own sectors), related activities and declared plan objectives, each
brought in line with the file and reported as the change categories that moved."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from municipalities.models import PlanObjective
from projects.events import OBJECTIVES, RELATED_CATEGORIES
from projects.exchange.formats.iati_read import ActivityData, LocationData
from projects.exchange.selectors.matching import GENERIC_REFS, Resolver
from projects.exchange.services.iati_report import ActivityReport
from projects.models import (
    Participation,
    Project,
    ProjectLocation,
    ProjectSector,
    RelatedActivity,
    Site,
    Transaction,
    validate_location_shares,
)
from projects.services.projects import project_plan_objectives_change

CENT = Decimal("0.01")


def activity_children_write(project: Project, activity: ActivityData, resolver: Resolver, entry: ActivityReport,
                            *, fresh: bool) -> set[str]:
    """Bring participations, sectors, municipalities, transactions and related activities in line with the file."""
    changed: set[str] = set()
    for write in (_participations, _sector_lines, _places, _transactions, _related):
        changed |= write(project, activity, resolver, entry, fresh=fresh)
    if activity.objectives and _objectives_declare(project, activity, entry):
        changed.add(OBJECTIVES)
    return changed


def _participations(project: Project, activity: ActivityData, resolver: Resolver, entry: ActivityReport, *,
        fresh: bool) -> set[str]:
    """Participations: one row per (partner, role); the first activity-id given wins."""
    changed: set[str] = set()
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
    return changed


def _sector_lines(project: Project, activity: ActivityData, resolver: Resolver, entry: ActivityReport, *,
        fresh: bool) -> set[str]:
    """Sectors: one line per line of the file, with the DAC code it came with (lines of one national
    sector, even of one code, are not merged: exported again, they come out as received)."""
    changed: set[str] = set()
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
    return changed


def _places(project: Project, activity: ActivityData, resolver: Resolver, entry: ActivityReport, *,
        fresh: bool) -> set[str]:
    """Municipalities (a share staff entered stays while the municipality stays), their shares and the sites."""
    changed: set[str] = set()
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
    return changed


def _transactions(project: Project, activity: ActivityData, resolver: Resolver, entry: ActivityReport, *,
        fresh: bool) -> set[str]:
    """Transactions, compared as a multiset, each with its own sectors."""
    changed: set[str] = set()
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
    return changed


def _related(project: Project, activity: ActivityData, resolver: Resolver, entry: ActivityReport, *,
        fresh: bool) -> set[str]:
    """Related activities (``related_project`` is linked once every activity of the import is saved)."""
    changed: set[str] = set()
    current_rel = set() if fresh else set(project.related_activities.values_list("relation", "iati_identifier"))
    if current_rel != set(activity.related):
        project.related_activities.exclude(
            pk__in=[r.pk for r in project.related_activities.all() if (r.relation, r.iati_identifier) in activity.related]
        ).delete()
        RelatedActivity.objects.bulk_create(
            RelatedActivity(project=project, relation=relation, iati_identifier=ref)
            for relation, ref in activity.related if (relation, ref) not in current_rel)
        changed |= RELATED_CATEGORIES[RelatedActivity]
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
