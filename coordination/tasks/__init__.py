"""Celery tasks of the coordination app (thin: ids in, re-read, call a service).

Celery's autodiscovery imports this package; each analysis keeps its tasks in its own
module, registered under stable names ``coordination.tasks.<name>``.
"""

from celery import shared_task

from coordination.tasks.alignment import *  # noqa: F401,F403
from coordination.tasks.duplicates import *  # noqa: F401,F403
from coordination.tasks.gaps_delays import *  # noqa: F401,F403
from coordination.tasks.reports import *  # noqa: F401,F403


@shared_task(name="coordination.tasks.analysis_runs_fail_stale")
def analysis_runs_fail_stale() -> int:
    """Beat: runs left "running" by a dead worker marked failed (coordination.runs)."""
    from coordination.runs import analysis_runs_fail_stale as fail_stale

    return fail_stale()


@shared_task(name="coordination.tasks.ping")
def ping() -> str:
    """A no-op the beat schedule and the integration tests use to prove a worker answers."""
    return "pong"
