"""``python manage.py bench_exports --projects N [--seed S] [--only csv,xlsx,iati]``

Times the export writers as a ministry analyst would get their files — the 3W sheet as CSV and XLSX and the
IATI XML, through the same selection (``downloads.export_projects``) and the same writers
(``export_writers.WRITERS``) as the downloads and the export jobs — and prints one JSON object with, per
export, the wall and CPU seconds, the bytes written and the peak resident memory.

Each export runs in a fresh child process of its own (this command again, with ``--in-process --only F``), so
that each peak is its own and none inherits the seeding's memory: ``peak_rss_mb`` is the child's high-water
mark (VmHWM), ``start_rss_mb`` what it held before the export began (Django and the app loaded). With ``--projects N`` the database is filled with N demo projects first (``seed_demo --clear``)
unless it already holds exactly N: meant for demo and benchmark databases.
Goals at 100,000 projects: 3W CSV ≤ 15 s, IATI ≤ 40 s, memory ≤ 300 MB at the peak.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from coordination.roles import MINISTRY_ANALYST, roles_sync
from projects.exchange.selectors.downloads import ExportRequest, export_projects
from projects.exchange.selectors.export_writers import WRITERS
from projects.models import Project

BENCH_USER = "bench-analyst"
GOALS = {"csv": {"seconds": 15, "peak_rss_mb": 300}, "xlsx": {"peak_rss_mb": 300},
         "iati": {"seconds": 40, "peak_rss_mb": 300}}
LABELS = {"csv": "threew_csv", "xlsx": "threew_xlsx", "iati": "iati_xml"}


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _measure(fmt: str, user_id: int, path: str) -> dict[str, Any]:
    start_rss = _status_mb("VmRSS")
    user = get_user_model().objects.get(pk=user_id)
    projects = export_projects(user, ExportRequest(format=fmt))
    count = projects.order_by().count()
    started, cpu = time.perf_counter(), time.process_time()
    with open(path, "wb") as out:
        WRITERS[fmt](projects, out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"projects": count, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "bytes": os.path.getsize(path), "start_rss_mb": start_rss, "peak_rss_mb": _status_mb("VmHWM")}


class Command(BaseCommand):
    help = "Time the 3W CSV, 3W XLSX and IATI export writers, each in its own process; print JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, help="Fill the database with N demo projects first "
                                                         "(replaces every project) unless it holds N already.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--only", default="csv,xlsx,iati", help="Which exports, comma-separated.")
        parser.add_argument("--timeout", type=int, default=900, help="Seconds allowed to each export.")
        parser.add_argument("--in-process", action="store_true",
                            help="Run the exports in this process (the peaks are then not each export's own): for "
                                 "tests, whose database a child process cannot see.")

    def _child(self, fmt: str, timeout: int) -> dict[str, Any]:
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_exports", "--in-process",
                   "--only", fmt]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        except subprocess.TimeoutExpired:
            return {"error": f"over {timeout} s"}
        try:
            return json.loads(done.stdout)["exports"][LABELS[fmt]]
        except (ValueError, KeyError):
            return {"error": f"exit {done.returncode}: {done.stderr.strip()[-500:]}"}

    def handle(self, *args: Any, **options: Any) -> None:
        formats = [f.strip() for f in options["only"].split(",") if f.strip()]
        if unknown := sorted(set(formats) - set(WRITERS)):
            raise CommandError(f"unknown export(s): {', '.join(unknown)}")
        if options["projects"] is not None:
            if options["projects"] < 0:
                raise CommandError("--projects cannot be negative.")
            if Project.objects.count() != options["projects"]:
                self.stderr.write(f"Seeding {options['projects']} demo projects (this replaces every project)…")
                quiet = io.StringIO()
                call_command("seed_demo", projects=options["projects"], seed=options["seed"], clear=True,
                             stdout=quiet, stderr=quiet)
        roles_sync()
        user, _created = get_user_model().objects.get_or_create(username=BENCH_USER, defaults={"is_active": True})
        user.groups.add(Group.objects.get(name=MINISTRY_ANALYST))
        isolated = not options["in_process"]
        out: dict[str, Any] = {"projects_in_database": Project.objects.count(), "database": connection.vendor,
                               "isolated_processes": isolated,
                               "debug": settings.DEBUG, "goals": {LABELS[f]: GOALS[f] for f in formats},
                               "parent_rss_mb": _status_mb("VmRSS"), "exports": {}}
        with tempfile.TemporaryDirectory() as folder:
            for fmt in formats:
                if not isolated:
                    out["exports"][LABELS[fmt]] = _measure(fmt, user.pk, os.path.join(folder, fmt))
                    continue
                out["exports"][LABELS[fmt]] = self._child(fmt, options["timeout"])
                # as each export ends, so that a long run stopped half-way still tells what it measured
                self.stderr.write(f"{LABELS[fmt]}: {json.dumps(out['exports'][LABELS[fmt]])}")
        for fmt in formats:
            figures, goal = out["exports"][LABELS[fmt]], GOALS[fmt]
            figures["meets_goals"] = "error" not in figures and all(
                figures.get(key) is not None and figures[key] <= limit for key, limit in goal.items())
        self.stdout.write(json.dumps(out, indent=2))
