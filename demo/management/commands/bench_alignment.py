"""``python manage.py bench_alignment --projects N [--objectives M] [--generate G] [--seed S]``

Builds a demo portfolio and demo plans in memory (nothing is written), runs the alignment engine on
plain records and prints one JSON object: seconds, counts, and precision / recall of the suggestions
against the planted truth (``demo.plans``). The generator makes ``--generate`` distinct projects (it
is slow: about 5 ms a project); above that the portfolio is tiled (copies with new ids), so the engine
sees N projects. Local plans get as many objectives as it takes to reach about M objectives in all.

``quality_distinct_records`` scores the suggestions on projects the generator did not write (the titles of
``demo.iati_eval``, one language each, labelled in ``demo.alignment_eval``); ``incremental`` times, in memory,
what the incremental run computes for one changed project (median of ``--incremental-checks``).
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time
from collections import defaultdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from coordination.analysis.alignment import (
    Alignment,
    AlignmentSettings,
    ProjectIn,
    alignment_analysis,
    objective_funding,
)
from coordination.analysis.alignment_figures import alignment_findings, municipality_findings, project_findings
from demo.alignment_eval import eval_quality, eval_records
from demo.alignment_records import objective_records, project_records
from demo.alignment_timing import database_incremental
from demo.gap_delay_records import synthetic_reference
from demo.generator import generate_portfolio
from demo.plans import LOCAL_SHARE, alignment_truth, generate_plans


def _tile(records: list[ProjectIn], n: int) -> list[ProjectIn]:
    out = []
    for i in range(n):
        r = records[i % len(records)]
        out.append(ProjectIn(i + 1, r.status, r.title_ar, r.title_en, r.description_ar, r.description_en, r.budget_usd,
                             r.partner_ids, r.locations, r.sectors, r.sdg_goals))
    return out


class Command(BaseCommand):
    help = "Benchmark the alignment engine on an in-memory demo portfolio and demo plans; print one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, default=100_000)
        parser.add_argument("--objectives", type=int, default=1_000)
        parser.add_argument("--generate", type=int, default=3_000, help="Distinct projects to generate.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--incremental-checks", type=int, default=200,
                            help="Projects whose incremental re-computation is timed (0: none).")
        parser.add_argument("--database-checks", type=int, default=0,
                            help="Also time the real incremental run (alignment_projects_run) through the database "
                                 "for this many projects of the current database (their runs are removed after).")

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["projects"]
        if n < 1 or options["generate"] < 1 or options["objectives"] < 1:
            raise CommandError("--projects, --generate and --objectives must be at least 1.")
        today = options["today"] or timezone.localdate()
        reference, _regions = synthetic_reference()
        t0 = time.perf_counter()
        portfolio = generate_portfolio(reference, min(n, options["generate"]), options["seed"], today)
        generated = time.perf_counter() - t0
        local_plans = math.ceil(len(reference.municipalities) / LOCAL_SHARE)
        plans, _ = generate_plans(reference, portfolio, seed=options["seed"])
        fixed = sum(len(p.objectives) for p in plans if p.level != "municipal")
        per_plan = max(1, round((options["objectives"] - fixed) / local_plans))
        plans, _ = generate_plans(reference, portfolio, seed=options["seed"], local_objectives=per_plan)
        truth = alignment_truth(plans, portfolio)
        objectives, ids = objective_records(plans)
        base = project_records(portfolio, reference)
        projects = _tile(base, n)
        settings = AlignmentSettings()
        names = {s.id: (s.name_ar, s.name_en) for s in reference.sectors}
        t1, c1 = time.perf_counter(), time.process_time()
        analysis = alignment_analysis(objectives=objectives, projects=projects, settings=settings, sector_names=names)
        engine, engine_cpu = time.perf_counter() - t1, time.process_time() - c1
        t2, c2 = time.perf_counter(), time.process_time()
        findings = alignment_findings(objectives=objectives, projects=projects, alignment=analysis, settings=settings)
        figures, figures_cpu = time.perf_counter() - t2, time.process_time() - c2
        records, eval_truth = eval_records(reference, plans, first_id=n + 1)
        eval_run = alignment_analysis(objectives=objectives, projects=[r.project for r in records], settings=settings,
                                      sector_names=names)
        broad = {ids[(plan.code, o.code)] for plan in plans for o in plan.objectives if o.template is None}
        incremental = _incremental(objectives, projects, analysis, settings, names, options["incremental_checks"],
                                   options["seed"])
        database = database_incremental(options["database_checks"], options["seed"]) \
            if options["database_checks"] > 0 else None
        self.stdout.write(json.dumps({
            **({"incremental_database": database} if database is not None else {}),
            "projects": n, "distinct_projects": len(base), "objectives": len(objectives), "plans": len(plans),
            "seconds": {"generate": round(generated, 2), "engine": round(engine, 3), "findings": round(figures, 3),
                        "engine_and_findings": round(engine + figures, 3),
                        "engine_and_findings_cpu": round(engine_cpu + figures_cpu, 3)},
            "counts": {**analysis.counts, "findings": _count_kinds(findings)},
            "quality": _quality(analysis, truth, ids, portfolio, len(base), n),
            "quality_distinct_records": eval_quality(eval_run.suggestions, eval_truth, ids, broad, records),
            "incremental": incremental,
        }, indent=1))


def _incremental(objectives, projects, analysis, settings, names, checks: int, seed: int) -> dict[str, Any]:
    """What the incremental run (``alignment_projects_run``) computes for one changed project, in memory:
    the engine on that project against every objective, its outside-plans finding, and the municipality
    findings of its municipalities and of those of its objectives, from the other projects' links there.
    The database reads and writes are not in it (see the report for a measure through the database)."""
    if checks < 1:
        return {}
    rng = random.Random(seed)
    by_id = {o.id: o for o in objectives}
    planned_all = {o.plan_municipality_id for o in objectives if o.approved and o.plan_municipality_id}
    located: dict[int, list[ProjectIn]] = defaultdict(list)
    for p in projects:
        for m, _share in p.locations:
            located[m].append(p)
    timings, pools = [], []
    for p in rng.sample(projects, min(checks, len(projects))):
        t0 = time.perf_counter()
        one = alignment_analysis(objectives=objectives, projects=[p], settings=settings, sector_names=names)
        project_findings(objectives=objectives, projects=[p], alignment=one, settings=settings)
        linked = set(analysis.links.get(p.id, ())) | set(one.links.get(p.id, ()))
        places = {m for m, _ in p.locations} | {by_id[o].plan_municipality_id for o in linked
                                                 if by_id[o].plan_municipality_id}
        planned = places & planned_all
        pool = {q.id: q for m in planned for q in located[m]}
        links = {q: analysis.links[q] for q in pool if q in analysis.links}
        if p.id in one.links:
            links[p.id] = one.links[p.id]
        else:
            links.pop(p.id, None)
        funding = objective_funding({o.id: o for o in objectives if o.plan_municipality_id in planned},
                                    list(pool.values()), links)
        municipality_findings(objectives=objectives, projects=list(pool.values()),
                              alignment=Alignment({}, links, funding, {}), settings=settings, only=planned)
        timings.append((time.perf_counter() - t0) * 1000)
        pools.append(len(pool))
    ordered = sorted(timings)
    return {"checks": len(timings), "ms": {"median": round(statistics.median(timings), 2),
                                           "p90": round(ordered[round(0.9 * (len(ordered) - 1))], 2),
                                           "max": round(ordered[-1], 2)},
            "pool": {"median": statistics.median(pools), "max": max(pools)}}


def _count_kinds(findings) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.kind] = out.get(f.kind, 0) + 1
    return out


def _quality(analysis, truth, ids, portfolio, distinct: int, n: int) -> dict[str, Any]:
    key_index = {p.key: i for i, p in enumerate(portfolio.projects, start=1)}
    wanted = {(key_index[t["project"]], ids[(t["plan"], t["objective"])]) for t in truth["links"]}
    found = {(p % distinct or distinct, s.objective_id) for p, found in analysis.suggestions.items()
             if p <= distinct for s in found}
    hits = len(wanted & found)
    outside_truth = {key_index[k] for k in truth["outside_plans"]}
    outside_found = {p for p in range(1, min(n, distinct) + 1)
                     if portfolio.projects[p - 1].status == 2 and analysis.best_score.get(p, 0) < 0.6}
    return {
        "links_true": len(wanted), "links_suggested": len(found), "links_hit": hits,
        "precision": round(hits / len(found), 4) if found else None,
        "recall": round(hits / len(wanted), 4) if wanted else None,
        "outside_plans": {"true": len(outside_truth), "found": len(outside_found),
                          "hit": len(outside_truth & outside_found)},
        "priority_unfunded_planted": len(truth["priority_unfunded"]),
    }
