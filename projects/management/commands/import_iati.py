"""``manage.py import_iati FILE_OR_DIR [...] [--dry-run]``: import IATI 2.03 activity files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects.exchange.formats.iati_xml import IatiFileError
from projects.exchange.services.iati_import import iati_import, iati_load_files


class Command(BaseCommand):
    help = "Import IATI activity files (a directory imports its *.xml), all in one transaction."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Report what would change and save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = iati_load_files(options["paths"])
            report = iati_import(files=files, dry_run=options["dry_run"])
        except IatiFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.skipped:
            self.stderr.write(_("%(count)s activities were skipped (see above).") % {"count": report.skipped})
