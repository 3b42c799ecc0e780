"""Writes of the stored coverage figures (``coordination.models.CoverageFigure``): the gap runs call
``coverage_scopes_store`` with what they analysed, so pages and the API read figures instead of running the
engine per request. Bulk writes, idempotent (a scope's rows for the municipalities analysed are replaced
whole), all or nothing: a run that fails leaves the previous figures."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from common.geojson import web_geometry
from coordination.analysis.gaps import GapAnalysis, GapFigure
from coordination.models import AnalysisRun, CoverageFigure, CoverageScope, CoverageSummary
from coordination.selectors.gaps import GapInputs, municipality_shapes
from projects.models import Project, ReviewState
from projects.selectors.money import usd_attributed

FIGURE_FIELDS = ("active_projects", "partners", "budget_usd", "projects_without_budget", "population", "severity",
                 "people_in_need", "displaced", "returnees", "need_assessed_on", "budget_per_capita",
                 "budget_per_person_in_need", "gap_score", "unreached")


def coverage_scope_projects(scope: str) -> QuerySet[Project] | None:
    """The projects a scope's figures are computed over (None: every project, the ministry's full view)."""
    return None if scope == CoverageScope.ALL else Project.objects.filter(state=ReviewState.ACCEPTED)


def _money(scope: str) -> tuple[dict[Any, dict[str, Any]], dict[Any, dict[str, Any]]]:
    """USD attributed per municipality and per municipality × sector, over every counted project of the scope
    that is not a confirmed double report (the map's money: ``coordination.selectors.map``), two queries."""
    base = coverage_scope_projects(scope)
    selected = (Project.objects.all() if base is None else base).filter(duplicate_of__isnull=True)
    return usd_attributed(selected), usd_attributed(selected, per_sector=True)


def _row(scope: str, f: GapFigure, *, on: dt.date, as_of: dt.datetime, run: AnalysisRun | None,
         money: dict[str, Any] | None) -> CoverageFigure:
    row = CoverageFigure(scope=scope, municipality_id=f.municipality_id, sector_id=f.sector_id, run=run, on=on,
                         as_of=as_of, **{k: getattr(f, k) for k in FIGURE_FIELDS})
    if money:
        row.usd_attributed = float(money["usd"])
        row.usd_unconverted = sorted(money["unconverted"])
    return row


KEY_FIELDS = ("municipality_id", "sector_id")
FLOAT_FIELDS = frozenset({"budget_usd", "usd_attributed", "budget_per_capita", "budget_per_person_in_need",
                          "gap_score"})
COMPARED_FIELDS = (*FIGURE_FIELDS, "usd_attributed", "usd_unconverted", "web_geometry", "area_is_official")


def _facts_of(rows: Iterable[dict[str, Any]]) -> dict[tuple[Any, Any], str]:
    """Rows by key, each as comparable text (JSON columns come back from the database as Python values)."""
    def fact(key: str, value: Any) -> Any:
        return float(value) if key in FLOAT_FIELDS and value is not None else value

    return {(r["municipality_id"], r["sector_id"]): json.dumps([fact(k, r[k]) for k in COMPARED_FIELDS], default=str,
                                                               sort_keys=True)
            for r in rows}


def summary_body(inputs: GapInputs, analysis: GapAnalysis) -> dict[str, Any]:
    """Every sector's roll-ups of a full analysis, as the summary API narrows them to one (plain JSON)."""
    return {
        "counts": analysis.counts, "settings": asdict(analysis.settings),
        "country": [asdict(a) for a in analysis.country], "regions": [asdict(a) for a in analysis.regions],
        "districts": [asdict(a) for a in analysis.districts],
        "concentration": [asdict(c) for c in analysis.concentration],
        "sectors_without_active_project": [inputs.sector_info[s][0] for s in analysis.sectors_without_active_project],
        "unconverted_budgets": inputs.unconverted,
    }


def coverage_scopes_store(*, analyses: Iterable[tuple[str, GapInputs, GapAnalysis]],
                          municipality_ids: list[int] | None, run: AnalysisRun | None) -> int:
    """Replace the stored figures of each (scope, inputs, analysis) for the municipalities analysed (every one
    when ``municipality_ids`` is None, with the scope's roll-ups then), in one transaction. Returns the rows
    written. Figures are about the present: an analysis of another day than today is not stored."""
    analyses = [a for a in analyses if a[2].on == timezone.localdate()]
    if not analyses:
        return 0
    as_of = timezone.now()
    shapes = municipality_shapes()
    only = None if municipality_ids is None else set(municipality_ids)
    written = 0
    with transaction.atomic():
        for scope, inputs, analysis in analyses:
            by_place, by_cell = _money(scope)
            rows = []
            for f in analysis.municipalities:
                row = _row(scope, f, on=analysis.on, as_of=as_of, run=run, money=by_place.get(f.municipality_id))
                geom, official = shapes.get(f.municipality_id, (None, None))
                row.web_geometry, row.area_is_official = web_geometry(geom), official
                rows.append(row)
            rows += [_row(scope, c, on=analysis.on, as_of=as_of, run=run,
                          money=by_cell.get((c.municipality_id, c.sector_id))) for c in analysis.cells]
            held = CoverageFigure.objects.filter(scope=scope)
            if only is not None:
                held = held.filter(municipality_id__in=only)
            if _facts_of(held.values(*KEY_FIELDS, *COMPARED_FIELDS)) != _facts_of(
                    {k: getattr(r, k) for k in (*KEY_FIELDS, *COMPARED_FIELDS)} for r in rows):
                held.delete()
                CoverageFigure.objects.bulk_create(rows, batch_size=2000)
                written += len(rows)
            else:
                # Unchanged: the figures keep the time they were found, so that time never moves with a change
                # of records a reader may not see (another partner's draft re-checked); only the day they hold for.
                held.update(on=analysis.on)
            if only is None:
                body = summary_body(inputs, analysis)
                summary = CoverageSummary.objects.filter(scope=scope).first()
                if summary is None or summary.body != body:
                    CoverageSummary.objects.update_or_create(scope=scope, defaults={
                        "run": run, "on": analysis.on, "as_of": as_of, "body": body})
                else:
                    CoverageSummary.objects.filter(pk=summary.pk).update(on=analysis.on)
    return written
