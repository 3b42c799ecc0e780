"""``python manage.py seed_demo --projects N --seed S [--truth FILE] [--clear] [--today YYYY-MM-DD]``"""

from __future__ import annotations

import json
import sys
import time
from argparse import ArgumentTypeError
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from coordination.tasks.alignment import alignment_full_analysis
from demo.generator import generate_portfolio
from demo.government import government_demo_clear, government_demo_write
from demo.meetings import meetings_demo_write
from demo.plans import alignment_truth, generate_plans
from demo.plans_writer import alignment_truth_with_ids, clear_demo_plans, write_demo_plans
from demo.quiet import on_commit_mark, on_commit_mute
from demo.reference import MissingReferenceData, load_reference
from demo.truth import truth_with_ids
from demo.writer import clear_portfolio, portfolio_counts, tables_vacuum, write_portfolio
from projects.reporting.services.periods import reporting_periods_sync


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Fill the database with a realistic synthetic portfolio (projects, programmes, updates, needs) "
        "drawn from the reference data, deterministic for a seed, and write its planted ground truth "
        "(duplicates, unreached municipalities and sectors, delays) as JSON. Refuses to run on a database "
        "that already holds projects or programmes unless --clear is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, default=500, help="How many projects (default 500).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--truth", type=Path, help="Write the ground truth as JSON to this file.")
        parser.add_argument("--today", type=_day, help="The date delays are judged against (default: today).")
        parser.add_argument(
            "--clear", action="store_true",
            help="First delete EVERY project and programme (with their updates, sites, transactions...) and the "
                 "needs the demo wrote (source 'Tansiq demo'). Meant for demo and benchmark databases.",
        )
        parser.add_argument("--method", choices=("auto", "copy", "bulk"), default="auto",
                            help="auto: COPY on PostgreSQL, bulk_create elsewhere.")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--government", action="store_true",
            help="Also write development allocations for every municipality (the last three years), ministries and "
                 "municipal councils, and some government projects, one a planted repeat of a partner's project "
                 "(truth file: 'government').")

    def handle(self, *args, **options) -> None:
        n = options["projects"]
        if n < 0:
            raise CommandError("--projects cannot be negative.")
        today = options["today"] or timezone.localdate()
        if isinstance(today, str):  # call_command(today="…") skips the parser's type conversion
            try:
                today = _day(today)
            except ArgumentTypeError as exc:
                raise CommandError(f"--today: {exc}") from None
        truth_path = Path(options["truth"]) if options["truth"] else None
        quiet = options["verbosity"] < 1
        started = time.monotonic()
        try:
            reference = load_reference()
        except MissingReferenceData as exc:
            raise CommandError(str(exc)) from None
        existing = portfolio_counts()
        if any(existing.values()) and not options["clear"]:
            held = ", ".join(f"{count} {label}" for label, count in existing.items() if count)
            raise CommandError(
                f"The database already holds {held}. Rerun with --clear to delete every project and programme "
                "and the demo's needs first, or use an empty database."
            )

        with tqdm(total=n, desc="generating", unit=" projects", disable=quiet, file=sys.stderr) as bar:
            portfolio = generate_portfolio(reference, n, options["seed"], today, progress=bar.update)
        generated = time.monotonic()

        expected = portfolio.row_counts()
        plans, _unused = generate_plans(reference, portfolio, seed=options["seed"])
        alignment = alignment_truth(plans, portfolio)
        with transaction.atomic():
            queued = on_commit_mark()
            cleared = clear_portfolio() if options["clear"] else {}
            if options["clear"]:
                cleared["demo plans"] = clear_demo_plans()
            with tqdm(total=sum(expected.values()), desc="writing", unit=" rows", disable=quiet,
                      file=sys.stderr) as bar:

                def progress(label: str, rows: int) -> None:
                    bar.set_description(f"writing {label}", refresh=False)
                    bar.update(rows)

                result = write_portfolio(portfolio, progress=progress, batch_size=options["batch_size"],
                                         method=options["method"])
            write_demo_plans(plans)  # through the plans service: the alignment run follows on commit
            government = None
            if options["government"]:
                if options["clear"]:
                    government_demo_clear()
                government = government_demo_write(seed=options["seed"], today=today, projects=n)
            committee = meetings_demo_write(today=today)  # the committee's demo meetings, about Murzuq
            # The re-checks the services queued as they wrote (an alignment run per plans write, ...) are dropped:
            # the analyses run once, below, on the whole portfolio.
            on_commit_mute(queued)
            written = time.monotonic()
            # The writer bypasses the services (no change events), so the stored reporting calendar is built here,
            # for the real today (the day the pages read it on), in the same transaction: its batches become
            # savepoints, and the whole seed is one commit (a commit per batch cost more than the rows).
            periods = reporting_periods_sync()
        synced = time.monotonic()
        # The alignment run the plans' writes asked for, once, queued as the service queues it (on commit; run
        # in-process when Celery runs eagerly, as the demo and benchmarks do, on the worker otherwise).
        transaction.on_commit(alignment_full_analysis.delay)
        tables_vacuum()  # committed: the figures' index-only scans need the tables' visibility map

        finished = time.monotonic()
        truth = truth_with_ids(portfolio.truth, result.key_to_id)
        truth["alignment"] = alignment_truth_with_ids(alignment, result.key_to_id)
        if government is not None:
            truth["government"] = government
        if truth_path:
            truth_path.parent.mkdir(parents=True, exist_ok=True)
            with truth_path.open("w", encoding="utf-8") as handle:
                json.dump(truth, handle, ensure_ascii=False, indent=1)

        if quiet:
            return
        if cleared:
            self.stdout.write("Cleared: " + ", ".join(f"{label} {count}" for label, count in cleared.items()))
        self.stdout.write(f"Seed {options['seed']}, today {today.isoformat()}, written with {result.method}:")
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<20} {count:>9}")
        counts = truth["counts"]
        self.stdout.write(
            f"Truth: {sum(counts['duplicates'].values())} duplicate pairs {counts['duplicates']}, "
            f"{sum(counts['distinct_pairs'].values())} look-alike distinct pairs, "
            f"{counts['unreached_municipalities']} unreached municipalities, "
            f"{counts['unreached_municipality_sectors']} unreached municipality-sectors with a need, "
            f"{counts['delayed']} delayed projects; alignment {truth['alignment']['counts']}."
        )
        self.stdout.write(f"Reporting periods: {periods.created + periods.updated + periods.unchanged} stored "
                          f"({periods.created} new, {periods.deleted} removed) in {periods.seconds:.1f} s.")
        if government is not None:
            self.stdout.write(f"Government: {government['allocations']} allocations, {len(government['projects'])} "
                              f"projects, {len(government['duplicates'])} planted repeat of a partner's project.")
        if committee is not None:
            self.stdout.write(f"Committee: demo series with meetings {committee['meetings']} (one finalised, "
                              f"{committee['actions']} actions; {committee['carried_over']} carried over).")
        if truth_path:
            self.stdout.write(f"Ground truth written to {truth_path}")
        self.stdout.write(self.style.SUCCESS(
            f"Done in {finished - started:.1f} s (generate {generated - started:.1f} s, "
            f"write {written - generated:.1f} s, reporting periods {synced - written:.1f} s, "
            f"alignment run {finished - synced:.1f} s)."
        ))
