"""``python manage.py detect_delays [--format table|json|csv] [--today YYYY-MM-DD] [--save]``"""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from coordination.analysis.delays import delay_reason_text
from coordination.services.delays import delays_detect, delays_full_scan
from projects.models import Project

SEVERITY = {1: "low", 2: "medium", 3: "high"}


class Command(BaseCommand):
    help = ("Run the delay rules over every project and list the delayed ones (rule, severity, score, reason). "
            "--save also records a full scan and updates the delay flags.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument("--today", help="Judge against this date, YYYY-MM-DD (default: today)")
        parser.add_argument("--save", action="store_true", help="Record a full scan and update the delay flags.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError:
            raise CommandError("--today: write the date as YYYY-MM-DD.") from None
        findings = delays_detect(today=today)
        info = {p_id: (title_en or title_ar, partner or "") for p_id, title_en, title_ar, partner in
                Project.objects.filter(id__in={f.project_id for f in findings}).values_list(
                    "id", "title_en", "title_ar", "reporting_partner__acronym")}
        rows = [{"project_id": f.project_id, "title": info.get(f.project_id, ("", ""))[0],
                 "partner": info.get(f.project_id, ("", ""))[1], "rule": f.rule, "severity": SEVERITY[f.severity],
                 "score": f.score, "reason": delay_reason_text(f.reason(), today), "params": f.params}
                for f in sorted(findings, key=lambda f: (-f.score, f.project_id, f.rule))]
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps({"today": today.isoformat(), "delayed_projects":
                                          len({r["project_id"] for r in rows}), "findings": rows},
                                         ensure_ascii=False, indent=1))
        elif fmt == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=["project_id", "title", "partner", "rule", "severity",
                                                             "score", "reason"],
                                    extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            self.stdout.write(f"{'project':>8} {'partner':<10} {'rule':<17} {'sev':<6} {'score':>5}  reason")
            for r in rows:
                self.stdout.write(f"{r['project_id']:>8} {r['partner'][:10]:<10} {r['rule']:<17} {r['severity']:<6} "
                                  f"{r['score']:>5.2f}  {r['reason']}")
            self.stdout.write(f"{len({r['project_id'] for r in rows})} delayed projects, {len(rows)} rule findings "
                              f"on {today.isoformat()}.")
        if options["save"]:
            run = delays_full_scan(today=today)
            self.stderr.write(f"Run #{run.pk} recorded: flags {run.counts.get('flags')}")
