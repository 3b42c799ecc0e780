"""``python manage.py sync_reporting_periods [--today YYYY-MM-DD] [--project ID ...]``"""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from projects.models import Project
from projects.reporting.services.periods import reporting_periods_sync


class Command(BaseCommand):
    help = (
        "Bring the stored reporting periods (what the reporting calendar, the reminders and the scorecards read) "
        "up to date with the projects and their submitted updates, writing only what differs. Run it once after "
        "upgrading and after bulk writes that bypass the services; the daily task keeps it current otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="The day to compute the periods for, YYYY-MM-DD (default: today).")
        parser.add_argument("--project", type=int, action="append", dest="projects", metavar="ID",
                            help="Only this project (repeatable); default: every project.")

    def handle(self, *args, **options) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(str(options["today"]))
            except ValueError:
                raise CommandError(f"--today: {options['today']!r} is not a date; write it as YYYY-MM-DD.") from None
        ids = options["projects"]
        total = len(set(ids)) if ids else Project.objects.count()
        with tqdm(total=total, desc="reporting periods", unit=" projects", file=sys.stderr,
                  disable=options["verbosity"] < 1) as bar:
            result = reporting_periods_sync(project_ids=ids, today=today, progress=bar.update)
        self.stdout.write(
            f"Reporting periods of {result.projects} projects synced in {result.seconds:.1f} s: "
            f"{result.created} created, {result.updated} updated, {result.deleted} deleted, "
            f"{result.unchanged} unchanged.")
