"""Writing the demo plans (``demo.plans``) through the plans service, and their truth with database ids."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from demo.plans import DemoPlan


def _parsed(plans: list[DemoPlan]) -> list[tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]]:
    out = []
    for plan in plans:
        values = {"code": plan.code, "level": plan.level, "title_ar": plan.title_ar, "title_en": plan.title_en,
                  "owner_body": "", "start_year": plan.start_year, "end_year": plan.end_year, "status": "approved",
                  "source": "Tansiq demo", "uri": "", "municipality_id": plan.municipality_id,
                  "sector_id": plan.sector_id, "is_demo": True}
        objectives = [(i, {
            "code": o.code, "parent": o.parent, "title_ar": o.title_ar or o.title_en, "title_en": o.title_en,
            "description_ar": "", "description_en": "", "priority_rank": o.priority_rank, "currency": "USD",
            "cost_estimate": None if o.cost_usd is None else Decimal(str(o.cost_usd)).quantize(Decimal("0.01")),
            "sdg_targets": list(o.sdg_targets), "indicators": [], "sector_ids": list(o.sector_ids),
            "municipality_ids": [],
        }) for i, o in enumerate(plan.objectives, start=1)]
        out.append((values, objectives))
    return out


def write_demo_plans(plans: list[DemoPlan]):
    """Write (or bring in step) the demo plans; the alignment run follows on commit."""
    from municipalities.plan_services import plans_write
    from municipalities.plans_import import PlansImportReport

    parsed = _parsed(plans)
    report = PlansImportReport(plans=len(parsed), objectives=sum(len(o) for _p, o in parsed))
    return plans_write(parsed=parsed, report=report, dry_run=False, user=None)


def clear_demo_plans() -> int:
    from municipalities.models import DevelopmentPlan

    return DevelopmentPlan.objects.filter(is_demo=True).delete()[0]


def alignment_truth_with_ids(truth: dict[str, Any], key_to_id: dict[str, int]) -> dict[str, Any]:
    from municipalities.models import PlanObjective

    ids = {(plan, code): pk for pk, plan, code in PlanObjective.objects.filter(plan__is_demo=True).values_list(
        "id", "plan__code", "code")}
    return {
        "links": [{**t, "project_id": key_to_id.get(t["project"]), "objective_id": ids.get((t["plan"], t["objective"]))}
                  for t in truth["links"]],
        "outside_plans": [{"key": k, "id": key_to_id.get(k)} for k in truth["outside_plans"]],
        "priority_unfunded": [{**t, "objective_id": ids.get((t["plan"], t["objective"]))}
                              for t in truth["priority_unfunded"]],
        "counts": {"links": len(truth["links"]), "outside_plans": len(truth["outside_plans"]),
                   "priority_unfunded": len(truth["priority_unfunded"])},
    }
