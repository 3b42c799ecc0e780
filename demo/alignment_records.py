"""The demo portfolio and demo plans as the alignment engine's plain records (no database), with the
same conversions the selectors make (money to USD at the planned start year's rate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coordination.analysis.alignment import ObjectiveIn, ProjectIn, sdg_goals
from demo.gap_delay_records import rate_table
from demo.plans import DemoPlan
from demo.records import Portfolio, ProjectRec, Reference
from projects.money import to_usd


def objective_records(plans: list[DemoPlan], usd_rates: Any = None) -> tuple[list[ObjectiveIn], dict[tuple[str, str], int]]:
    """ObjectiveIn for every demo objective (ids from 1, in order) and (plan code, objective code) → id."""
    out, ids = [], {}
    for plan in plans:
        for o in plan.objectives:
            ids[(plan.code, o.code)] = len(ids) + 1
    for p_index, plan in enumerate(plans, start=1):
        for o in plan.objectives:
            out.append(ObjectiveIn(
                id=ids[(plan.code, o.code)], plan_id=p_index, approved=True, plan_municipality_id=plan.municipality_id,
                code=o.code, title_ar=o.title_ar, title_en=o.title_en, sector_ids=tuple(o.sector_ids),
                sdg_goals=sdg_goals(o.sdg_targets), cost_usd=o.cost_usd, priority_rank=o.priority_rank,
                parent_id=ids.get((plan.code, o.parent)) if o.parent else None, plan_sector_id=plan.sector_id))
    return out, ids


def project_record(p: ProjectRec, pid: int, portfolio: Portfolio, rates: Any,
                   shift: Mapping[int, int] | None = None) -> ProjectIn:
    usd = None
    if p.budget is not None:
        converted = to_usd(p.budget, p.currency, (p.planned_start or portfolio.today).year, rates)
        usd = None if converted is None else float(converted)
    places = tuple((shift.get(m, m) if shift else m, float(s) if s is not None else None) for m, s in p.locations)
    return ProjectIn(
        id=pid, status=p.status, title_ar=p.title_ar, title_en=p.title_en, description_ar=p.description_ar,
        description_en=p.description_en, budget_usd=usd,
        partner_ids=tuple(sorted({p.reporting_partner_id, *(x.partner_id for x in p.participations)})),
        locations=places, sectors=tuple((s, float(pct)) for s, pct in p.sectors))


def project_records(portfolio: Portfolio, reference: Reference) -> list[ProjectIn]:
    rates = rate_table(reference)
    return [project_record(p, i, portfolio, rates) for i, p in enumerate(portfolio.projects, start=1)]
