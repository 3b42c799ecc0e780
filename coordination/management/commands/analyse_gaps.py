"""``python manage.py analyse_gaps [--date YYYY-MM-DD] [--sector CODE] [--format table|json|csv] [--save]``"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from coordination.selectors.gaps import gap_rows
from coordination.services.gaps import gap_analysis_on, gaps_full_run
from municipalities.models import Sector

COLUMNS = ("municipality_pcode", "municipality_slug", "municipality_name_en", "district_pcode", "sector_code",
           "active_projects", "partners", "budget_usd", "budget_per_capita", "severity", "people_in_need",
           "population", "gap_score", "unreached")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = ("Coverage gaps for a date: each municipality's (or, with --sector, each municipality's figures in "
            "that sector) active projects, partners, USD budget, need and gap score, with roll-ups by district "
            "and region and funding concentration. --save also records a full run and updates the gap flags.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--sector", help="A sector code: figures for that sector")
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument("--save", action="store_true", help="Record a full run and update the gap flags.")

    def handle(self, *args: Any, **options: Any) -> None:
        on = _day(options["date"]) if options["date"] else timezone.localdate()
        sector_id = None
        if options["sector"]:
            sector_id = Sector.objects.filter(code=options["sector"]).values_list("id", flat=True).first()
            if sector_id is None:
                codes = ", ".join(Sector.objects.values_list("code", flat=True))
                raise CommandError(f"No sector {options['sector']!r}. Sectors: {codes}")
        inputs, analysis = gap_analysis_on(on=on)
        figures = analysis.municipalities if sector_id is None else [
            c for c in analysis.cells if c.sector_id == sector_id]
        rows = sorted(gap_rows(inputs, figures), key=lambda r: (-r["gap_score"], r["municipality_slug"]))
        districts = [a for a in analysis.districts if a.sector_id == sector_id]
        regions = [a for a in analysis.regions if a.sector_id == sector_id]
        concentration = next(c for c in analysis.concentration if c.sector_id == sector_id)
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps({
                "date": on.isoformat(), "sector": options["sector"], "counts": analysis.counts,
                "settings": asdict(analysis.settings), "municipalities": rows,
                "districts": [asdict(a) for a in districts], "regions": [asdict(a) for a in regions],
                "concentration": asdict(concentration),
                "sectors_without_active_project": [inputs.sector_info[s][0]
                                                   for s in analysis.sectors_without_active_project],
                "unconverted_budgets": inputs.unconverted,
            }, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
        elif fmt == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            self._table(rows, analysis, concentration, on, options["sector"])
        if options["save"]:
            run = gaps_full_run(on=on)
            self.stderr.write(f"Run #{run.pk} recorded: flags {run.counts.get('flags')}")

    def _table(self, rows, analysis, concentration, on: date, sector: str | None) -> None:
        self.stdout.write(f"Coverage on {on.isoformat()}" + (f", sector {sector}" if sector else ", all sectors"))
        self.stdout.write(f"{'p-code':<9} {'municipality':<26} {'proj':>5} {'partn':>5} {'budget USD':>15} "
                          f"{'USD/cap':>9} {'sev':>3} {'in need':>9} {'gap':>6}  unreached")
        for r in rows:
            per_cap = f"{r['budget_per_capita']:.1f}" if r["budget_per_capita"] is not None else "-"
            self.stdout.write(
                f"{r['municipality_pcode'] or '-':<9} {(r['municipality_name_en'] or r['municipality_slug'])[:26]:<26} "
                f"{r['active_projects']:>5} {r['partners']:>5} {r['budget_usd']:>15,.0f} {per_cap:>9} "
                f"{r['severity'] or '-':>3} {r['people_in_need'] or '-':>9} {r['gap_score']:>6.3f}  "
                f"{'UNREACHED' if r['unreached'] else ''}")
        counts = analysis.counts
        self.stdout.write(
            f"Unreached: {counts['unreached_municipalities']} municipalities, "
            f"{counts['unreached_municipality_sectors']} municipality-sectors with need >= "
            f"{analysis.settings.need_severity_min}. Funding concentration: Gini {concentration.gini:.3f}, "
            f"top {analysis.settings.top_n} municipalities hold {100 * concentration.top_share:.1f}% of "
            f"{concentration.total_usd:,.0f} USD.")
