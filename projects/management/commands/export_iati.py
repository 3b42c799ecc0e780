"""``manage.py export_iati [--partner IATI_REF] [--all-states] > file.xml``: publish projects as IATI 2.03."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects.exchange.selectors.iati_export import export_queryset, iati_export, iati_write


class Command(BaseCommand):
    help = "Write the accepted projects (optionally one partner's) as an IATI 2.03 activities file to stdout."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partner", metavar="IATI_REF", help="Only projects this partner reports or takes part in.")
        parser.add_argument("--all-states", action="store_true", help="Include projects not yet accepted.")
        parser.add_argument("--output", metavar="FILE", help="Stream to this file (bounded memory) instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        projects = export_queryset(partner_ref=options["partner"], all_states=options["all_states"])
        if options["output"]:
            result = iati_write(projects, options["output"])
        else:
            result = iati_export(projects)
        for project, reason in result.left_out:
            self.stderr.write(_("left out %(project)s: %(reason)s") % {"project": project, "reason": reason})
        if not result.exported:
            # the schema needs at least one activity: an empty file would not be valid IATI
            raise CommandError(_("No project to export."))
        if not options["output"]:
            self.stdout.write(result.xml.decode("utf-8"), ending="")
