"""The real incremental alignment run timed through the database (``bench_alignment --database-checks``), as
``bench_incremental`` times the duplicate check: a random sample of projects, half of them from the biggest
municipalities, each re-computed alone; the runs recorded are removed afterwards and the flags' "last seen"
run put back, so the database is left as it was (the runs change nothing else when the links and flags are
already in step with a full run)."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from django.db import connection, transaction
from django.db.models import Count

from coordination.models import AlignmentFlag, AnalysisRun
from coordination.services.alignment import alignment_projects_run
from projects.models import Project, ProjectLocation

BIG_MUNICIPALITIES = 5
WARM_UP = 3


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median": round(statistics.median(values), 1), "p90": round(ordered[round(0.9 * (len(ordered) - 1))], 1),
            "max": round(ordered[-1], 1)}


def database_incremental(checks: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    all_ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    if not all_ids:
        return {"projects": 0}
    big = [row["municipality_id"] for row in ProjectLocation.objects.values("municipality_id")
           .annotate(n=Count("id")).order_by("-n")[:BIG_MUNICIPALITIES]]
    in_big = sorted(set(ProjectLocation.objects.filter(municipality_id__in=big).values_list("project_id", flat=True)))
    from_big = rng.sample(in_big, min(len(in_big), checks // 2))
    rest = sorted(set(all_ids) - set(from_big))
    sample = from_big + rng.sample(rest, min(len(rest), checks - len(from_big)))
    rng.shuffle(sample)
    last_seen = dict(AlignmentFlag.objects.values_list("pk", "last_seen_run_id"))
    runs: list[int] = []
    timings: list[float] = []
    queries: list[int] = []
    municipalities: list[int] = []
    try:
        for pid in rng.sample(all_ids, min(WARM_UP, len(all_ids))):
            runs.append(alignment_projects_run(project_ids=[pid]).pk)
        for pid in sample:
            t0 = time.perf_counter()
            with _counting() as counter:
                run = alignment_projects_run(project_ids=[pid])
            timings.append((time.perf_counter() - t0) * 1000)
            queries.append(counter.count)
            runs.append(run.pk)
            municipalities.append(run.counts.get("municipalities", 0))
    finally:
        with transaction.atomic():
            flags = list(AlignmentFlag.objects.filter(pk__in=list(last_seen)).only("pk", "last_seen_run_id"))
            for flag in flags:
                flag.last_seen_run_id = last_seen[flag.pk]
            AlignmentFlag.objects.bulk_update(flags, ["last_seen_run"], batch_size=1000)
            AnalysisRun.objects.filter(pk__in=runs).delete()
    return {"database": connection.vendor, "projects": len(all_ids), "checks": len(timings),
            "ms": _summary(timings), "queries": {"median": statistics.median(queries), "max": max(queries)},
            "municipalities_rechecked": {"median": statistics.median(municipalities), "max": max(municipalities)}}


class _Counter:
    count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class _counting:
    def __enter__(self) -> _Counter:
        self.counter = _Counter()
        self.wrapper = connection.execute_wrapper(self.counter)
        self.wrapper.__enter__()
        return self.counter

    def __exit__(self, *exc: Any) -> None:
        self.wrapper.__exit__(*exc)
