"""Recording analysis runs: start, progress, finish or fail (used by every analysis job)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.utils import timezone

from coordination.models import AnalysisRun

# Progress is written at most this often, so a long scan does not spend its time saving it.
_PROGRESS_EVERY_SECONDS = 1.0


class RunRecorder:
    def __init__(self, run: AnalysisRun) -> None:
        self.run = run
        self._t0 = time.perf_counter()
        self._last_saved = 0.0

    def progress(self, done: int, total: int, *, force: bool = False) -> None:
        now = time.perf_counter()
        self.run.progress_done, self.run.progress_total = done, total
        if force or now - self._last_saved >= _PROGRESS_EVERY_SECONDS:
            AnalysisRun.objects.filter(pk=self.run.pk).update(progress_done=done, progress_total=total)
            self._last_saved = now

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0


@contextmanager
def recorded_run(*, kind: str, mode: str, user=None) -> Iterator[RunRecorder]:
    """Wrap an analysis: the run row exists from the start (so progress can be watched) and ends
    as succeeded with its counts, or failed with the error, whatever happens inside."""
    run = AnalysisRun.objects.create(kind=kind, mode=mode, triggered_by=user)
    recorder = RunRecorder(run)
    try:
        yield recorder
    except BaseException as exc:
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=AnalysisRun.Status.FAILED, finished_at=timezone.now(), duration_seconds=recorder.elapsed(),
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        raise
    run.status = AnalysisRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.duration_seconds = recorder.elapsed()
    if run.progress_total and run.progress_done < run.progress_total:
        run.progress_done = run.progress_total
    run.save(update_fields=["status", "finished_at", "duration_seconds", "counts", "progress_done", "progress_total"])


def run_counts(recorder: RunRecorder, counts: dict[str, Any]) -> None:
    recorder.run.counts = counts


STALE_RUN_ERROR = "abandoned: still recorded as running after {minutes} minutes (the worker running it ended)"


def analysis_runs_fail_stale(*, now: dt.datetime | None = None) -> int:
    """Mark as failed the runs a worker stopped working on: a worker killed in the middle (SIGKILL, out of memory,
    the machine gone) leaves its run "running" for ever, since the code that would end it died with it. A run
    started longer than ``TANSIQ_ANALYSIS_STALE_MINUTES`` ago and still running is taken as such. Nothing waits
    on a running run (a new scan starts beside it, and the flag sync of a killed one was rolled back with its
    transaction), so this only keeps the record true: the admin and /metrics then show the failure. Returns how
    many runs were ended."""
    minutes = settings.TANSIQ_ANALYSIS_STALE_MINUTES
    now = now or timezone.now()
    return AnalysisRun.objects.filter(
        status=AnalysisRun.Status.RUNNING, started_at__lt=now - dt.timedelta(minutes=minutes),
    ).update(status=AnalysisRun.Status.FAILED, finished_at=now, error=STALE_RUN_ERROR.format(minutes=minutes))


def analysis_runs_latest() -> list[AnalysisRun]:
    """The last run (by start) of each analysis job, kind and mode: one query per job on the (kind, -started_at)
    index, since incremental checks leave many runs behind."""
    found = []
    for kind in AnalysisRun.Kind.values:
        for mode in AnalysisRun.Mode.values:
            run = (AnalysisRun.objects.filter(kind=kind, mode=mode).select_related("triggered_by")
                   .order_by("-started_at", "-pk").first())
            if run is not None:
                found.append(run)
    return found
