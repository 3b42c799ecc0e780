"""What the projects app itself does when projects or their updates change: re-sync the stored reporting
periods of those projects once the write commits.

Connected in ``ProjectsConfig.ready``. Receivers stay thin: they queue a task with ids, on commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from common.queueing import delay_on_commit
from projects.events import (
    CREATED,
    DATES,
    DUPLICATE,
    PARTNERS,
    REPORTING,
    STATUS,
    project_changed,
    project_update_changed,
)

# What decides a project's periods and whether it owes them: its dates, status, frequency, whether it is a
# confirmed double report; and the partner the rows are listed under.
PERIODS_RELEVANT = frozenset({CREATED, DATES, STATUS, REPORTING, DUPLICATE, PARTNERS})


def _queue_periods_sync(project_ids: Iterable[int]) -> None:
    from projects.reporting.tasks import reporting_periods_sync_projects

    ids = list(project_ids)
    delay_on_commit(reporting_periods_sync_projects, ids)


def queue_periods_sync(sender, project_ids, changed, user=None, **kwargs) -> None:
    if set(changed) & PERIODS_RELEVANT:
        _queue_periods_sync(project_ids)


def queue_periods_sync_for_updates(sender, project_ids, update_ids=None, user=None, **kwargs) -> None:
    """An update written, submitted or reviewed: its submission may be the one that reports a period."""
    _queue_periods_sync(project_ids)


def connect() -> None:
    project_changed.connect(queue_periods_sync, dispatch_uid="projects.reporting_periods")
    project_update_changed.connect(queue_periods_sync_for_updates, dispatch_uid="projects.reporting_periods.updates")
