"""Writes of the delay analysis: full scan, re-check of some projects, and the review of delay flags."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from coordination.analysis.delays import DelayFinding, DelayThresholds, delay_findings
from coordination.models import AnalysisRun, DelayFlag
from coordination.runs import recorded_run, run_counts
from coordination.selectors.delays import delay_inputs
from coordination.services.flag_life import Observed, flag_review, flags_sync

DELAY_VALUE_FIELDS = ("score", "reasons", "severity")


def delay_thresholds() -> DelayThresholds:
    return DelayThresholds.from_mapping(getattr(settings, "TANSIQ_DELAY_THRESHOLDS", None))


def delays_detect(*, today: dt.date | None = None, project_ids: Iterable[int] | None = None) -> list[DelayFinding]:
    """Read the projects and run the rules (no writes)."""
    day = today or timezone.localdate()
    return delay_findings(delay_inputs(project_ids=project_ids), day, delay_thresholds())


def _run(*, mode: str, today: dt.date | None, project_ids: list[int] | None,
         user: AbstractBaseUser | None) -> AnalysisRun:
    day = today or timezone.localdate()
    with recorded_run(kind=AnalysisRun.Kind.DELAYS, mode=mode, user=user) as rec:
        rec.progress(0, 3, force=True)
        records = delay_inputs(project_ids=project_ids)
        findings = delay_findings(records, day, delay_thresholds())
        rec.progress(2, 3)
        observed = [
            Observed(key=(f.project_id, f.rule), fingerprint=f.fingerprint,
                     values={"score": f.score, "severity": f.severity, "reasons": [f.reason()]})
            for f in findings
        ]
        scope = DelayFlag.objects.all()
        if project_ids is not None:
            scope = scope.filter(project_id__in=project_ids)
        synced = flags_sync(
            model=DelayFlag, scope=scope, observed=observed, key_of=lambda f: (f.project_id, f.rule),
            build=lambda obs: DelayFlag(project_id=obs.key[0], rule=obs.key[1]),
            value_fields=DELAY_VALUE_FIELDS, run=rec.run,
        )
        run_counts(rec, {
            "date": day.isoformat(), "projects_considered": len(records),
            "delayed_projects": len({f.project_id for f in findings}), "findings": len(findings),
            "by_rule": dict(sorted(Counter(f.rule for f in findings).items())), "flags": synced,
        })
        rec.progress(3, 3, force=True)
    return rec.run


def delays_full_scan(*, today: dt.date | None = None, user: AbstractBaseUser | None = None) -> AnalysisRun:
    """Run the delay rules over every project and bring the delay flags in step (recorded as a run)."""
    return _run(mode=AnalysisRun.Mode.FULL, today=today, project_ids=None, user=user)


def delays_check_projects(*, project_ids: Iterable[int], today: dt.date | None = None,
                          user: AbstractBaseUser | None = None) -> AnalysisRun | None:
    """Re-check some projects (after they or their updates changed)."""
    ids = sorted(set(project_ids))
    if not ids:
        return None
    return _run(mode=AnalysisRun.Mode.INCREMENTAL, today=today, project_ids=ids, user=user)


def delay_flag_review(*, flag: DelayFlag, user: AbstractBaseUser, status: str, note: str = "",
                   by_committee: bool = False) -> DelayFlag:
    return flag_review(model=DelayFlag, flag=flag, user=user, status=status, note=note,
                       permission="coordination.change_delayflag", by_committee=by_committee)
