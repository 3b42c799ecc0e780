"""Duplicate detection runs and their review (writes).

A full scan reads every project, runs the engine, and brings the flags in step with what it
found (``flag_life.flags_sync``: new pairs open, decided pairs stay decided unless one project
changed materially, pairs no longer found are resolved). An incremental check does the same for
the pairs of a few projects. Both are recorded as analysis runs with counts and durations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from coordination.analysis.duplicates import DuplicateIndex, Finding
from coordination.models import AnalysisRun, DuplicateFlag, FlagStatus
from coordination.runs import recorded_run, run_counts
from coordination.selectors.duplicates import duplicate_candidate_ids, duplicate_records, municipality_place_names
from coordination.services.flag_life import Observed, flag_review_check, flag_set_decision, flags_sync
from projects.models import Project

REVIEW_PERMISSION = "coordination.change_duplicateflag"
DECISIONS = (FlagStatus.OPEN, FlagStatus.CONFIRMED, FlagStatus.RELATED, FlagStatus.DISMISSED)


def _pair_fingerprint(digests: dict[int, str], a: int, b: int) -> str:
    return hashlib.sha256(f"{digests.get(a, '')}:{digests.get(b, '')}".encode()).hexdigest()[:32]


def _observed(findings: list[Finding], digests: dict[int, str]) -> list[Observed]:
    return [
        Observed(
            key=(f.a, f.b),
            fingerprint=_pair_fingerprint(digests, f.a, f.b),
            values={"score": f.score, "kind": f.kind,
                    "reasons": [{"code": r.code, "params": r.params} for r in f.reasons]},
        )
        for f in findings
    ]


def _sync(findings: list[Finding], digests: dict[int, str], scope, run: AnalysisRun) -> dict[str, int]:
    return flags_sync(
        model=DuplicateFlag, scope=scope, observed=_observed(findings, digests),
        key_of=lambda flag: (flag.project_a_id, flag.project_b_id),
        build=lambda obs: DuplicateFlag(project_a_id=obs.key[0], project_b_id=obs.key[1]),
        value_fields=["score", "kind", "reasons"], run=run,
    )


def duplicates_full_scan(*, user=None, progress: Callable[[int, int], None] | None = None) -> AnalysisRun:
    """Scan the whole portfolio (nightly, or ``detect_duplicates --full``)."""
    with recorded_run(kind=AnalysisRun.Kind.DUPLICATES, mode=AnalysisRun.Mode.FULL, user=user) as rec:
        records, digests = duplicate_records()

        def report(done: int, total: int) -> None:
            rec.progress(done, total)
            if progress:
                progress(done, total)

        index = DuplicateIndex(records, place_names=municipality_place_names())
        findings, pairs_scored = index.scan(progress=report)
        counts = _sync(findings, digests, DuplicateFlag.objects.all(), rec.run)
        run_counts(rec, {"projects": len(records), "pairs_scored": pairs_scored, "findings": len(findings),
                         "by_kind": _by_kind(findings), **counts})
    return rec.run


def duplicates_check_projects(*, project_ids: list[int], user=None) -> AnalysisRun:
    """Re-check the pairs of some projects (queued on commit when a project changes)."""
    with recorded_run(kind=AnalysisRun.Kind.DUPLICATES, mode=AnalysisRun.Mode.INCREMENTAL, user=user) as rec:
        ids = sorted(set(Project.objects.filter(pk__in=project_ids).values_list("id", flat=True)))
        pool = duplicate_candidate_ids(ids) if ids else []
        records, digests = duplicate_records(pool)
        index = DuplicateIndex(records, place_names=municipality_place_names())
        findings: dict[tuple[int, int], Finding] = {}
        for pid in ids:
            for finding in index.check(pid):
                findings[(finding.a, finding.b)] = finding
        scope = DuplicateFlag.objects.filter(Q(project_a_id__in=ids) | Q(project_b_id__in=ids))
        counts = _sync(list(findings.values()), digests, scope, rec.run)
        rec.progress(len(ids), len(ids), force=True)
        run_counts(rec, {"projects_checked": len(ids), "compared_with": len(records), "findings": len(findings),
                         "by_kind": _by_kind(findings.values()), **counts})
    return rec.run


def _by_kind(findings) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.kind] = out.get(f.kind, 0) + 1
    return out


def duplicate_flag_review(*, flag: DuplicateFlag, user, decision: str, note: str = "",
                          counted_project_id: int | None = None) -> DuplicateFlag:
    """Confirm a duplicate, mark the pair as related / co-funded, dismiss it as distinct, or open
    it again. A confirmed double report names the record that counts: the other record is then
    marked ``duplicate_of`` it, so money totals count the project once."""
    note = flag_review_check(user=user, status=decision, note=note, permission=REVIEW_PERMISSION,
                             statuses=DECISIONS)
    counts_once = decision == FlagStatus.CONFIRMED and flag.kind == DuplicateFlag.Kind.REPORTED_TWICE
    if counts_once and counted_project_id not in (flag.project_a_id, flag.project_b_id):
        raise ValidationError({"counted_project": _("Say which of the two records counts.")})
    with transaction.atomic():
        locked = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
        _undo_counting(locked, user)
        flag_set_decision(locked, user=user, status=decision, note=note)
        locked.counted_project_id = counted_project_id if counts_once else None
        locked.save()
        if counts_once:
            other_id = locked.project_b_id if counted_project_id == locked.project_a_id else locked.project_a_id
            other = Project.objects.select_for_update().get(pk=other_id)
            other.duplicate_of_id = counted_project_id
            other._history_user = user
            other.save(update_fields=["duplicate_of", "updated_at"])
    return locked


def _undo_counting(flag: DuplicateFlag, user) -> None:
    """A decision taken back: the record that did not count counts again."""
    if not flag.counted_project_id:
        return
    other_id = flag.project_b_id if flag.counted_project_id == flag.project_a_id else flag.project_a_id
    other = Project.objects.select_for_update().get(pk=other_id)
    if other.duplicate_of_id == flag.counted_project_id:
        other.duplicate_of_id = None
        other._history_user = user
        other.save(update_fields=["duplicate_of", "updated_at"])
