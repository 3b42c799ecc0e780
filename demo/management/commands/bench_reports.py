"""``python manage.py bench_reports [--repeat R] [--language ar|en]``

Times the reports as one JSON object: a meeting report of 20 agenda items and 50 linked projects (the contract's
content dict, ``demo.report_sample``; its map drawn from the current database's geography) as PDF (goal ≤ 3 s)
and DOCX (goal ≤ 1 s), and the municipality portfolio report of the municipality with the most projects on
the current database, read as a ministry analyst (goal ≤ 5 s at 100,000 projects): its content (the
municipality file's selector), then PDF and DOCX. Each figure is the median of ``--repeat`` runs after one
warm-up run (the first run also loads the fonts; it is reported as ``first_seconds``), with the CPU seconds
of the process beside the wall time (a shared machine's wall time counts the waits for a core too).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.utils import translation

from coordination.reports.docx import render_docx
from coordination.reports.meeting import meeting_report_document
from coordination.reports.pdf import render_pdf
from coordination.reports.portfolio import municipality_report_document
from coordination.roles import MINISTRY_ANALYST, roles_sync
from coordination.selectors.places import municipality_file
from coordination.selectors.report_maps import report_map_context, report_map_places
from demo.report_sample import sample_meeting_content
from municipalities.models import Municipality
from projects.models import Project

BENCH_USER = "bench-analyst"
GOALS = {"meeting_pdf": 3.0, "meeting_docx": 1.0, "municipality_pdf": 5.0}


def _timed(action: Callable[[], Any], repeat: int) -> tuple[dict[str, float], Any]:
    """Wall seconds (first run, median and max of ``repeat`` more) and the median CPU seconds of this process:
    on a shared machine the wall time also counts the waits for a core, the CPU time does not."""
    started = time.perf_counter()
    result = action()
    first = time.perf_counter() - started
    runs, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = action()
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    runs, cpu = runs or [first], cpu or [None]
    return {"first_seconds": round(first, 3), "seconds": round(statistics.median(runs), 3),
            "max_seconds": round(max(runs), 3),
            "cpu_seconds": round(statistics.median(cpu), 3) if cpu[0] is not None else None}, result


def _pages(pdf: bytes) -> int | None:
    try:
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    line = next((x for x in info.decode("utf-8", "replace").splitlines() if x.startswith("Pages:")), "")
    return int(line.split()[-1]) if line else None


class Command(BaseCommand):
    help = "Time the meeting report (20 items, 50 projects) and the largest municipality's report; print JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--language", choices=["ar", "en"], default="ar")

    def handle(self, *args: Any, repeat: int, language: str, **options: Any) -> None:
        repeat = max(0, repeat)
        outlines, points = report_map_context()
        out: dict[str, Any] = {"language": language, "repeat": repeat, "goals_seconds": GOALS,
                               "projects_in_database": Project.objects.count()}
        content = sample_meeting_content(language=language, agenda_items=20, projects=50)
        places = report_map_places(content["municipality_pcodes"], language=language)
        document = meeting_report_document(content, places=places, outlines=outlines, context_points=points)
        pdf_time, pdf = _timed(lambda: render_pdf(document), repeat)
        docx_time, docx = _timed(lambda: render_docx(document), repeat)
        out["meeting"] = {"agenda_items": 20, "linked_projects": 50, "pdf": {**pdf_time, "bytes": len(pdf),
                                                                            "pages": _pages(pdf)},
                          "docx": {**docx_time, "bytes": len(docx)}}
        out["municipality"] = self._municipality(language, outlines, points, repeat)
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))

    def _municipality(self, language: str, outlines: list, points: list, repeat: int) -> dict[str, Any] | None:
        m = (Municipality.objects.select_related("district__region").annotate(n=Count("project_locations"))
             .order_by("-n", "pk").first())
        if m is None:
            return None
        roles_sync()
        user, _created = get_user_model().objects.get_or_create(username=BENCH_USER, defaults={"is_active": True})
        user.groups.add(Group.objects.get(name=MINISTRY_ANALYST))
        user = get_user_model().objects.get(pk=user.pk)  # fresh permission cache

        def content() -> dict[str, Any]:
            with translation.override(language):
                return municipality_file(user, m)

        content_time, data = _timed(content, repeat)
        with translation.override(language):
            document = municipality_report_document(data, language=language, outlines=outlines,
                                                    context_points=points)
        pdf_time, pdf = _timed(lambda: render_pdf(document), repeat)
        docx_time, docx = _timed(lambda: render_docx(document), repeat)
        return {"name": m.name_en, "pcode": m.pcode, "projects": m.n, "content": content_time,
                "pdf": {**pdf_time, "bytes": len(pdf), "pages": _pages(pdf)}, "docx": {**docx_time, "bytes": len(docx)},
                "total_pdf_seconds": round(content_time["seconds"] + pdf_time["seconds"], 3)}
