"""Queueing a task once the write commits, without letting a broker that is down break the write.

Every ``transaction.on_commit(lambda: task.delay(...))`` of the services and receivers goes through
``delay_on_commit``: the change is already committed when the task is sent, so a broker that cannot be reached
(stopped, restarting, the network gone) must not turn a saved change into a server error. The send is tried
once, briefly; if it fails, the check it would have queued is recorded (an ERROR log record naming the task and
its arguments, and the ``tansiq_celery_enqueue_failures_total`` counter of /metrics) and left to be caught up:
the nightly full jobs (duplicates, gaps, delays, alignment, reporting periods) re-check every project, and a
job row left queued (import, export, report) is ended by its stale sweep. In eager mode (tests, the embedded
run) the task runs in-process as before and its errors propagate.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger("tansiq.queueing")

# One quick retry: the request is waiting on it (on_commit runs before the response is sent).
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def delay_safely(task: Any, *args: Any) -> bool:
    """Send ``task(*args)`` to the broker; False (logged, counted) when the broker cannot take it."""
    if task.app.conf.task_always_eager:
        task.delay(*args)
        return True
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        return True
    except Exception:  # kombu's OperationalError, redis-py's ConnectionError, OSError: the broker is out of reach
        logger.error("could not queue %s%r: the broker is out of reach; the nightly job catches it up",
                     task.name, args, exc_info=True)
        try:
            from config.metrics import record_enqueue_failure

            record_enqueue_failure(task=task.name)
        except Exception:
            logger.warning("could not count the failed send of %s", task.name, exc_info=True)
        return False


def delay_on_commit(task: Any, *args: Any) -> None:
    """``task.delay(*args)`` once the current transaction commits, through ``delay_safely``."""
    transaction.on_commit(lambda: delay_safely(task, *args))
