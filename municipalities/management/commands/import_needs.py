"""``python manage.py import_needs FILE [--dry-run]``: needs assessments from CSV (UTF-8) or XLSX."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from municipalities.needs_import import NeedsImportError, needs_import


class Command(BaseCommand):
    help = (
        "Import needs (municipality p-code or key, sector code, severity 1-5, people in need, displaced, "
        "returnees, source, date) from a CSV (UTF-8) or XLSX file. Every row is checked first: any error "
        "and nothing is written. Re-importing the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file with a header row.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")

    def handle(self, *args, **options) -> None:
        try:
            report = needs_import(path=options["file"], dry_run=options["dry_run"])
        except NeedsImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)s error(s): nothing was imported.") % {"count": len(exc.errors)}) from None
        summary = _("%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged "
                    "(%(municipalities)s municipalities touched).") % {
            "rows": report.rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "municipalities": len(report.municipality_ids)}
        if report.dry_run:
            summary = _("Dry run, nothing written: %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
