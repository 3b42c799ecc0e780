"""Recording analysis runs: start, progress, finish or fail (used by every analysis job)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
