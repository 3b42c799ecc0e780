"""Writes of the gap analysis: full run, re-checks, and the review of gap flags; and the reads that run
the engine on request (``gap_analysis_on``, ``gap_flags_found_for``), which write nothing.

Flags are about the present: runs analyse today (``on`` is there for tests and back-dated runs);
the figures for another date are read through ``coordination.selectors.gaps`` without flags.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from coordination.analysis.gaps import GapAnalysis, GapSettings, gap_analysis, gap_findings
from coordination.models import AnalysisRun, CoverageScope, GapFlag
from coordination.runs import recorded_run, run_counts
from coordination.selectors.gaps import (
    GapInputs,
    gap_finding_rows,
    gap_inputs,
    municipality_ids_of_projects,
    municipality_lookup,
)
from coordination.services.coverage import coverage_scope_projects, coverage_scopes_store
from coordination.services.flag_life import Observed, flag_review, flags_sync
from projects.models import Project
from projects.selectors.projects import projects_counted_for

GAP_VALUE_FIELDS = ("score", "reasons", "severity", "people_in_need")


def gap_settings() -> GapSettings:
    return GapSettings.from_mapping(getattr(settings, "TANSIQ_GAP_SETTINGS", None))


def gap_analysis_on(*, on: dt.date | None = None, municipality_ids: Iterable[int] | None = None,
                    projects: QuerySet[Project] | None = None) -> tuple[GapInputs, GapAnalysis]:
    """Read the data and run the engine (no writes): for the API, the commands and the runs.
    ``projects``: the projects that may count, a reader's ``projects_counted_for`` for what they are
    shown; None for the ministry's full view (the runs and their flags, the commands)."""
    day = on or timezone.localdate()
    inputs = gap_inputs(on=day, municipality_ids=municipality_ids, projects=projects)
    analysis = gap_analysis(municipalities=inputs.municipalities, sector_ids=inputs.sector_ids,
                            projects=inputs.projects, needs=inputs.needs, on=day, settings=gap_settings())
    return inputs, analysis


def gap_flags_found_for(*, user: Any, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The gap flags of a reader who is not served the stored ones (``gap_flags_stored_for``): today's
    gaps found over the projects their derived data may draw on (``projects_counted_for``), the same
    analysis their coverage figures show, as rows shaped like flags without a review life
    (``gap_finding_rows``). No write: nothing of it is stored, and the ministry's flags are not touched."""
    f = dict(filters or {})
    municipality_ids = None
    if f.get("municipality"):
        found = municipality_lookup(f["municipality"])
        municipality_ids = [] if found is None else [found]
    inputs, analysis = gap_analysis_on(municipality_ids=municipality_ids, projects=projects_counted_for(user))
    return gap_finding_rows(inputs, gap_findings(analysis), filters=f)


def _observed(analysis: GapAnalysis) -> list[Observed]:
    return [
        Observed(key=(f.municipality_id, f.sector_id), fingerprint=f.fingerprint,
                 values={"score": f.score, "reasons": [f.reason()], "severity": f.severity,
                         "people_in_need": f.people_in_need})
        for f in gap_findings(analysis)
    ]


def _sync(analysis: GapAnalysis, scope, run: AnalysisRun) -> dict[str, int]:
    return flags_sync(
        model=GapFlag, scope=scope, observed=_observed(analysis),
        key_of=lambda f: (f.municipality_id, f.sector_id),
        build=lambda obs: GapFlag(municipality_id=obs.key[0], sector_id=obs.key[1]),
        value_fields=GAP_VALUE_FIELDS, run=run,
    )


def _run(*, mode: str, on: dt.date | None, municipality_ids: list[int] | None,
         user: AbstractBaseUser | None) -> AnalysisRun:
    with recorded_run(kind=AnalysisRun.Kind.GAPS, mode=mode, user=user) as rec:
        rec.progress(0, 3, force=True)
        inputs, analysis = gap_analysis_on(on=on, municipality_ids=municipality_ids)
        accepted = gap_analysis_on(on=on, municipality_ids=municipality_ids,
                                   projects=coverage_scope_projects(CoverageScope.ACCEPTED))
        rec.progress(2, 3)
        scope = GapFlag.objects.all()
        if municipality_ids is not None:
            scope = scope.filter(municipality_id__in=municipality_ids)
        synced = _sync(analysis, scope, rec.run)
        # Last, in one transaction: a run that fails on the way leaves the figures the previous one stored.
        stored = coverage_scopes_store(analyses=[(CoverageScope.ALL, inputs, analysis),
                                                 (CoverageScope.ACCEPTED, *accepted)],
                                       municipality_ids=municipality_ids, run=rec.run)
        run_counts(rec, {
            "date": analysis.on.isoformat(), "projects_considered": len(inputs.projects), **analysis.counts,
            "flags": synced, "figures_stored": stored, "unconverted_budgets": inputs.unconverted,
        })
        rec.progress(3, 3, force=True)
    return rec.run


def gaps_full_run(*, on: dt.date | None = None, user: AbstractBaseUser | None = None) -> AnalysisRun:
    """Analyse every municipality and sector, and bring the gap flags in step (recorded as a run)."""
    return _run(mode=AnalysisRun.Mode.FULL, on=on, municipality_ids=None, user=user)


def gaps_check_municipalities(*, municipality_ids: Iterable[int], on: dt.date | None = None,
                              user: AbstractBaseUser | None = None) -> AnalysisRun | None:
    """Re-check some municipalities (after their projects or needs changed)."""
    ids = sorted(set(municipality_ids))
    if not ids:
        return None
    return _run(mode=AnalysisRun.Mode.INCREMENTAL, on=on, municipality_ids=ids, user=user)


def gaps_check_projects(*, project_ids: Iterable[int], on: dt.date | None = None,
                        user: AbstractBaseUser | None = None) -> AnalysisRun | None:
    """Re-check the municipalities where these projects work."""
    return gaps_check_municipalities(municipality_ids=municipality_ids_of_projects(project_ids), on=on, user=user)


def gap_flag_review(*, flag: GapFlag, user: AbstractBaseUser, status: str, note: str = "",
                   by_committee: bool = False) -> GapFlag:
    return flag_review(model=GapFlag, flag=flag, user=user, status=status, note=note,
                       permission="coordination.change_gapflag", by_committee=by_committee)
