"""Benchmark of the duplicate engine against the demo generator's ground truth (in memory)."""

import json
import random
import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand

from coordination.analysis.duplicates import OVERLAP, REPORTED_TWICE, DuplicateIndex, score_pair
from demo.duplicate_records import engine_records, place_names
from demo.fixture_reference import fixture_reference
from demo.generator import generate_portfolio

NAIVE_FULL_LIMIT = 1000  # all pairs are scored outright up to this size; above, timed on a sample
NAIVE_MEASURE_LIMIT = 20000
NAIVE_SAMPLE_PAIRS = 200_000
DUPLICATE_KINDS = (REPORTED_TWICE, OVERLAP)


class Command(BaseCommand):
    help = ("Build a demo portfolio in memory, run the duplicate engine, and print one JSON object: "
            "projects, seconds, pairs_scored, precision, recall, f1, naive_seconds, incremental_ms.")

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=date.fromisoformat, default=date(2025, 6, 30))

    def handle(self, *args, **options):
        n, seed = options["projects"], options["seed"]
        reference = fixture_reference()
        t0 = time.perf_counter()
        portfolio = generate_portfolio(reference, n, seed, options["today"])
        generate_seconds = time.perf_counter() - t0
        records = engine_records(portfolio, reference)
        ids = {p.key: i for i, p in enumerate(portfolio.projects, start=1)}
        names = place_names(reference)

        t0 = time.perf_counter()
        index = DuplicateIndex(records, place_names=names)
        findings, pairs_scored = index.scan()
        seconds = time.perf_counter() - t0

        truth_kinds = {tuple(sorted(ids[k] for k in d["keys"])): d["kind"] for d in portfolio.truth["duplicates"]}
        truth = set(truth_kinds)
        found = {(f.a, f.b) for f in findings if f.kind in DUPLICATE_KINDS}
        tp = len(found & truth)
        precision = tp / len(found) if found else 1.0
        recall = tp / len(truth) if truth else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        related_truth = {tuple(sorted(ids[k] for k in d["keys"])) for d in portfolio.truth["distinct_pairs"]
                         if d["kind"] == "related_phase"}
        related_found = {(f.a, f.b) for f in findings if f.kind == "related_phase"}

        rng = random.Random(seed)
        sample = rng.sample(sorted(index.prepared), min(50, len(index.prepared)))
        timings = []
        for pid in sample:
            t = time.perf_counter()
            index.check(pid)
            timings.append((time.perf_counter() - t) * 1000)

        naive_seconds, naive_method = None, f"not measured above {NAIVE_MEASURE_LIMIT} projects"
        if n <= NAIVE_FULL_LIMIT:
            t = time.perf_counter()
            prepared = [index.prepared[i] for i in sorted(index.prepared)]
            for x, a in enumerate(prepared):
                for b in prepared[x + 1:]:
                    score_pair(a, b, index.settings)
            naive_seconds, naive_method = time.perf_counter() - t, "measured (all pairs)"
        elif n <= NAIVE_MEASURE_LIMIT:
            keys = sorted(index.prepared)
            pairs = [tuple(sorted(rng.sample(keys, 2))) for _ in range(NAIVE_SAMPLE_PAIRS)]
            t = time.perf_counter()
            for a, b in pairs:
                score_pair(index.prepared[a], index.prepared[b], index.settings)
            per_pair = (time.perf_counter() - t) / len(pairs)
            naive_seconds = per_pair * n * (n - 1) / 2
            naive_method = f"timed on {NAIVE_SAMPLE_PAIRS} random pairs, extrapolated to all {n * (n - 1) // 2} pairs"

        result = {
            "projects": n, "seed": seed, "seconds": round(seconds, 3), "pairs_scored": pairs_scored,
            "findings": len(findings), "true_duplicates": len(truth), "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4),
            "kinds_correct": sum(1 for f in findings if truth_kinds.get((f.a, f.b)) == f.kind),
            "related_phase_found": len(related_found & related_truth), "related_phase_truth": len(related_truth),
            "incremental_ms_median": round(statistics.median(timings), 2),
            "incremental_ms_max": round(max(timings), 2),
            "naive_seconds": round(naive_seconds, 2) if naive_seconds is not None else None,
            "naive_method": naive_method,
            "speedup": round(naive_seconds / seconds, 1) if naive_seconds else None,
            "generate_seconds": round(generate_seconds, 2),
        }
        self.stdout.write(json.dumps(result))
