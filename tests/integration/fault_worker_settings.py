"""Settings of the Celery worker that tests/integration/test_faults.py kills.

- A message taken by a worker that dies unacknowledged goes back to the queue after 5 s (the deployment keeps
  Redis's default visibility timeout of an hour), so the test sees it redelivered.
- With TANSIQ_FAULT_PAUSE_FILE set, the worker pauses right after it has inserted the new duplicate flags, inside
  the flag sync's still open transaction, and says so by writing that file (the count and the pid of the process
  running the task): the test kills it there. Once only: a task run again after that does not pause.
  TANSIQ_FAULT_PAUSE_MODEL names another model to pause after (e.g. an import's project locations), and
  TANSIQ_FAULT_PAUSE_AFTER after how many of its bulk inserts (1 unless told).
- With TANSIQ_FAULT_HOLD_SECONDS set, every scan holds its flag sync's transaction open that long after inserting
  the flags, so that two scans at once overlap there.
"""

import os
import time
from pathlib import Path

from celery.signals import worker_init

from config.settings.worker_test import *  # noqa: F403

# ...and the survivor sweeps for such messages every second (kombu's default sweep is every 10 × 10 s: longer
# than the test waits).
# With TANSIQ_FAULT_MEDIA_ROOT set, uploaded files are read from that folder (the test's process writes them there;
# the in-memory storage of the unit tests is not shared between processes).
if os.environ.get("TANSIQ_FAULT_MEDIA_ROOT"):
    MEDIA_ROOT = os.environ["TANSIQ_FAULT_MEDIA_ROOT"]
    STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}  # noqa: F405

CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5, "unacked_restore_interval": 1,
                                   "unacked_restore_throttle": 1}


@worker_init.connect
def _pause_after_inserting_flags(**_kwargs) -> None:
    marker = os.environ.get("TANSIQ_FAULT_PAUSE_FILE")
    hold = float(os.environ.get("TANSIQ_FAULT_HOLD_SECONDS") or 0)
    if not marker and not hold:
        return
    from django.db.models.query import QuerySet

    original = QuerySet.bulk_create
    model = os.environ.get("TANSIQ_FAULT_PAUSE_MODEL") or "coordination.DuplicateFlag"
    after = int(os.environ.get("TANSIQ_FAULT_PAUSE_AFTER") or 1)
    inserts = []

    def bulk_create(self, objs, *args, **kwargs):
        created = original(self, objs, *args, **kwargs)
        if self.model._meta.label != model:
            return created
        inserts.append(len(created))
        if marker and created and len(inserts) >= after and not Path(marker).exists():
            Path(marker).write_text(f"{len(created) if after == 1 else len(inserts)} {os.getpid()}")
            time.sleep(120)
        elif hold:
            time.sleep(hold)
        return created

    QuerySet.bulk_create = bulk_create
