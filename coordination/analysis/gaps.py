"""Coverage gaps: where active projects are, how much money, against what need. Pure Python, no ORM.

The services and commands feed plain records (:class:`MunicipalityIn`, :class:`ProjectIn`,
:class:`NeedIn`) and get a :class:`GapAnalysis` back.

Definitions
-----------
*Active on a date D*: status 2 (implementation) and started by D (actual start, else planned start,
when either is known) and not actually ended before D (actual end, when known). A planned end that
has passed does not make a project inactive: it is still working there, late, and the delay rules
flag it. For D = today this is the demo truth's ``active_statuses: [2]`` (every status-2 demo
project has started and has no actual end). Records the committee confirmed as a double report of
another (``duplicate_of``) are left out by the selectors so money is counted once.

*Money*: each project's budget in USD (converted by the caller with the staff-edited rates) is split
among its municipalities by their share when shares are given (normalised to their sum), else
equally, then among its sectors by percentage. A project with no convertible budget still counts
as present, with no money.

*Need* of a cell (municipality × sector): the latest assessment on or before D (severity 1–5,
people in need). The whole municipality's need is the highest severity and the largest people in
need among its sectors (sectoral needs of the same people overlap, so they are not added).

*Gap score* (0–1, rises with need, falls with coverage)::

    gap = n · exp(−u / R) · β^k

    n = severity / 5            (severity of the need; unknown_need_severity (2) where none is recorded)
    u = budget_usd / P          USD per person, P = people in need, else the population; u = 0 when
                                neither is known (money cannot be weighed, presence still counts)
    R = usd_per_person_reference (100 USD per person: that much money covers 1 − e⁻¹ ≈ 63 % of the gap)
    k = number of active projects, β = presence_factor (0.8: each project present takes 20 % off)

An unreached cell (k = 0, no money) scores exactly n.

*Unreached*: a municipality with no active project at all; a municipality × sector whose need
severity is at least ``need_severity_min`` (3) and where no active project works in that sector.

*Roll-ups* by district and region (and for each sector): sums of money, population and people in
need, distinct projects and partners, unreached municipalities, and the mean municipality gap score.
*Concentration* over municipalities: the Gini coefficient of their USD budgets (0 = even, 1 = all in
one) and the share of the money in the top 5 municipalities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from django.utils.translation import gettext

from coordination.analysis.delays import facts_fingerprint

ACTIVE_STATUS = 2
SEVERITY_MAX = 5


@dataclass(frozen=True, slots=True)
class GapSettings:
    need_severity_min: int = 3
    usd_per_person_reference: float = 100.0
    presence_factor: float = 0.8
    unknown_need_severity: int = 2
    top_n: int = 5

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> GapSettings:
        """From a settings dict; an unknown key is a mistake worth stopping for."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"Unknown gap settings: {', '.join(sorted(unknown))}")
        result = cls(**values)
        if not 1 <= result.need_severity_min <= SEVERITY_MAX or not 1 <= result.unknown_need_severity <= SEVERITY_MAX:
            raise ValueError("Severities are between 1 and 5.")
        if result.usd_per_person_reference <= 0 or not 0 < result.presence_factor <= 1:
            raise ValueError("usd_per_person_reference must be > 0 and presence_factor in (0, 1].")
        return result


@dataclass(frozen=True, slots=True)
class MunicipalityIn:
    id: int
    district_id: int
    region_id: int
    population: int | None = None
    displaced: int | None = None
    returnees: int | None = None


@dataclass(frozen=True, slots=True)
class ProjectIn:
    id: int
    status: int
    start: date | None  # actual start, else planned start
    end: date | None  # actual end (the planned end does not end activity)
    budget_usd: float | None
    partner_ids: tuple[int, ...]
    locations: tuple[tuple[int, float | None], ...]  # (municipality id, share % or None)
    sectors: tuple[tuple[int, float], ...]  # (sector id, percentage)


@dataclass(frozen=True, slots=True)
class NeedIn:
    municipality_id: int
    sector_id: int
    severity: int
    people_in_need: int | None
    assessed_on: date
    displaced: int | None = None
    returnees: int | None = None


@dataclass(slots=True)
class GapFigure:
    municipality_id: int
    sector_id: int | None  # None: the whole municipality
    district_id: int
    region_id: int
    active_projects: int
    partners: int
    budget_usd: float
    projects_without_budget: int
    population: int | None
    severity: int | None
    people_in_need: int | None
    displaced: int | None
    returnees: int | None
    need_assessed_on: date | None
    budget_per_capita: float | None  # USD per inhabitant
    budget_per_person_in_need: float | None
    gap_score: float
    unreached: bool


@dataclass(slots=True)
class AreaFigure:
    level: str  # "district" | "region" | "country"
    area_id: int | None
    sector_id: int | None
    municipalities: int
    unreached_municipalities: int
    active_projects: int
    partners: int
    budget_usd: float
    population: int
    people_in_need: int
    budget_per_capita: float | None
    gap_score: float  # mean of the municipalities' scores


@dataclass(slots=True)
class Concentration:
    sector_id: int | None
    gini: float
    top_share: float  # share of the money in the top ``top_n`` municipalities
    top_municipality_ids: list[int]
    total_usd: float


@dataclass(slots=True)
class GapAnalysis:
    on: date
    settings: GapSettings
    municipalities: list[GapFigure]
    cells: list[GapFigure]
    districts: list[AreaFigure]
    regions: list[AreaFigure]
    country: list[AreaFigure]
    concentration: list[Concentration]
    sectors_without_active_project: list[int]
    counts: dict[str, int] = field(default_factory=dict)

    def unreached_municipality_ids(self) -> set[int]:
        return {f.municipality_id for f in self.municipalities if f.unreached}

    def unreached_cells(self) -> set[tuple[int, int]]:
        return {(f.municipality_id, f.sector_id) for f in self.cells if f.unreached and f.sector_id is not None}


def is_active(project: ProjectIn, on: date) -> bool:
    return (
        project.status == ACTIVE_STATUS
        and (project.start is None or project.start <= on)
        and (project.end is None or project.end >= on)
    )


def gap_score(*, severity: int | None, people: int | None, budget_usd: float, projects: int,
              settings: GapSettings) -> float:
    """The formula of the module docstring, for one cell or municipality."""
    n = (severity or settings.unknown_need_severity) / SEVERITY_MAX
    money = math.exp(-(budget_usd / people) / settings.usd_per_person_reference) if people else 1.0
    return round(min(1.0, max(0.0, n * money * settings.presence_factor ** projects)), 6)


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values (0 when there is no money at all)."""
    ordered = sorted(v for v in values)
    n = len(ordered)
    total = sum(ordered)
    if n == 0 or total <= 0:
        return 0.0
    weighted = sum(i * v for i, v in enumerate(ordered, start=1))
    return round(2 * weighted / (n * total) - (n + 1) / n, 6)


def _fractions(pairs: Iterable[tuple[int, float | None]]) -> list[tuple[int, float]]:
    pairs = list(pairs)
    if not pairs:
        return []
    shares = [s for _, s in pairs]
    if all(s is not None and s > 0 for s in shares):
        total = float(sum(shares))  # type: ignore[arg-type]
        return [(key, float(s) / total) for key, s in pairs]  # type: ignore[arg-type]
    even = 1.0 / len(pairs)
    return [(key, even) for key, _ in pairs]


class _Acc:
    __slots__ = ("projects", "partners", "usd", "no_budget")

    def __init__(self) -> None:
        self.projects: set[int] = set()
        self.partners: set[int] = set()
        self.usd = 0.0
        self.no_budget = 0


def _latest_needs(needs: Iterable[NeedIn], on: date, wanted: set[int]) -> dict[tuple[int, int], NeedIn]:
    latest: dict[tuple[int, int], NeedIn] = {}
    for need in needs:
        if need.assessed_on > on or need.municipality_id not in wanted:
            continue
        key = (need.municipality_id, need.sector_id)
        held = latest.get(key)
        if held is None or (need.assessed_on, need.severity) > (held.assessed_on, held.severity):
            latest[key] = need
    return latest


def _max_known(values: Iterable[int | None]) -> int | None:
    return max((v for v in values if v is not None), default=None)


def _per(amount: float, people: int | None) -> float | None:
    return round(amount / people, 4) if people else None


def gap_analysis(*, municipalities: Iterable[MunicipalityIn], sector_ids: Iterable[int],
                 projects: Iterable[ProjectIn], needs: Iterable[NeedIn], on: date,
                 settings: GapSettings | None = None) -> GapAnalysis:
    """Figures for each municipality and each municipality × sector, roll-ups and concentration.

    Only the municipalities given get figures; a project's money is still split over all its
    municipalities (so a re-check of a few municipalities gives the same figures as a full run).
    """
    cfg = settings or GapSettings()
    munis = {m.id: m for m in municipalities}
    sectors = sorted(set(sector_ids))
    muni_acc: dict[int, _Acc] = {m: _Acc() for m in munis}
    cell_acc: dict[tuple[int, int], _Acc] = {}
    active_count = 0
    for p in projects:
        if not is_active(p, on):
            continue
        locs = [(m, f) for m, f in _fractions(p.locations) if m in munis]
        if not locs:
            continue
        active_count += 1
        secs = _fractions(p.sectors)
        usd = p.budget_usd
        for m, mf in locs:
            acc = muni_acc[m]
            acc.projects.add(p.id)
            acc.partners.update(p.partner_ids)
            if usd is None:
                acc.no_budget += 1
            else:
                acc.usd += usd * mf
            for s, sf in secs:
                cell = cell_acc.get((m, s))
                if cell is None:
                    cell = cell_acc[(m, s)] = _Acc()
                cell.projects.add(p.id)
                cell.partners.update(p.partner_ids)
                if usd is None:
                    cell.no_budget += 1
                else:
                    cell.usd += usd * mf * sf

    latest = _latest_needs(needs, on, set(munis))
    empty = _Acc()
    threshold = cfg.need_severity_min
    cells: list[GapFigure] = []
    muni_needs: dict[int, list[NeedIn]] = {}
    for (m, _s), need in latest.items():
        muni_needs.setdefault(m, []).append(need)
    for m_id, m in munis.items():
        for s in sectors:
            acc = cell_acc.get((m_id, s), empty)
            need = latest.get((m_id, s))
            k = len(acc.projects)
            severity = need.severity if need else None
            pin = need.people_in_need if need and need.people_in_need else None
            people = pin or m.population or None
            cells.append(GapFigure(
                municipality_id=m_id, sector_id=s, district_id=m.district_id, region_id=m.region_id,
                active_projects=k, partners=len(acc.partners), budget_usd=round(acc.usd, 2),
                projects_without_budget=acc.no_budget, population=m.population, severity=severity,
                people_in_need=pin, displaced=need.displaced if need else None,
                returnees=need.returnees if need else None, need_assessed_on=need.assessed_on if need else None,
                budget_per_capita=_per(acc.usd, m.population), budget_per_person_in_need=_per(acc.usd, pin),
                gap_score=gap_score(severity=severity, people=people, budget_usd=acc.usd, projects=k, settings=cfg),
                unreached=k == 0 and severity is not None and severity >= threshold,
            ))

    figures: list[GapFigure] = []
    for m_id, m in munis.items():
        acc = muni_acc[m_id]
        own = muni_needs.get(m_id, [])
        severity = max((n.severity for n in own), default=None)
        pin = max((n.people_in_need or 0 for n in own), default=0) or None
        displaced = m.displaced if m.displaced is not None else _max_known(n.displaced for n in own)
        returnees = m.returnees if m.returnees is not None else _max_known(n.returnees for n in own)
        k = len(acc.projects)
        figures.append(GapFigure(
            municipality_id=m_id, sector_id=None, district_id=m.district_id, region_id=m.region_id,
            active_projects=k, partners=len(acc.partners), budget_usd=round(acc.usd, 2),
            projects_without_budget=acc.no_budget, population=m.population, severity=severity, people_in_need=pin,
            displaced=displaced, returnees=returnees,
            need_assessed_on=max((n.assessed_on for n in own), default=None),
            budget_per_capita=_per(acc.usd, m.population), budget_per_person_in_need=_per(acc.usd, pin),
            gap_score=gap_score(severity=severity, people=pin or m.population or None, budget_usd=acc.usd,
                                projects=k, settings=cfg),
            unreached=k == 0,
        ))

    sets = {(m, None): muni_acc[m] for m in munis}
    sets.update({(m, s): a for (m, s), a in cell_acc.items()})
    districts = _rollup("district", lambda f: f.district_id, figures, cells, sets)
    regions = _rollup("region", lambda f: f.region_id, figures, cells, sets)
    country = _rollup("country", lambda f: None, figures, cells, sets)
    concentration = [_concentration(None, figures, cfg.top_n)]
    by_sector: dict[int, list[GapFigure]] = {}
    for c in cells:
        by_sector.setdefault(c.sector_id, []).append(c)  # type: ignore[arg-type]
    concentration += [_concentration(s, by_sector.get(s, []), cfg.top_n) for s in sectors]
    reached_sectors = {s for (_, s), a in cell_acc.items() if a.projects}
    result = GapAnalysis(
        on=on, settings=cfg, municipalities=figures, cells=cells, districts=districts, regions=regions,
        country=country, concentration=concentration,
        sectors_without_active_project=[s for s in sectors if s not in reached_sectors],
    )
    result.counts = {
        "municipalities": len(figures), "sectors": len(sectors), "active_projects": active_count,
        "unreached_municipalities": sum(f.unreached for f in figures),
        "unreached_municipality_sectors": sum(c.unreached for c in cells),
    }
    return result


def _rollup(level: str, area_of: Callable[[GapFigure], int | None], figures: list[GapFigure], cells: list[GapFigure],
            sets: dict[tuple[int, int | None], _Acc]) -> list[AreaFigure]:
    groups: dict[tuple[int | None, int | None], list[GapFigure]] = {}
    for f in figures:
        groups.setdefault((area_of(f), None), []).append(f)
    for c in cells:
        groups.setdefault((area_of(c), c.sector_id), []).append(c)
    muni_unreached = {f.municipality_id: f.unreached for f in figures}
    out = []
    for (area, sector), members in sorted(groups.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1] or 0)):
        projects: set[int] = set()
        partners: set[int] = set()
        for f in members:
            acc = sets.get((f.municipality_id, sector))
            if acc is not None:
                projects |= acc.projects
                partners |= acc.partners
        usd = sum(f.budget_usd for f in members)
        population = sum(f.population or 0 for f in members)
        out.append(AreaFigure(
            level=level, area_id=area, sector_id=sector, municipalities=len(members),
            unreached_municipalities=sum(muni_unreached[f.municipality_id] for f in members),
            active_projects=len(projects), partners=len(partners), budget_usd=round(usd, 2),
            population=population, people_in_need=sum(f.people_in_need or 0 for f in members),
            budget_per_capita=_per(usd, population),
            gap_score=round(sum(f.gap_score for f in members) / len(members), 6),
        ))
    return out


def _concentration(sector_id: int | None, figures: list[GapFigure], top_n: int) -> Concentration:
    amounts = sorted(((f.budget_usd, f.municipality_id) for f in figures), reverse=True)
    total = sum(a for a, _ in amounts)
    top = [(a, m) for a, m in amounts[:top_n] if a > 0]
    return Concentration(
        sector_id=sector_id, gini=gini(a for a, _ in amounts),
        top_share=round(sum(a for a, _ in top) / total, 6) if total > 0 else 0.0,
        top_municipality_ids=[m for _, m in top], total_usd=round(total, 2),
    )


# -- flags: what is unreached, and why ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GapFinding:
    municipality_id: int
    sector_id: int | None
    score: float
    severity: int | None
    people_in_need: int | None
    params: dict[str, Any]

    @property
    def code(self) -> str:
        return "no_active_project" if self.sector_id is None else "need_without_project"

    @property
    def fingerprint(self) -> str:
        """The facts a decision is about: the place, and the need (severity, people in need to two
        significant figures, so a small revision of the count does not reopen a decided flag)."""
        return facts_fingerprint(("gap", self.municipality_id, self.sector_id, self.severity,
                                  _two_figures(self.people_in_need)))

    def reason(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


def _two_figures(value: int | None) -> int | None:
    if not value:
        return value
    digits = len(str(int(value)))
    return int(round(value, -max(0, digits - 2)))


def gap_findings(analysis: GapAnalysis) -> list[GapFinding]:
    """One finding per unreached municipality and per unreached municipality × sector."""
    out = []
    for f in analysis.municipalities + analysis.cells:
        if not f.unreached:
            continue
        params: dict[str, Any] = {"severity": f.severity, "people_in_need": f.people_in_need,
                                  "population": f.population,
                                  "assessed_on": f.need_assessed_on.isoformat() if f.need_assessed_on else None}
        if f.sector_id is not None:
            params["threshold"] = analysis.settings.need_severity_min
        out.append(GapFinding(f.municipality_id, f.sector_id, f.gap_score, f.severity, f.people_in_need, params))
    return out


def gap_reason_text(reason: Mapping[str, Any]) -> str:
    params = dict(reason.get("params") or {})
    if reason.get("code") == "need_without_project":
        text = gettext("No active project in this sector, where the need is of severity %(severity)s "
                       "(the threshold is %(threshold)s).") % {"severity": params.get("severity"),
                                                               "threshold": params.get("threshold")}
    else:
        text = gettext("No active project in this municipality.")
    if params.get("people_in_need"):
        text += " " + gettext("People in need: %(people)s.") % {"people": params["people_in_need"]}
    return text
