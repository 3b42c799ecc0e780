"""Duplicate detection runs and their review (writes).

A full scan reads every project, runs the engine, and brings the flags in step with what it
found (``flag_life.flags_sync``: new pairs open, decided pairs stay decided unless one project
changed materially, pairs no longer found are resolved). An incremental check does the same for
the pairs of a few projects. Both are recorded as analysis runs with counts and durations.

The full scan also stores every project's blocks (``DuplicateBlockKey``), and each check refreshes
those of the projects it checks: a check then reads and prepares only the checked projects' block-
mates (tens) rather than every project of their municipalities (thousands at 100,000 projects).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from coordination.analysis.duplicates import DuplicateIndex, Finding
from coordination.analysis.duplicates.learning import findings_shown, scan_threshold, thresholds_fit
from coordination.analysis.duplicates.records import Settings
from coordination.models import AnalysisRun, DuplicateBlockKey, DuplicateFlag, DuplicateKindThreshold, FlagStatus
from coordination.runs import recorded_run, run_counts
from coordination.selectors.duplicates import (
    duplicate_block_mates,
    duplicate_broad_sectors,
    duplicate_decided_pairs,
    duplicate_decisions,
    duplicate_kind_thresholds,
    duplicate_latest_full_counts,
    duplicate_projects_identified,
    duplicate_records,
    duplicate_unkeyed_projects,
    municipality_place_names,
)
from coordination.services.flag_life import Observed, flag_review_check, flag_set_decision, flags_sync
from projects.models import Project
from projects.selectors.money import exchange_rate_table
from projects.services import project_set_duplicate_of

REVIEW_PERMISSION = "coordination.change_duplicateflag"
DECISIONS = (FlagStatus.OPEN, FlagStatus.CONFIRMED, FlagStatus.RELATED, FlagStatus.DISMISSED)
DEFAULT = Settings()


def _settings(thresholds: dict[str, float]) -> Settings:
    """The engine's settings, scoring down to the lowest learned threshold (each kind is cut at its own)."""
    return Settings(threshold=scan_threshold(thresholds, DEFAULT.threshold)) if thresholds else DEFAULT


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
    """Scan the whole portfolio (nightly, or ``detect_duplicates --full``), and store every project's
    blocks for the incremental checks."""
    with recorded_run(kind=AnalysisRun.Kind.DUPLICATES, mode=AnalysisRun.Mode.FULL, user=user) as rec:
        records, digests = duplicate_records()

        def report(done: int, total: int) -> None:
            rec.progress(done, total)
            if progress:
                progress(done, total)

        # What reviewers taught (per kind): the checks until the next scan read it from this run's counts.
        thresholds = duplicate_kind_thresholds()
        index = DuplicateIndex(records, place_names=municipality_place_names(), settings=_settings(thresholds))
        keys_stored = _block_keys_rewrite(index)
        findings, pairs_scored = index.scan(progress=report)
        found = len(findings)
        findings = findings_shown(findings, thresholds, duplicate_decided_pairs() if thresholds else set(),
                                  DEFAULT.threshold)
        counts = _sync(findings, digests, DuplicateFlag.objects.all(), rec.run)
        run_counts(rec, {"projects": len(records), "pairs_scored": pairs_scored, "findings": len(findings),
                         "hidden_by_learned_thresholds": found - len(findings), "kind_thresholds": thresholds,
                         "by_kind": _by_kind(findings), "block_keys": keys_stored,
                         "blocks_up_to_project": max(index.prepared, default=0), **counts})
    return rec.run


def duplicates_check_projects(*, project_ids: list[int], user=None) -> AnalysisRun:
    """Re-check the pairs of some projects (queued on commit when a project changes).

    The checked projects are read and prepared first; their blocks give their candidates through the
    stored keys of the others (one indexed query), and only those are read and prepared. Projects
    whose blocks are not stored yet are compared as well (those of the same municipalities, those an
    identifier points at), and their blocks stored, so the findings are the full scan's for these
    projects."""
    with recorded_run(kind=AnalysisRun.Kind.DUPLICATES, mode=AnalysisRun.Mode.INCREMENTAL, user=user) as rec:
        rates, broad = exchange_rate_table(), duplicate_broad_sectors()
        records, digests = (duplicate_records(sorted(set(project_ids)), rates=rates, broad=broad) if project_ids
                            else ([], {}))
        ids = sorted(r.id for r in records)  # deleted ones are gone, with their keys
        latest = duplicate_latest_full_counts()
        thresholds = latest.get("kind_thresholds") or {}
        index = DuplicateIndex(records, place_names=municipality_place_names(), settings=_settings(thresholds))
        keys = {pid: index.block_keys(pid) for pid in ids}
        municipality_ids = {m for r in records for m in r.municipalities}
        unkeyed = duplicate_unkeyed_projects(
            municipality_ids=municipality_ids, national=any(not r.municipalities for r in records),
            after_id=int(latest.get("blocks_up_to_project", 0)),
        ) - set(ids)
        pool = duplicate_block_mates(k for _members, probes in keys.values() for k in probes)
        pool |= duplicate_projects_identified(ident for r in records for _how, ident in r.links)
        pool = (pool | unkeyed) - set(ids)
        others, other_digests = duplicate_records(sorted(pool), rates=rates, broad=broad) if pool else ([], {})
        for record in others:
            index.add(record)
        digests.update(other_digests)
        findings: dict[tuple[int, int], Finding] = {}
        for pid in ids:
            for finding in index.check(pid):
                findings[(finding.a, finding.b)] = finding
        if thresholds:
            shown = findings_shown(findings.values(), thresholds, duplicate_decided_pairs(ids), DEFAULT.threshold)
            findings = {(f.a, f.b): f for f in shown}
        stored = {pid: members for pid, (members, _probes) in keys.items()}
        stored.update((pid, index.block_keys(pid)[0]) for pid in unkeyed & index.prepared.keys())
        _block_keys_replace(stored)
        scope = DuplicateFlag.objects.filter(Q(project_a_id__in=ids) | Q(project_b_id__in=ids))
        counts = _sync(list(findings.values()), digests, scope, rec.run)
        rec.progress(len(ids), len(ids), force=True)
        run_counts(rec, {"projects_checked": len(ids), "compared_with": len(index.prepared),
                         "findings": len(findings), "by_kind": _by_kind(findings.values()),
                         "blocks_stored_for_unseen": len(unkeyed), **counts})
    return rec.run


def duplicate_thresholds_fit(*, user=None) -> dict[str, float]:
    """Fit the per-kind thresholds on every recorded decision and store them (the next full scan
    applies them, and the checks after it). Kinds with too few decisions lose their row: they keep the
    engine's threshold. ``user`` is who asked (the fit itself changes no flag)."""
    decisions = duplicate_decisions()
    thresholds = thresholds_fit(decisions, default=DEFAULT.threshold)
    counts = {kind: sum(1 for d in decisions if d.kind == kind) for kind in thresholds}
    with transaction.atomic():
        DuplicateKindThreshold.objects.exclude(kind__in=list(thresholds)).delete()
        for kind, threshold in thresholds.items():
            DuplicateKindThreshold.objects.update_or_create(
                kind=kind, defaults={"threshold": threshold, "decisions": counts[kind]})
    return thresholds


def _block_keys_rewrite(index: DuplicateIndex) -> int:
    """Replace every stored block key with the index's (a full scan). On PostgreSQL the table is
    emptied and filled by ``COPY`` and its statistics refreshed, so the next check's plan uses the
    key index; elsewhere one ``executemany``. Returns how many keys were stored."""
    table = connection.ops.quote_name(DuplicateBlockKey._meta.db_table)
    rows = ((pid, DuplicateBlockKey.fit(key)) for pid in index.prepared for key in index.block_keys(pid)[0])
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows written earlier in an enclosing transaction leave deferred foreign-key checks
            # behind, and TRUNCATE refuses a table with pending checks: run them now.
            deferred = [connection.ops.quote_name(name) for name, c in
                        connection.introspection.get_constraints(cursor, DuplicateBlockKey._meta.db_table).items()
                        if c["foreign_key"]]
            if deferred:
                cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} IMMEDIATE")
            cursor.execute(f"TRUNCATE {table}")
            with cursor.cursor.copy(f"COPY {table} (project_id, key) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            if deferred:
                cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")
            batch: list[tuple[int, str]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 5000:
                    cursor.executemany(f"INSERT INTO {table} (project_id, key) VALUES (%s, %s)", batch)
                    written += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} (project_id, key) VALUES (%s, %s)", batch)
                written += len(batch)
    return written


def _block_keys_replace(keys: dict[int, frozenset[str]]) -> None:
    """Store these projects' block keys in place of their old ones. Two overlapping checks may store
    the same project's keys (both met it unseen): the rows are the same, so the second's are let go
    (``ignore_conflicts``), and both write in project order, so neither waits on the other in turn."""
    if not keys:
        return
    ids = sorted(keys)
    with transaction.atomic():
        for start in range(0, len(ids), 2000):
            DuplicateBlockKey.objects.filter(project_id__in=ids[start:start + 2000]).delete()
        DuplicateBlockKey.objects.bulk_create(
            [DuplicateBlockKey(project_id=pid, key=DuplicateBlockKey.fit(k)) for pid in ids for k in sorted(keys[pid])],
            batch_size=1000, ignore_conflicts=True,
        )


def _by_kind(findings) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.kind] = out.get(f.kind, 0) + 1
    return out


def duplicate_flag_review(*, flag: DuplicateFlag, user, decision: str, note: str = "",
                          counted_project_id: int | None = None, by_committee: bool = False) -> DuplicateFlag:
    """Confirm a duplicate, mark the pair as related / co-funded, dismiss it as distinct, or open
    it again. A confirmed double report names the record that counts: the other record is then
    marked ``duplicate_of`` it, so money totals count the project once."""
    note = flag_review_check(user=user, status=decision, note=note, permission=REVIEW_PERMISSION,
                             statuses=DECISIONS, by_committee=by_committee)
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
            # The other record leaves the money totals, the reporting calendar and the coverage figures;
            # the projects service writes it (history, validation, the "duplicate" change announced).
            a_counts = counted_project_id == locked.project_a_id
            counted, other = (locked.project_a, locked.project_b) if a_counts else (locked.project_b, locked.project_a)
            try:
                project_set_duplicate_of(project=other, duplicate_of=counted, user=user)
            except ValidationError as exc:
                # The reviewer's choice of the counted record is what was refused: say it there.
                raise ValidationError({"counted_project": exc.messages}) from None
    return locked


def _undo_counting(flag: DuplicateFlag, user) -> None:
    """A decision taken back: the record that did not count counts again."""
    if not flag.counted_project_id:
        return
    other_id = flag.project_b_id if flag.counted_project_id == flag.project_a_id else flag.project_a_id
    # Locked while read: another pair's decision may re-point it meanwhile, and then that one stands.
    other = Project.objects.select_for_update().get(pk=other_id)
    if other.duplicate_of_id == flag.counted_project_id:
        project_set_duplicate_of(project=other, duplicate_of=None, user=user)
