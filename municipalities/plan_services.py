"""Writes of development plans and their objectives (the importer and the admin's future forms call
these). One transaction; plans keyed by code, objectives by plan and code; a row whose values are the
same is left untouched, so writing the same plans twice changes nothing. ``plans_changed`` is sent when
anything changed, for the alignment analysis to re-run on commit."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from municipalities.events import plans_changed
from municipalities.models import DevelopmentPlan, PlanObjective

logger = logging.getLogger(__name__)

PLAN_FIELDS = ("level", "title_ar", "title_en", "owner_body", "start_year", "end_year", "status", "source", "uri",
               "municipality_id", "sector_id", "is_demo")
OBJECTIVE_FIELDS = ("title_ar", "title_en", "description_ar", "description_en", "priority_rank", "currency",
                    "cost_estimate", "sdg_targets", "indicators")


class _DryRun(Exception):
    pass


def _plan_upsert(values: dict[str, Any], report) -> tuple[DevelopmentPlan, bool]:
    plan = DevelopmentPlan.objects.select_for_update().filter(code=values["code"]).first()
    fresh = plan is None
    if fresh:
        plan = DevelopmentPlan(code=values["code"])
    changed = fresh or any(getattr(plan, f) != values[f] for f in PLAN_FIELDS)
    if changed:
        for f in PLAN_FIELDS:
            setattr(plan, f, values[f])
        plan.full_clean(exclude=["municipality", "sector"])
        plan.save()
        report.created += fresh
        report.updated += not fresh
    else:
        report.unchanged += 1
    return plan, changed


def _objective_upsert(plan: DevelopmentPlan, values: dict[str, Any], parent_id: int | None,
                      existing: dict[str, PlanObjective], report) -> tuple[PlanObjective, bool]:
    objective = existing.get(values["code"])
    fresh = objective is None
    if fresh:
        objective = PlanObjective(plan=plan, code=values["code"])
    lead = values["sector_ids"][0] if values["sector_ids"] else None
    same = (not fresh and all(getattr(objective, f) == values[f] for f in OBJECTIVE_FIELDS)
            and objective.parent_id == parent_id and objective.sector_id == lead
            and set(objective.sectors.values_list("id", flat=True)) == set(values["sector_ids"])
            and set(objective.municipalities.values_list("id", flat=True)) == set(values["municipality_ids"]))
    if same:
        report.unchanged += 1
        return objective, False
    for f in OBJECTIVE_FIELDS:
        setattr(objective, f, values[f])
    objective.parent_id, objective.sector_id = parent_id, lead
    objective.save()
    objective.sectors.set(values["sector_ids"])
    objective.municipalities.set(values["municipality_ids"])
    report.created += fresh
    report.updated += not fresh
    return objective, True


def _plan_write(plan_values: dict[str, Any], objectives: list[tuple[int, dict[str, Any]]], report) -> tuple[int, bool]:
    plan, changed = _plan_upsert(plan_values, report)
    existing = {o.code: o for o in PlanObjective.objects.select_for_update().filter(plan=plan)}
    done: dict[str, PlanObjective] = {}
    pending = [o for _n, o in objectives]
    while pending:  # parents first, whatever the order of the rows (the parser refused unknown parents)
        ready = [o for o in pending if not o["parent"] or o["parent"] in done or (
            o["parent"] in existing and o["parent"] not in {p["code"] for p in pending})]
        if not ready:  # a cycle of parents: written without them, then linked
            ready = pending
        for o in ready:
            parent = done.get(o["parent"]) or existing.get(o["parent"]) if o["parent"] else None
            written, did = _objective_upsert(plan, o, parent.pk if parent else None, existing, report)
            done[o["code"]] = existing[o["code"]] = written
            changed |= did
        pending = [o for o in pending if o["code"] not in done]
    return plan.pk, changed


def plans_write(*, parsed: list[tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]], report, dry_run: bool,
                user: AbstractBaseUser | None):
    """Write checked plans (from ``plans_import.plans_parse``); with ``dry_run`` count what would change
    and roll back."""
    try:
        with transaction.atomic():
            touched = []
            for plan_values, objectives in parsed:
                plan_id, changed = _plan_write(plan_values, objectives, report)
                if changed:
                    touched.append(plan_id)
            report.plan_ids = touched
            if dry_run:
                raise _DryRun
            if touched:
                logger.info("Plans imported by %s: %s created, %s updated", user, report.created, report.updated)
                plans_changed.send(sender=DevelopmentPlan, plan_ids=touched, user=user)
    except _DryRun:
        pass
    return report
