"""Reads that feed the alignment engine: plain records in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from coordination.analysis.alignment import CONFIRMED, LinkIn, ObjectiveIn, ProjectIn, sdg_goals
from coordination.models import AlignmentPlace, ObjectiveLink
from municipalities.models import Municipality, PlanObjective, Sector
from projects.models import Participation, Project, ProjectLocation, ProjectSector
from projects.money import to_usd
from projects.selectors.money import exchange_rate_table


@dataclass
class AlignmentInputs:
    objectives: list[ObjectiveIn]
    projects: list[ProjectIn]
    decisions: list[LinkIn]
    sector_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    region_of: dict[int, int] = field(default_factory=dict)


def _usd(amount, currency: str, year: int, rates) -> float | None:
    converted = to_usd(amount, currency, year, rates)
    return None if converted is None else float(converted)


def alignment_objectives(rates=None) -> list[ObjectiveIn]:
    """Every objective of every plan (three queries)."""
    rates = rates if rates is not None else exchange_rate_table()
    sectors: dict[int, list[int]] = {}
    for o_id, s_id in PlanObjective.sectors.through.objects.values_list("planobjective_id", "sector_id"):
        sectors.setdefault(o_id, []).append(s_id)
    places: dict[int, list[int]] = {}
    for o_id, m_id in PlanObjective.municipalities.through.objects.values_list("planobjective_id", "municipality_id"):
        places.setdefault(o_id, []).append(m_id)
    out = []
    for (o_id, plan_id, status, muni, plan_sector, start_year, code, t_ar, t_en, d_ar, d_en, lead, sdg, cost,
         currency, rank, parent) in PlanObjective.objects.order_by("id").values_list(
            "id", "plan_id", "plan__status", "plan__municipality_id", "plan__sector_id", "plan__start_year", "code",
            "title_ar", "title_en", "description_ar", "description_en", "sector_id", "sdg_targets", "cost_estimate",
            "currency", "priority_rank", "parent_id"):
        sector_ids = set(sectors.get(o_id, ())) | ({lead} if lead else set())
        out.append(ObjectiveIn(
            id=o_id, plan_id=plan_id, approved=status == "approved", plan_municipality_id=muni, code=code,
            title_ar=t_ar, title_en=t_en, description_ar=d_ar, description_en=d_en, sector_ids=tuple(sorted(sector_ids)),
            sdg_goals=sdg_goals(sdg or ()), municipality_ids=tuple(sorted(places.get(o_id, ()))),
            cost_usd=_usd(cost, currency, start_year, rates) if cost is not None else None,
            priority_rank=rank, parent_id=parent, plan_sector_id=plan_sector,
        ))
    return out


def alignment_projects(projects: QuerySet[Project] | None = None, rates=None) -> list[ProjectIn]:
    """The projects the engine reads (records confirmed as a double report of another left out)."""
    rates = rates if rates is not None else exchange_rate_table()
    qs = (Project.objects.all() if projects is None else projects).filter(duplicate_of__isnull=True)
    ids = qs.values("id")
    locations: dict[int, list[tuple[int, float | None]]] = {}
    for p_id, m_id, share in ProjectLocation.objects.filter(project_id__in=ids).values_list(
            "project_id", "municipality_id", "share"):
        locations.setdefault(p_id, []).append((m_id, float(share) if share is not None else None))
    sectors: dict[int, list[tuple[int, float]]] = {}
    for p_id, s_id, pct in ProjectSector.objects.filter(project_id__in=ids).values_list(
            "project_id", "sector_id", "percentage"):
        sectors.setdefault(p_id, []).append((s_id, float(pct)))
    partners: dict[int, set[int]] = {}
    for p_id, partner_id in Participation.objects.filter(project_id__in=ids).values_list("project_id", "partner_id"):
        partners.setdefault(p_id, set()).add(partner_id)
    this_year = dt.date.today().year
    out = []
    for (p_id, status, t_ar, t_en, d_ar, d_en, budget, currency, start, reporter, sdg) in qs.order_by(
            "id").values_list("id", "status", "title_ar", "title_en", "description_ar", "description_en", "budget",
                              "currency", "planned_start", "reporting_partner_id", "sdg_tags"):
        out.append(ProjectIn(
            id=p_id, status=status, title_ar=t_ar, title_en=t_en, description_ar=d_ar, description_en=d_en,
            budget_usd=_usd(budget, currency, start.year if start else this_year, rates) if budget is not None else None,
            partner_ids=tuple(sorted(partners.get(p_id, set()) | {reporter})),
            locations=tuple(locations.get(p_id, ())), sectors=tuple(sectors.get(p_id, ())),
            sdg_goals=sdg_goals(sdg or ()),
        ))
    return out


def alignment_decisions(project_ids: Iterable[int] | None = None) -> list[LinkIn]:
    """People's decisions: links confirmed or rejected, and the objectives projects declare themselves
    (``Project.plan_objectives``), which count as confirmed unless a link was rejected (of the projects of
    ``project_ids``; None: of all)."""
    links = ObjectiveLink.objects.exclude(status=ObjectiveLink.Status.SUGGESTED)
    declared = Project.plan_objectives.through.objects.all()
    if project_ids is not None:
        ids = list(project_ids)
        links, declared = links.filter(project_id__in=ids), declared.filter(project_id__in=ids)
    decided = {(p, o): s for p, o, s in links.values_list("project_id", "objective_id", "status")}
    for p, o in declared.values_list("project_id", "planobjective_id"):
        decided.setdefault((p, o), CONFIRMED)
    return [LinkIn(p, o, s) for (p, o), s in sorted(decided.items())]


def alignment_stored_links(project_ids: Iterable[int]) -> dict[int, set[int]]:
    """The objectives each project serves as the last run and people left them: links suggested or
    confirmed, and the declared objectives, less the rejected links (what a full run's links are)."""
    ids = list(project_ids)
    rejected: set[tuple[int, int]] = set()
    out: dict[int, set[int]] = {}
    for p, o, status in ObjectiveLink.objects.filter(project_id__in=ids).values_list(
            "project_id", "objective_id", "status"):
        if status == ObjectiveLink.Status.REJECTED:
            rejected.add((p, o))
        else:
            out.setdefault(p, set()).add(o)
    for p, o in Project.plan_objectives.through.objects.filter(project_id__in=ids).values_list(
            "project_id", "planobjective_id"):
        if (p, o) not in rejected:
            out.setdefault(p, set()).add(o)
    return out


def alignment_linked_objectives(project_ids: Iterable[int]) -> set[int]:
    """The objectives the projects are linked to now (any status, declared ones too)."""
    ids = list(project_ids)
    return (set(ObjectiveLink.objects.filter(project_id__in=ids).values_list("objective_id", flat=True))
            | set(Project.plan_objectives.through.objects.filter(project_id__in=ids)
                  .values_list("planobjective_id", flat=True)))


def alignment_project_places(project_ids: Iterable[int]) -> set[int]:
    """The municipalities the projects work in (records marked as duplicates included)."""
    return set(ProjectLocation.objects.filter(project_id__in=list(project_ids))
               .values_list("municipality_id", flat=True))


def alignment_seen_places(project_ids: Iterable[int]) -> set[int]:
    """The municipalities the alignment last saw these projects in (``AlignmentPlace``)."""
    return set(AlignmentPlace.objects.filter(project_id__in=list(project_ids)).values_list("municipality_id", flat=True))


def alignment_places_now_and_seen(project_ids: Iterable[int] | None = None
                                  ) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Per project (every project when ``project_ids`` is None), the municipalities it works in now and
    those the alignment last saw it in."""
    ids = None if project_ids is None else list(project_ids)
    located = ProjectLocation.objects.all() if ids is None else ProjectLocation.objects.filter(project_id__in=ids)
    seen = AlignmentPlace.objects.all() if ids is None else AlignmentPlace.objects.filter(project_id__in=ids)
    now: dict[int, set[int]] = {p: set() for p in ids or ()}
    for p, m in located.values_list("project_id", "municipality_id"):
        now.setdefault(p, set()).add(m)
    before: dict[int, set[int]] = {}
    for p, m in seen.values_list("project_id", "municipality_id"):
        before.setdefault(p, set()).add(m)
    return now, before


def alignment_municipality_projects(municipality_ids: Iterable[int], objective_ids: Iterable[int]) -> set[int]:
    """The projects whose links and money make the flags of these municipalities: those located in them and
    those linked to the objectives given (their plans' objectives)."""
    places, objectives = list(municipality_ids), list(objective_ids)
    return (set(ProjectLocation.objects.filter(municipality_id__in=places).values_list("project_id", flat=True))
            | set(ObjectiveLink.objects.filter(objective_id__in=objectives)
                  .exclude(status=ObjectiveLink.Status.REJECTED).values_list("project_id", flat=True))
            | set(Project.plan_objectives.through.objects.filter(planobjective_id__in=objectives)
                  .values_list("project_id", flat=True)))


def alignment_sector_names() -> dict[int, tuple[str, str]]:
    return {s: (ar, en) for s, ar, en in Sector.objects.values_list("id", "name_ar", "name_en")}


def alignment_inputs(*, projects: QuerySet[Project] | None = None) -> AlignmentInputs:
    """Everything the engine reads; with ``projects``, only those projects and their decisions."""
    rates = exchange_rate_table()
    return AlignmentInputs(
        objectives=alignment_objectives(rates), projects=alignment_projects(projects, rates),
        decisions=alignment_decisions(None if projects is None else projects.values_list("pk", flat=True)),
        sector_names=alignment_sector_names(),
        region_of=dict(Municipality.objects.values_list("id", "district__region_id")),
    )
