"""A lease on a piece of background work, held by the database session that does it.

A Celery task is acknowledged only when it ends (``CELERY_TASK_ACKS_LATE``), so a worker that dies in the middle of
a job leaves its message to be delivered again, and a job that runs longer than the broker's visibility timeout may
be delivered twice while it still runs. The job row cannot tell these apart: it says "importing" in both cases. The
lease can: it is a PostgreSQL session advisory lock, which the server releases by itself when the session that
holds it ends, however it ends (a SIGKILLed worker's connection closes with the process). So a task that gets the
lease knows that no one else is working on the job; one that does not knows that someone is.

On databases without advisory locks (the embedded SpatiaLite default, where tasks run in-process), the lease is
``None``: unknown, and the caller keeps its own stricter claim.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

WAIT_SECONDS = 5.0  # how long to try for a lease another session holds

def _key(namespace: str) -> int:
    """A stable signed 32-bit key per kind of work (the lock is keyed by two int4)."""
    return zlib.crc32(namespace.encode()) - 2**31


@contextmanager
def work_lease(namespace: str, object_id: int, *, wait_seconds: float | None = None) -> Iterator[bool | None]:
    """Hold the lease on ``(namespace, object_id)`` for the block: yields True when this session got it, False when
    another session holds it (after trying for ``wait_seconds``: a session whose process was just killed may take a
    moment to end on the server), None when the database has no such locks."""
    if connection.vendor != "postgresql":
        yield None
        return
    key = _key(namespace)
    deadline = time.monotonic() + (WAIT_SECONDS if wait_seconds is None else wait_seconds)
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [key, int(object_id)])
            held = bool(cursor.fetchone()[0])
        if held or time.monotonic() >= deadline:
            break
        time.sleep(0.25)
    try:
        yield held
    finally:
        if held and connection.connection is not None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [key, int(object_id)])
            except DatabaseError:  # the session is unusable: ending it releases the lock
                connection.close()
