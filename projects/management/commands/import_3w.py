"""``manage.py import_3w FILE [--preview]``: import a 3W/4W sheet (CSV or XLSX with its HXL row), all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects.exchange.services.spreadsheet_import import (
    MAX_BYTES,
    SpreadsheetError,
    spreadsheet_import,
    spreadsheet_preview,
)


class Command(BaseCommand):
    help = "Validate every row of a 3W/4W sheet and save all its projects, or none when a row is wrong."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--preview", action="store_true", help="Validate and report; save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(_("%(path)s is larger than %(limit)s MB.") % {"path": path, "limit": MAX_BYTES // 2**20})
        try:
            data = path.read_bytes()
            if options["preview"]:
                result = spreadsheet_preview(data=data, name=path.name)
            else:
                result = spreadsheet_import(data=data, name=path.name)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        for line in result.lines():
            self.stdout.write(line)
