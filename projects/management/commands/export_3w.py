"""``manage.py export_3w --format csv|xlsx [--output FILE] [--all-states]``: the 3W/4W sheet with HXL hashtags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects.exchange.selectors.threew import threew_csv, threew_queryset, threew_xlsx


class Command(BaseCommand):
    help = "Write the 3W/4W spreadsheet (one row per project × municipality × sector), CSV or XLSX."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", type=Path, help="File to write; CSV goes to stdout without it.")
        parser.add_argument("--all-states", action="store_true", help="Include projects not yet accepted.")

    def handle(self, *args: Any, **options: Any) -> None:
        projects = threew_queryset(all_states=options["all_states"])
        output: Path | None = options["output"]
        if options["format"] == "xlsx":
            if output is None:
                raise CommandError(_("An XLSX file needs --output FILE."))
            output.write_bytes(threew_xlsx(projects))
        elif output is None:
            self.stdout.write(threew_csv(projects), ending="")
        else:
            output.write_text(threew_csv(projects), encoding="utf-8-sig")  # Excel opens Arabic UTF-8 with the BOM
        if output is not None:
            self.stdout.write(_("written %(path)s") % {"path": output})
