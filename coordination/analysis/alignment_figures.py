"""What the alignment engine's links mean for the committee: each municipality's priority objectives
funded, partly funded or unfunded; the shares of money and projects aligned with an approved plan by
partner, sector and region; and the alignment findings the flags are made from. Pure Python."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from coordination.analysis.alignment import Alignment, AlignmentSettings, ObjectiveIn, ProjectIn

FUNDED, PARTLY, UNFUNDED = "funded", "partly", "unfunded"
OUTSIDE, PRIORITY_UNFUNDED, CONCENTRATED = "outside_plans", "priority_unfunded", "concentrated_outside_priorities"


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PriorityState:
    municipality_id: int
    objective_id: int
    rank: int
    state: str  # funded / partly / unfunded
    projects: int
    usd: float
    cost_usd: float | None


def municipality_priorities(objectives: Iterable[ObjectiveIn], alignment: Alignment,
                            settings: AlignmentSettings) -> dict[int, list[PriorityState]]:
    """For each municipality with an approved plan: its top priorities and whether they are funded.
    Without a cost, an objective with an active project is funded."""
    out: dict[int, list[PriorityState]] = defaultdict(list)
    for o in objectives:
        if not (o.approved and o.plan_municipality_id and o.priority_rank and o.priority_rank <= settings.priority_top):
            continue
        f = alignment.funding.get(o.id)
        projects, usd = (f.projects, f.usd) if f else (0, 0.0)
        if projects == 0:
            state = UNFUNDED
        elif o.cost_usd and usd < settings.funded_ratio * o.cost_usd:
            state = PARTLY
        else:
            state = FUNDED
        out[o.plan_municipality_id].append(PriorityState(o.plan_municipality_id, o.id, o.priority_rank, state,
                                                         projects, usd, o.cost_usd))
    for states in out.values():
        states.sort(key=lambda s: (s.rank, s.objective_id))
    return dict(out)


@dataclass(frozen=True, slots=True)
class AlignmentFinding:
    kind: str
    key: tuple[Any, ...]  # (project, objective, municipality)
    score: float
    reasons: list[dict[str, Any]]
    fingerprint: str
    share_outside: float | None = None


def _outside(projects: Iterable[ProjectIn], alignment: Alignment, settings: AlignmentSettings) -> list[AlignmentFinding]:
    out = []
    for p in projects:
        best = alignment.best_score.get(p.id, 0.0)
        if not p.active or best >= settings.outside_threshold:
            continue
        out.append(AlignmentFinding(
            OUTSIDE, (p.id, None, None), round(1 - best, 4),
            [{"code": "outside_plans", "params": {"best": round(best, 2)},
              "en": f"No objective of an approved plan fits (best score {best:.2f}).",
              "ar": f"لا يناسبه أي هدف من خطة معتمدة (أعلى درجة {best:.2f})."}],
            _digest(OUTSIDE, p.id, tuple(sorted(s for s, _ in p.sectors)), tuple(sorted(alignment.links.get(p.id, ())))),
        ))
    return out


def _unfunded(priorities: Mapping[int, list[PriorityState]]) -> list[AlignmentFinding]:
    out = []
    for m, states in priorities.items():
        for s in states:
            if s.state != UNFUNDED:
                continue
            out.append(AlignmentFinding(
                PRIORITY_UNFUNDED, (None, s.objective_id, m), round(1 - (s.rank - 1) * 0.2, 4) if s.rank <= 5 else 0.1,
                [{"code": "priority_unfunded", "params": {"rank": s.rank},
                  "en": f"Priority {s.rank} of the municipality's plan has no active project.",
                  "ar": f"الأولوية {s.rank} في خطة البلدية بلا مشروع قائم."}],
                _digest(PRIORITY_UNFUNDED, m, s.objective_id, s.rank),
            ))
    return out


def _concentrated(objectives: Iterable[ObjectiveIn], projects: Iterable[ProjectIn], settings: AlignmentSettings,
                  planned: set[int]) -> list[AlignmentFinding]:
    priority_sectors: dict[int, set[int]] = defaultdict(set)
    for o in objectives:
        if o.approved and o.plan_municipality_id and o.priority_rank and o.priority_rank <= settings.priority_top:
            priority_sectors[o.plan_municipality_id].update(o.sector_ids)
    total: dict[int, float] = defaultdict(float)
    outside: dict[int, float] = defaultdict(float)
    for p in projects:
        if not p.active or not p.budget_usd:
            continue
        for m, part in p.municipality_shares().items():
            if m not in planned:
                continue
            money = p.budget_usd * part
            total[m] += money
            in_priority = sum(pct for s, pct in p.sectors if s in priority_sectors.get(m, ())) / 100
            outside[m] += money * max(0.0, 1 - min(1.0, in_priority))
    out = []
    for m, money in total.items():
        if money < settings.concentrated_min_usd:
            continue
        share = outside[m] / money
        if share <= settings.concentrated_share:
            continue
        pct = round(100 * share)
        out.append(AlignmentFinding(
            CONCENTRATED, (None, None, m), round(share, 4),
            [{"code": "concentrated_outside_priorities", "params": {"share": round(share, 3)},
              "en": f"{pct}% of the municipality's money goes outside its plan's priority sectors.",
              "ar": f"{pct}٪ من أموال البلدية خارج القطاعات ذات الأولوية في خطتها."}],
            _digest(CONCENTRATED, m, pct // 5), share_outside=round(share, 4),
        ))
    return out


def project_findings(*, objectives: list[ObjectiveIn], projects: list[ProjectIn], alignment: Alignment,
                     settings: AlignmentSettings) -> list[AlignmentFinding]:
    """The flags of single projects (outside every approved plan): each depends on its project alone."""
    # Until an approved plan is loaded, no project can be "outside" one: nothing to flag yet.
    return _outside(projects, alignment, settings) if any(o.approved for o in objectives) else []


def municipality_findings(*, objectives: list[ObjectiveIn], projects: list[ProjectIn], alignment: Alignment,
                          settings: AlignmentSettings, only: set[int] | None = None) -> list[AlignmentFinding]:
    """The flags of municipalities (priority unfunded, money concentrated outside the priorities), for the
    municipalities of ``only`` (None: all). ``projects`` must hold every project located in them and every
    project linked to their plans' objectives, and ``alignment`` those projects' links and the funding."""
    priorities = municipality_priorities(objectives, alignment, settings)
    planned = {o.plan_municipality_id for o in objectives if o.approved and o.plan_municipality_id}
    if only is not None:
        priorities = {m: states for m, states in priorities.items() if m in only}
        planned &= only
    return [*_unfunded(priorities), *_concentrated(objectives, projects, settings, planned)]


def alignment_findings(*, objectives: list[ObjectiveIn], projects: list[ProjectIn], alignment: Alignment,
                       settings: AlignmentSettings) -> list[AlignmentFinding]:
    """The three kinds of alignment flag, from one analysis."""
    return [*project_findings(objectives=objectives, projects=projects, alignment=alignment, settings=settings),
            *municipality_findings(objectives=objectives, projects=projects, alignment=alignment, settings=settings)]


@dataclass(slots=True)
class Share:
    usd: float = 0.0
    usd_aligned: float = 0.0
    projects: int = 0
    projects_aligned: int = 0

    @property
    def money_share(self) -> float | None:
        return None if not self.usd else round(self.usd_aligned / self.usd, 4)

    @property
    def project_share(self) -> float | None:
        return None if not self.projects else round(self.projects_aligned / self.projects, 4)


def aligned_shares(*, projects: Iterable[ProjectIn], aligned: set[int],
                   region_of: Mapping[int, int]) -> dict[str, dict[Any, Share]]:
    """Shares of money and projects aligned with an approved plan, by partner, sector and region.
    A project counts once per partner (whole); its money splits by sector percentages and by
    municipality shares (to their regions); a project counts once in each sector and region it has."""
    by: dict[str, dict[Any, Share]] = {"partner": defaultdict(Share), "sector": defaultdict(Share),
                                       "region": defaultdict(Share), "all": defaultdict(Share)}
    for p in projects:
        is_aligned = p.id in aligned
        usd = p.budget_usd or 0.0

        def add(group: str, key: Any, money: float, p_aligned: bool = is_aligned) -> None:
            s = by[group][key]
            s.usd += money
            s.projects += 1
            if p_aligned:
                s.usd_aligned += money
                s.projects_aligned += 1

        add("all", None, usd)
        for partner in set(p.partner_ids):
            add("partner", partner, usd)
        for sector, pct in p.sectors:
            add("sector", sector, usd * pct / 100)
        regions: dict[int, float] = defaultdict(float)
        for m, part in p.municipality_shares().items():
            if m in region_of:
                regions[region_of[m]] += part
        for region, part in regions.items():
            add("region", region, usd * part)
    return {k: dict(v) for k, v in by.items()}
