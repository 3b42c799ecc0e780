"""Time the real incremental duplicate check, through the database, on the current portfolio."""

import json
import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Q

from coordination.models import AnalysisRun, DuplicateFlag
from coordination.services.duplicates import duplicates_check_projects
from projects.models import Project, ProjectLocation

BIG_MUNICIPALITIES = 5
WARM_UP = 3


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"median": round(statistics.median(values), 1), "p90": round(_percentile(values, 0.9), 1),
            "max": round(max(values), 1)}


class Command(BaseCommand):
    help = ("Time duplicates_check_projects (the check queued when a project changes) for a random sample of "
            "projects of the current database, half of them from the biggest municipalities, and print one JSON "
            "object: milliseconds (median, p90, max) and the size of the pool each check compared with. The "
            "checks rewrite the flags they find as they are; the runs they record are removed afterwards.")

    def add_arguments(self, parser):
        parser.add_argument("--checks", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        checks, rng = options["checks"], random.Random(options["seed"])
        if checks < 1:
            raise CommandError("--checks must be at least 1.")
        all_ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        if not all_ids:
            raise CommandError("There are no projects to check.")
        big = [row["municipality_id"] for row in ProjectLocation.objects.values("municipality_id")
               .annotate(n=Count("id")).order_by("-n")[:BIG_MUNICIPALITIES]]
        in_big = sorted(set(ProjectLocation.objects.filter(municipality_id__in=big)
                            .values_list("project_id", flat=True)))
        from_big = rng.sample(in_big, min(len(in_big), checks // 2))
        rest = sorted(set(all_ids) - set(from_big))
        sample = from_big + rng.sample(rest, min(len(rest), checks - len(from_big)))
        rng.shuffle(sample)
        big_set = set(from_big)
        warm_up = rng.sample(all_ids, min(WARM_UP, len(all_ids)))

        # What the checks may touch besides the flags' contents: when each flag was last seen.
        touched = DuplicateFlag.objects.filter(Q(project_a_id__in=sample + warm_up)
                                             | Q(project_b_id__in=sample + warm_up))
        last_seen = dict(touched.values_list("pk", "last_seen_run_id"))
        runs: list[int] = []
        try:
            for pid in warm_up:
                runs.append(duplicates_check_projects(project_ids=[pid]).pk)  # imports, vocabulary, connection
            timings, pools, big_timings = [], [], []
            for pid in sample:
                t0 = time.perf_counter()
                run = duplicates_check_projects(project_ids=[pid])
                ms = (time.perf_counter() - t0) * 1000
                runs.append(run.pk)
                timings.append(ms)
                pools.append(run.counts.get("compared_with", 0))
                if pid in big_set:
                    big_timings.append(ms)
        finally:
            with transaction.atomic():
                flags = list(DuplicateFlag.objects.filter(pk__in=list(last_seen)).only("pk", "last_seen_run_id"))
                for flag in flags:
                    flag.last_seen_run_id = last_seen[flag.pk]
                DuplicateFlag.objects.bulk_update(flags, ["last_seen_run"], batch_size=1000)
                AnalysisRun.objects.filter(pk__in=runs).delete()
        result = {
            "database": connection.vendor, "projects": len(all_ids), "checks": len(sample),
            "checks_in_biggest_municipalities": len(big_timings), "biggest_municipalities": big,
            "ms": _summary(timings), "ms_biggest_municipalities": _summary(big_timings),
            "pool": {"median": statistics.median(pools), "p90": _percentile(pools, 0.9), "max": max(pools)},
        }
        self.stdout.write(json.dumps(result))
