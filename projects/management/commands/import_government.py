"""python manage.py import_government FILE [--dry-run]: development allocations and government projects."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.exchange.services.government_import import government_import
from projects.exchange.services.spreadsheet_import import SpreadsheetError


class Command(BaseCommand):
    help = ("Import municipalities' development allocations and the government's own projects from a CSV (UTF-8) "
            "or XLSX sheet with an HXL hashtag row and a #meta+record column (allocation / project). Every row is "
            "checked first; any error and nothing is written. Importing the same sheet again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        try:
            report = government_import(data=data, name=path.name, dry_run=options["dry_run"])
        except SpreadsheetError as exc:
            raise CommandError(f"Nothing was imported:\n{exc}") from None
        for line in report.lines():
            self.stdout.write(line)
