"""``python manage.py bench_analysis --projects N [--seed S] [--today YYYY-MM-DD]``

Builds a demo portfolio in memory (nothing is written), runs the gap and delay engines on plain
records and prints one JSON object: seconds per step, counts, and recall / precision against the
generator's planted truth. The reference data come from the database when loaded, else from a
synthetic country-sized reference.
"""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from coordination.analysis.delays import delay_findings
from coordination.analysis.gaps import gap_analysis
from coordination.services.delays import delay_thresholds
from coordination.services.gaps import gap_settings
from demo import gap_delay_records as demo
from demo.generator import generate_portfolio
from demo.records import Reference


def _reference() -> tuple[Reference, dict[int, int], str]:
    try:
        from demo.reference import MissingReferenceData, load_reference
        from municipalities.models import District

        try:
            reference = load_reference()
        except MissingReferenceData:
            raise LookupError from None
        regions = dict(District.objects.values_list("id", "region_id"))
        return reference, regions, "database"
    except (LookupError, DatabaseError):
        reference, regions = demo.synthetic_reference()
        return reference, regions, "synthetic"


class Command(BaseCommand):
    help = ("Benchmark the gap and delay engines on an in-memory demo portfolio and print one JSON object "
            "with the seconds each took and recall/precision against the generator's truth.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--synthetic", action="store_true", help="Use the synthetic reference even if the "
                                                                     "database holds reference data.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["projects"] < 0:
            raise CommandError("--projects cannot be negative.")
        today = options["today"] or timezone.localdate()
        if options["synthetic"]:
            reference, regions = demo.synthetic_reference()
            source = "synthetic"
        else:
            reference, regions, source = _reference()
        seconds: dict[str, float] = {}

        t0 = time.perf_counter()
        portfolio = generate_portfolio(reference, options["projects"], options["seed"], today)
        t1 = time.perf_counter()
        munis, sector_ids, projects, needs = demo.gap_records(portfolio, reference, regions)
        delay_in = demo.delay_records(portfolio)
        t2 = time.perf_counter()
        analysis = gap_analysis(municipalities=munis, sector_ids=sector_ids, projects=projects, needs=needs,
                                on=today, settings=gap_settings())
        t3 = time.perf_counter()
        findings = delay_findings(delay_in, today, delay_thresholds())
        t4 = time.perf_counter()
        seconds.update(generate=round(t1 - t0, 3), records=round(t2 - t1, 3), gap_analysis=round(t3 - t2, 3),
                       delay_rules=round(t4 - t3, 3))
        overall = analysis.concentration[0]
        result = {
            "projects": len(portfolio.projects), "seed": options["seed"], "today": today.isoformat(),
            "reference": source, "municipalities": len(munis), "sectors": len(sector_ids), "needs": len(needs),
            "seconds": seconds,
            "goals_seconds": {"gap_analysis": 2.0, "delay_rules": 5.0},
            "gaps": {
                **analysis.counts, "cells": len(analysis.cells), "districts": len(analysis.districts),
                "regions": len(analysis.regions), "gini": overall.gini, "top5_share": overall.top_share,
                "truth": demo.gap_truth_score(analysis, portfolio.truth),
            },
            "delays": {
                "findings": len(findings), "delayed_projects": len({f.project_id for f in findings}),
                "truth": demo.delay_truth_score(findings, portfolio.truth),
            },
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))
