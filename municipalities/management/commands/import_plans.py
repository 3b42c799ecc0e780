"""python manage.py import_plans FILE [--dry-run]: development plans and objectives from CSV, XLSX or JSON."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from municipalities.plans_import import PlansImportError, plans_import


class Command(BaseCommand):
    help = "Import development plans and their objectives (CSV, XLSX or JSON); all rows or none."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")

    def handle(self, *args, **options) -> None:
        try:
            report = plans_import(path=options["file"], dry_run=options["dry_run"])
        except PlansImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} error(s): nothing was written.") from None
        prefix = "Dry run: " if report.dry_run else ""
        self.stdout.write(f"{prefix}{report.plans} plan(s), {report.objectives} objective(s): {report.created} created, "
                          f"{report.updated} updated, {report.unchanged} unchanged.")
