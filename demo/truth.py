"""The demo portfolio's ground truth, computed from the generated records (schema in ``generator``)."""

from __future__ import annotations

import copy
from datetime import date
from typing import TYPE_CHECKING, Any

from demo.records import DEMO_NEED_SOURCE, NeedRec, ProjectRec
from demo.schedule import (
    ACCEPTED,
    BEHIND_ELAPSED,
    BEHIND_PROGRESS,
    IMPLEMENTATION,
    LATE_START_DAYS,
    RULE_DEFINITIONS,
    SILENCE_DAYS,
    delay_rules,
)

if TYPE_CHECKING:
    from demo.builder import Draft, World

SCHEMA = "tansiq-demo-truth/1"
ACTIVE_STATUSES = (IMPLEMENTATION,)
NEED_SEVERITY_MIN = 3
DUPLICATE_KINDS = ("reported_twice", "overlap")
DISTINCT_KINDS = ("same_place_different_activity", "related_phase", "same_activity_other_municipality")


def project_delay_rules(project: ProjectRec, today: date) -> list[str]:
    last_accepted = max((u.period_end for u in project.updates if u.state == ACCEPTED), default=None)
    return delay_rules(status=project.status, planned_start=project.planned_start, planned_end=project.planned_end,
                       actual_start=project.actual_start, progress=float(project.progress_percent),
                       last_accepted_end=last_accepted, today=today)


def build_truth(world: World, drafts: list[Draft], pairs: list[tuple[str, Draft, Draft, dict[str, Any]]],
                needs: list[NeedRec], *, seed: int, today: date) -> dict[str, Any]:
    projects = [d.rec for d in drafts]
    active_munis: set[int] = set()
    active_pairs: set[tuple[int, int]] = set()
    for p in projects:
        if p.status in ACTIVE_STATUSES:
            for muni_id, _ in p.locations:
                active_munis.add(muni_id)
                for sector_id, _ in p.sectors:
                    active_pairs.add((muni_id, sector_id))
    active_sectors = {sector_id for _, sector_id in active_pairs}
    planted_munis = {world.munis[m].id for m in world.unreached}
    orphan = world.sectors[world.orphan_sector].id if world.orphan_sector is not None else None
    planted_pairs = {(world.munis[m].id, world.sectors[s].id) for m, s in world.blocked}

    unreached_munis = [
        {"id": m.id, "name_en": m.name_en, "planted": m.id in planted_munis}
        for m in world.munis if m.id not in active_munis
    ]
    unreached_pairs = [
        {"municipality_id": n.municipality_id, "sector_id": n.sector_id, "severity": n.severity,
         "people_in_need": n.people_in_need,
         "planted": (n.municipality_id, n.sector_id) in planted_pairs or n.municipality_id in planted_munis
         or n.sector_id == orphan}
        for n in sorted(needs, key=lambda n: (n.municipality_id, n.sector_id))
        if n.severity >= NEED_SEVERITY_MIN and (n.municipality_id, n.sector_id) not in active_pairs
    ]
    delayed, on_time = [], []
    for p in sorted(projects, key=lambda p: p.key):
        rules = project_delay_rules(p, today)
        if rules:
            delayed.append({"key": p.key, "rules": rules})
        else:
            on_time.append({"key": p.key})

    duplicates, distinct = [], []
    for kind, a, b, extra in pairs:
        entry = {
            "kind": kind,
            "keys": [a.rec.key, b.rec.key],
            "municipality_ids": [[m for m, _ in a.rec.locations], [m for m, _ in b.rec.locations]],
            "sector_id": world.sectors[a.activity.sector].id,
            "statuses": [a.rec.status, b.rec.status],
            **extra,
        }
        (duplicates if kind in DUPLICATE_KINDS else distinct).append(entry)
    duplicates.sort(key=lambda e: e["keys"])
    distinct.sort(key=lambda e: e["keys"])

    return {
        "schema": SCHEMA,
        "seed": seed,
        "today": today.isoformat(),
        "projects": len(projects),
        "definitions": {
            "active_statuses": list(ACTIVE_STATUSES),
            "need_severity_min": NEED_SEVERITY_MIN,
            "need_source": DEMO_NEED_SOURCE,
            "delay_rules": dict(RULE_DEFINITIONS),
            "thresholds": {"late_start_days": LATE_START_DAYS, "silence_days": SILENCE_DAYS,
                           "behind_elapsed": BEHIND_ELAPSED, "behind_progress": BEHIND_PROGRESS},
        },
        "counts": {
            "duplicates": {k: sum(e["kind"] == k for e in duplicates) for k in DUPLICATE_KINDS},
            "distinct_pairs": {k: sum(e["kind"] == k for e in distinct) for k in DISTINCT_KINDS},
            "unreached_municipalities": len(unreached_munis),
            "unreached_municipality_sectors": len(unreached_pairs),
            "delayed": len(delayed),
            "on_time": len(on_time),
        },
        "duplicates": duplicates,
        "distinct_pairs": distinct,
        "unreached": {
            "municipalities": unreached_munis,
            "municipality_sectors": unreached_pairs,
            "sectors_without_active_project": [s.id for s in world.sectors if s.id not in active_sectors],
        },
        "delayed": delayed,
        "on_time": on_time,
    }


def truth_with_ids(truth: dict[str, Any], key_to_id: dict[str, int]) -> dict[str, Any]:
    """A copy of ``truth`` with the database id beside every project key."""
    result = copy.deepcopy(truth)
    for section in ("duplicates", "distinct_pairs"):
        for entry in result[section]:
            entry["ids"] = [key_to_id[k] for k in entry["keys"]]
    for section in ("delayed", "on_time"):
        result[section] = [{"key": e["key"], "id": key_to_id[e["key"]], **{k: v for k, v in e.items() if k != "key"}}
                           for e in result[section]]
    return result
