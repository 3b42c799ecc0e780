"""Reads that feed the duplicate engine and list its flags."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from coordination.analysis.duplicates import BROAD_DAC_CODES, ProjectRecord
from coordination.analysis.duplicates.learning import Decision
from coordination.models import AnalysisRun, DuplicateBlockKey, DuplicateFlag, DuplicateKindThreshold, FlagStatus
from municipalities.gazetteer import gazetteer
from municipalities.models import DacSector
from projects.models import (
    Participation,
    Project,
    ProjectLocation,
    ProjectSector,
    RelatedActivity,
    Site,
    Transaction,
)
from projects.money import RateTable, to_usd
from projects.permissions import user_oversees
from projects.selectors.money import exchange_rate_table
from projects.selectors.projects import projects_counted_for

_RELATION = {1: "parent", 2: "child", 3: "sibling", 4: "cofunded", 5: "third"}
_CHUNK = 5000


def _chunks(ids: list) -> Iterable[list]:
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


def duplicate_records(project_ids: list[int] | None = None, *, rates: RateTable | None = None,
                      broad: frozenset[int] | None = None) -> tuple[list[ProjectRecord], dict[int, str]]:
    """Engine records for all projects (or the given ones), and each project's material digest
    (title, sectors, places, dates: what makes a reviewed pair worth a second look). ``rates``: the
    exchange rate table, and ``broad``: ``duplicate_broad_sectors()``, when the caller has them already."""
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
    rates = exchange_rate_table() if rates is None else rates
    broad = duplicate_broad_sectors() if broad is None else broad
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
            status=status, broad_sectors=sector_ids & broad,
        ))
        material = "|".join([title_ar, title_en, ",".join(map(str, sorted(sector_ids))),
                             ",".join(map(str, sorted(municipality_ids))), str(p_start), str(p_end), str(a_start),
                             str(a_end)])
        digests[pid] = hashlib.sha256(material.encode()).hexdigest()[:32]
    return records, digests


def duplicate_broad_sectors() -> frozenset[int]:
    """The national sectors a broad DAC code lands on (``BROAD_DAC_CODES``): a record in one of them
    may be a funder's umbrella record of precise work in another sector."""
    return frozenset(DacSector.objects.filter(code__in=BROAD_DAC_CODES).values_list("sector_id", flat=True))


def duplicate_block_mates(probe_keys: Iterable[str]) -> set[int]:
    """The projects whose stored blocks meet these probe keys (``DuplicateIndex.block_keys``): the
    candidates of the record the keys are of, found through the key index without preparing the
    other projects of its municipalities."""
    keys = sorted({DuplicateBlockKey.fit(k) for k in probe_keys})
    found: set[int] = set()
    for batch in _chunks(keys):
        found.update(DuplicateBlockKey.objects.filter(key__in=batch).values_list("project_id", flat=True).distinct())
    return found


DUPLICATE_DECIDED = (FlagStatus.CONFIRMED, FlagStatus.RELATED, FlagStatus.DISMISSED)


def duplicate_decisions() -> list[Decision]:
    """Every decided duplicate flag as a decision for the learned thresholds: confirmed is a
    duplicate; related (a phase, a co-funded part) and dismissed are not."""
    return [Decision(kind=kind, score=score, duplicate=status == FlagStatus.CONFIRMED)
            for kind, score, status in DuplicateFlag.objects.filter(status__in=DUPLICATE_DECIDED)
            .values_list("kind", "score", "status")]


def duplicate_kind_thresholds() -> dict[str, float]:
    return dict(DuplicateKindThreshold.objects.values_list("kind", "threshold"))


def duplicate_decided_pairs(project_ids: list[int] | None = None) -> set[tuple[int, int]]:
    """The pairs a reviewer decided (of these projects, or all): the learned thresholds never hide them."""
    flags = DuplicateFlag.objects.filter(status__in=DUPLICATE_DECIDED)
    if project_ids is not None:
        flags = flags.filter(Q(project_a_id__in=project_ids) | Q(project_b_id__in=project_ids))
    return set(flags.values_list("project_a_id", "project_b_id"))


def duplicate_latest_full_counts() -> dict:
    """The counts of the latest successful full scan (its stored blocks, its learned thresholds)."""
    return (AnalysisRun.objects.filter(kind=AnalysisRun.Kind.DUPLICATES, mode=AnalysisRun.Mode.FULL,
                                       status=AnalysisRun.Status.SUCCEEDED)
            .order_by("-started_at").values_list("counts", flat=True).first()) or {}


def duplicate_blocks_stored_up_to() -> int:
    """The last project id the latest successful full scan stored the blocks of: every project up to
    it has its blocks stored (a check keeps those of the projects it checks), so only later ones can
    be missing. 0 before any such scan."""
    return int(duplicate_latest_full_counts().get("blocks_up_to_project", 0))


def duplicate_unkeyed_projects(*, municipality_ids: Iterable[int], national: bool, after_id: int = 0) -> set[int]:
    """Projects (with an id above ``after_id``) whose blocks are not stored (loaded in bulk since the
    last full scan, or before the first), in these municipalities or, when ``national``, without
    any: they could be anyone's candidates, so an incremental check compares them (and stores their
    blocks)."""
    municipality_ids = list(municipality_ids)
    found: set[int] = set()
    if municipality_ids:
        found.update(ProjectLocation.objects.filter(municipality_id__in=municipality_ids, project_id__gt=after_id)
                     .filter(~Exists(DuplicateBlockKey.objects.filter(project_id=OuterRef("project_id"))))
                     .values_list("project_id", flat=True))
    if national:
        found.update(Project.objects.filter(
            ~Exists(ProjectLocation.objects.filter(project_id=OuterRef("pk"))),
            ~Exists(DuplicateBlockKey.objects.filter(project_id=OuterRef("pk"))),
            pk__gt=after_id,
        ).values_list("pk", flat=True))
    return found


def duplicate_projects_identified(identifiers: Iterable[str]) -> set[int]:
    """The projects with these IATI identifiers (what a checked record's links point at), whether or
    not their blocks are stored."""
    found: set[int] = set()
    for batch in _chunks(sorted(set(identifiers))):
        found.update(Project.objects.filter(iati_identifier__in=batch).values_list("pk", flat=True))
    return found


def municipality_place_names() -> dict[int, list[str]]:
    """Each municipality's names as the gazetteer knows them (its English and Arabic names first, then the
    other spellings of OCHA, the ministry and staff), for taking place names out of titles."""
    return gazetteer().municipality_names()


def duplicate_flag_list() -> QuerySet[DuplicateFlag]:
    """Flags with both projects and their reporting partners joined (one query per page)."""
    return DuplicateFlag.objects.select_related(
        "project_a__reporting_partner", "project_b__reporting_partner", "decided_by", "counted_project",
    )


def duplicate_flags_visible_to(user: Any, flags: QuerySet[DuplicateFlag]) -> QuerySet[DuplicateFlag]:
    """``flags`` narrowed to the pairs ``user`` may read: every pair for ministry staff; for a focal
    point only pairs whose two projects are both among ``projects_counted_for`` (a flag names both
    records, and its score is the pair's alone)."""
    if user_oversees(user):
        return flags
    visible = projects_counted_for(user).values("pk")
    return flags.filter(project_a__in=visible, project_b__in=visible)
