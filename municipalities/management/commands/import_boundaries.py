from django.core.management.base import BaseCommand, CommandError

from municipalities.services import BoundaryImportError, boundaries_import


class Command(BaseCommand):
    help = "Load official district or municipality polygons from a GeoJSON file or shapefile (through GDAL)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--level", choices=["district", "municipality"], required=True)
        parser.add_argument("--code-field", help="the attribute holding the p-code (guessed when omitted)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")

    def handle(self, *args, **options):
        try:
            report = boundaries_import(
                path=options["file"], level=options["level"], code_field=options["code_field"],
                dry_run=options["dry_run"],
            )
        except BoundaryImportError as exc:
            raise CommandError(str(exc)) from None
        total = len(report.matched) + len(report.unmatched_codes)
        self.stdout.write(f"{report.level}: {len(report.matched)} of {total} features matched a p-code")
        if report.repaired:
            self.stdout.write(f"repaired invalid geometries: {', '.join(report.repaired)}")
        if report.unmatched_codes:
            self.stdout.write(self.style.WARNING(f"unmatched codes in the file: {', '.join(report.unmatched_codes)}"))
        if report.missing_in_file:
            self.stdout.write(f"{len(report.missing_in_file)} {report.level}s in the database got no polygon from this file")
        if report.approximate_derived:
            self.stdout.write(f"approximate municipality areas derived again: {report.approximate_derived}")
        if options["dry_run"]:
            self.stdout.write("dry run: nothing written")
