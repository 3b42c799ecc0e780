"""Reads that feed the duplicate engine and list its flags."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from coordination.analysis.duplicates import ProjectRecord
from coordination.models import DuplicateFlag
from municipalities.models import Municipality
from projects.models import (
    Participation,
    Project,
    ProjectLocation,
    ProjectSector,
    RelatedActivity,
    Site,
    Transaction,
)
from projects.money import to_usd
from projects.selectors import exchange_rate_table

_RELATION = {1: "parent", 2: "child", 3: "sibling", 4: "cofunded", 5: "third"}
_CHUNK = 5000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _by_project(queryset: QuerySet, ids: list[int] | None, fields: tuple[str, ...]) -> dict[int, list[tuple]]:
    """Rows of a project's child table grouped by project id, in a few queries whatever the size."""
    out: dict[int, list[tuple]] = defaultdict(list)
    batches = [None] if ids is None else list(_chunks(ids))
    for batch in batches:
        qs = queryset if batch is None else queryset.filter(project_id__in=batch)
        for row in qs.values_list("project_id", *fields):
            out[row[0]].append(row[1:])
    return out


def duplicate_records(project_ids: list[int] | None = None) -> tuple[list[ProjectRecord], dict[int, str]]:
    """Engine records for all projects (or the given ones), and each project's material digest
    (title, sectors, places, dates: what makes a reviewed pair worth a second look)."""
    projects = Project.objects.all() if project_ids is None else Project.objects.filter(pk__in=project_ids)
    rows = list(projects.values_list(
        "id", "title_ar", "title_en", "reporting_partner_id", "planned_start", "planned_end", "actual_start",
        "actual_end", "budget", "currency", "iati_identifier", "status",
    ))
    ids = None if project_ids is None else [r[0] for r in rows]
    participants = _by_project(Participation.objects.all(), ids, ("partner_id", "role", "activity_id"))
    sectors = _by_project(ProjectSector.objects.all(), ids, ("sector_id",))
    places = _by_project(ProjectLocation.objects.all(), ids, ("municipality_id",))
    sites = _by_project(Site.objects.all(), ids, ("point",))
    related = _by_project(RelatedActivity.objects.all(), ids, ("relation", "iati_identifier"))
    money = _by_project(
        Transaction.objects.exclude(provider_activity_id="", receiver_activity_id=""), ids,
        ("provider_activity_id", "receiver_activity_id"),
    )
    rates = exchange_rate_table()
    records, digests = [], {}
    for (pid, title_ar, title_en, partner, p_start, p_end, a_start, a_end, budget, currency, iati, status) in rows:
        links: list[tuple[str, str]] = []
        for _partner, _role, activity_id in participants.get(pid, ()):
            if activity_id and activity_id != iati:
                links.append(("participant", activity_id))
        for provider, receiver in money.get(pid, ()):
            if provider and provider != iati:
                links.append(("provider", provider))
            if receiver and receiver != iati:
                links.append(("receiver", receiver))
        for relation, ident in related.get(pid, ()):
            links.append((_RELATION.get(relation, "sibling"), ident))
        year = (p_start or a_start).year if (p_start or a_start) else None
        usd = to_usd(budget, currency, year, rates) if budget is not None and year else None
        sector_ids = frozenset(s for (s,) in sectors.get(pid, ()))
        municipality_ids = frozenset(m for (m,) in places.get(pid, ()))
        records.append(ProjectRecord(
            id=pid, title_ar=title_ar, title_en=title_en, reporting_partner=partner,
            participants=tuple((p, r) for p, r, _a in participants.get(pid, ())),
            sectors=sector_ids, municipalities=municipality_ids,
            sites=tuple((pt.x, pt.y) for (pt,) in sites.get(pid, ()) if pt is not None),
            start=a_start or p_start, end=a_end or p_end,
            budget_usd=float(usd) if usd is not None else None, iati_identifier=iati, links=tuple(links),
            status=status,
        ))
        material = "|".join([title_ar, title_en, ",".join(map(str, sorted(sector_ids))),
                             ",".join(map(str, sorted(municipality_ids))), str(p_start), str(p_end), str(a_start),
                             str(a_end)])
        digests[pid] = hashlib.sha256(material.encode()).hexdigest()[:32]
    return records, digests


def duplicate_candidate_ids(project_ids: list[int], *, max_gap_days: int = 730) -> list[int]:
    """The projects an incremental check must compare the given ones with, found in the database:
    those sharing a municipality (those without any, when a checked one has none) that also share
    a sector or a related one (or have none) and whose dates come within ``max_gap_days``; and
    those linked by identifiers, whatever their place. The engine's own blocks never pair projects
    of different municipalities, and it does not flag pairs further apart in time; pairs with no
    sector in common are left to the nightly full scan."""
    from datetime import timedelta

    from django.db.models import F, Max, Min
    from django.db.models.functions import Coalesce

    from municipalities.models import Sector

    checked = Project.objects.filter(pk__in=project_ids)
    municipality_ids = set(
        ProjectLocation.objects.filter(project_id__in=project_ids).values_list("municipality_id", flat=True)
    )
    sector_ids = set(ProjectSector.objects.filter(project_id__in=project_ids).values_list("sector_id", flat=True))
    if sector_ids:
        sector_ids |= set(Sector.related.through.objects.filter(from_sector_id__in=sector_ids)
                          .values_list("to_sector_id", flat=True))
    pool = set(project_ids)
    places = Project.objects.filter(locations__municipality_id__in=municipality_ids)
    if not municipality_ids or checked.filter(locations__isnull=True).exists():
        places = places | Project.objects.filter(locations__isnull=True)
    if sector_ids:
        places = places.filter(Q(sector_shares__sector_id__in=sector_ids) | Q(sector_shares__isnull=True))
    span = checked.aggregate(start=Min(Coalesce("actual_start", "planned_start")),
                             end=Max(Coalesce("actual_end", "planned_end")))
    if span["start"] and span["end"]:
        gap = timedelta(days=max_gap_days)
        places = places.annotate(
            start=Coalesce(F("actual_start"), F("planned_start")), end=Coalesce(F("actual_end"), F("planned_end")),
        ).exclude(end__lt=span["start"] - gap).exclude(start__gt=span["end"] + gap)
    pool.update(places.values_list("id", flat=True).distinct())

    idents = set(checked.exclude(iati_identifier=None).values_list("iati_identifier", flat=True))
    pointed = set(Participation.objects.filter(project_id__in=project_ids).exclude(activity_id="")
                  .values_list("activity_id", flat=True))
    pointed.update(RelatedActivity.objects.filter(project_id__in=project_ids).values_list("iati_identifier", flat=True))
    for provider, receiver in Transaction.objects.filter(project_id__in=project_ids).values_list(
            "provider_activity_id", "receiver_activity_id"):
        pointed.update(x for x in (provider, receiver) if x)
    if pointed:
        pool.update(Project.objects.filter(iati_identifier__in=pointed).values_list("id", flat=True))
    if idents:
        pool.update(Participation.objects.filter(activity_id__in=idents).values_list("project_id", flat=True))
        pool.update(RelatedActivity.objects.filter(iati_identifier__in=idents).values_list("project_id", flat=True))
        pool.update(Transaction.objects.filter(Q(provider_activity_id__in=idents) | Q(receiver_activity_id__in=idents))
                    .values_list("project_id", flat=True))
    return sorted(pool)


def municipality_place_names() -> dict[int, list[str]]:
    return {pk: [en, ar] for pk, en, ar in Municipality.objects.values_list("id", "name_en", "name_ar")}


def duplicate_flag_list() -> QuerySet[DuplicateFlag]:
    """Flags with both projects and their reporting partners joined (one query per page)."""
    return DuplicateFlag.objects.select_related(
        "project_a__reporting_partner", "project_b__reporting_partner", "decided_by", "counted_project",
    )
