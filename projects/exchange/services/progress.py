"""A job's progress (an import or an export), written where the page that polls the job can read it."""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from projects.models import ImportJob


class JobProgress:
    """``progress(done, total)`` for the importers: stores ``progress_done``/``progress_total`` of one job
    every ``TANSIQ_IMPORT_PROGRESS_EVERY`` steps and at the end.

    The importers write inside one transaction (all or nothing), and a progress row written by that
    same transaction would stay invisible until the end. On PostgreSQL the figures therefore go
    through a second connection of their own, which commits at once. SQLite allows one writer at a
    time, so there the bar moves only outside the import's transaction (the rows being checked).
    The import transaction never writes the job row itself, so the two connections cannot wait on
    each other.
    """

    def __init__(self, job_id: int, *, every: int | None = None, model: type[models.Model] = ImportJob) -> None:
        self.job_id = job_id
        self.model = model
        self.every = every or settings.TANSIQ_IMPORT_PROGRESS_EVERY
        self.done = 0
        self.total = 0
        self._written = -1
        self._side = None

    def __call__(self, done: int, total: int) -> None:
        self.total = max(total, 0)
        self.done = min(max(done, 0), self.total)
        if self.done < self.total and self.done - self._written < self.every and self._written >= 0:
            return
        self._written = self.done
        self._write()

    def _write(self) -> None:
        if not connection.in_atomic_block:
            self.model.objects.filter(pk=self.job_id).update(progress_done=self.done, progress_total=self.total)
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = self._side.ops.quote_name(self.model._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = %s",  # noqa: S608
                               [self.done, self.total, self.job_id])

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
