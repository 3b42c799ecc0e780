import json

from django.core.management.base import BaseCommand, CommandError

from coordination.models import FlagStatus
from coordination.reasons import reason_text
from coordination.selectors.duplicates import duplicate_flag_list

COLUMNS = ["project_a", "project_b", "score", "kind", "status", "reasons", "counted_project", "decision_note"]


def _ref(project) -> str:
    return project.iati_identifier or str(project.pk)


class Command(BaseCommand):
    help = "Write the flagged pairs of projects as CSV or JSON (to standard output, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--status", choices=[s.value for s in FlagStatus])
        parser.add_argument("--output", help="a file to write instead of standard output")

    def handle(self, *args, **options):
        from common.spreadsheets import csv_text

        flags = duplicate_flag_list().order_by("-score", "pk")
        if options["status"]:
            flags = flags.filter(status=options["status"])
        rows = []
        for flag in flags.iterator(chunk_size=2000):
            rows.append({
                "project_a": _ref(flag.project_a), "project_b": _ref(flag.project_b), "score": flag.score,
                "kind": flag.kind, "status": flag.status,
                "reasons": [reason_text(r) for r in flag.reasons],
                "counted_project": _ref(flag.counted_project) if flag.counted_project else "",
                "decision_note": flag.decision_note,
            })
        if options["format"] == "json":
            text = json.dumps(rows, ensure_ascii=False, indent=1)
        else:
            text = csv_text(COLUMNS, ([r[c] if c != "reasons" else "; ".join(r[c]) for c in COLUMNS] for r in rows))
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8", newline="") as fh:
                    fh.write(text)
            except OSError as exc:
                raise CommandError(f"Cannot write {options['output']}: {exc}") from None
            self.stderr.write(f"{len(rows)} pairs written to {options['output']}")
        else:
            self.stdout.write(text, ending="")
