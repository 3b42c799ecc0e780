"""``manage.py iati_rulesets_check --codelists DIR [--file FILE]``: IATI Rulesets-style failures, as JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from lxml import etree

from projects.exchange.formats.iati_rulesets import codelists_read, failures_by_rule, iati_rules_check
from projects.exchange.selectors.iati_export import export_queryset, iati_write


class Command(BaseCommand):
    help = ("Check an IATI file (or the export of every project) against IATI Rulesets-style rules with the "
            "Standard's codelist files, and print the failures per rule as JSON.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--codelists", type=Path, required=True, help="Directory of the IATI codelist XML files.")
        parser.add_argument("--file", type=Path, help="The IATI file to check (default: export every project).")
        parser.add_argument("--examples", type=int, default=0, help="Also print this many failures per rule.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            doc = etree.parse(str(options["file"])).getroot()
        else:
            buffer = io.BytesIO()
            iati_write(export_queryset(all_states=True), buffer)
            doc = etree.fromstring(buffer.getvalue())
        failures = iati_rules_check(doc, codelists_read(options["codelists"]), today=dt.date.today(),
                                    own_refs=frozenset({settings.IATI_REPORTING_ORG_REF}))
        out: dict[str, Any] = {"activities": len(doc.findall("iati-activity")), "failures": len(failures),
                               "activities_failing": len({f.activity for f in failures}),
                               "by_rule": failures_by_rule(failures)}
        if options["examples"]:
            examples: dict[str, list[str]] = {}
            for failure in failures:
                if len(examples.setdefault(failure.rule, [])) < options["examples"]:
                    examples[failure.rule].append(f"{failure.activity}: {failure.message}")
            out["examples"] = examples
        self.stdout.write(json.dumps(out, indent=1, ensure_ascii=False))
