"""The reporting calendar stored: ``ReportingPeriod`` rows kept equal to what ``calendar`` computes.

Computing every project's periods on each request took seconds at 100,000 projects; the pages now read an
index. This service is the only writer: it recomputes the periods of some (or all) projects with the pure
functions and writes only the differences, so running it twice changes nothing. It runs when a project's
dates, status, frequency or duplicate mark change or one of its updates is written (``projects.receivers``),
and daily (``projects.tasks.reporting_periods_sync``) because a new period begins as days pass. The rows
hold the periods up to the day of the sync; a selector asked about an earlier day leaves out the periods
that had not begun by then, which gives what the calendar would have computed on that day.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from projects.models import Project, ProjectUpdate
from projects.models.reporting import ReportingPeriod
from projects.reporting.calendar import Submission, period_reports, reporting_periods
from projects.reporting.selectors.reports import project_reporting_end, reporting_projects

logger = logging.getLogger(__name__)

BATCH_PROJECTS = 2000
_DELETE_CHUNK = 5000
_UPSERT_ROWS = 10000
_PROJECT_COLUMNS = ("id", "reporting_partner_id", "status", "planned_start", "planned_end", "actual_start", "actual_end",
                    "reporting_frequency")
# (project id, period end) -> (period start, due date, submitted on, partner id)
_Rows = dict[tuple[int, dt.date], tuple[dt.date, dt.date, dt.date | None, int]]


@dataclass
class SyncResult:
    projects: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, int | float]:
        return {"projects": self.projects, "created": self.created, "updated": self.updated,
                "deleted": self.deleted, "unchanged": self.unchanged, "seconds": round(self.seconds, 3)}


def wanted_periods(*, project_ids: Iterable[int], today: dt.date, grace_days: int) -> _Rows:
    """What the calendar says the rows of ``project_ids`` should be on ``today`` (none for a project that owes
    no reports)."""
    ids = list(project_ids)
    submissions: dict[int, list[Submission]] = defaultdict(list)
    # The day of submission in the site's time zone, as ``timezone.localtime`` gives it, computed by the database.
    for project_id, start, end, submitted_on in (
            ProjectUpdate.objects.filter(project_id__in=ids, submitted_at__isnull=False)
            .values_list("project_id", "period_start", "period_end", TruncDate("submitted_at"))):
        submissions[project_id].append(Submission(start, end, submitted_on))
    wanted: _Rows = {}
    for row in reporting_projects().filter(pk__in=ids).values(*_PROJECT_COLUMNS):
        periods = reporting_periods(start=row["actual_start"] or row["planned_start"],
                                    end=project_reporting_end(row), today=today,
                                    months=row["reporting_frequency"], grace_days=grace_days)
        for report in period_reports(periods, submissions.get(row["id"], ()), today=today):
            period = report.period
            wanted[(row["id"], period.end)] = (period.start, period.due, report.submitted,
                                               row["reporting_partner_id"])
    return wanted


def _sync_batch(ids: list[int], *, today: dt.date, grace_days: int, result: SyncResult) -> None:
    with transaction.atomic():
        existing = {(project_id, end): (pk, start, due, submitted, partner_id)
                    for pk, project_id, start, end, due, submitted, partner_id in
                    ReportingPeriod.objects.filter(project_id__in=ids).values_list(
                        "pk", "project_id", "period_start", "period_end", "due_date", "submitted_on", "partner_id")}
        wanted = wanted_periods(project_ids=ids, today=today, grace_days=grace_days)
        stale = [row[0] for key, row in existing.items() if key not in wanted]
        changed = []
        for key, values in wanted.items():
            now = existing.get(key)
            if now is not None and now[1:] == values:
                result.unchanged += 1
                continue
            if now is None:
                result.created += 1
            else:
                result.updated += 1
            changed.append((key[0], key[1], *values))
        for start in range(0, len(stale), _DELETE_CHUNK):
            ReportingPeriod.objects.filter(pk__in=stale[start:start + _DELETE_CHUNK]).delete()
        result.deleted += len(stale)
        _upsert(changed)
    result.projects += len(ids)


_UPSERT_COLUMNS = ("project_id", "period_end", "period_start", "due_date", "submitted_on", "partner_id")


def _upsert(rows: list[tuple[int, dt.date, dt.date, dt.date, dt.date | None, int]]) -> None:
    """Insert or update ``rows`` (project, period end, start, due, submitted on, partner).

    An upsert: a sync running at the same time for the same project may have inserted the row since it was
    read; the later write wins, and both computed it from committed data. Written in SQL rather than with
    ``bulk_create``, whose model instances and per-row parameters cost more than the database's work when a
    full sync writes hundreds of thousands of rows: on PostgreSQL one statement per chunk reads the rows from
    six arrays (``unnest``); elsewhere (SQLite) one prepared statement runs over the rows.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(ReportingPeriod._meta.db_table)
    columns = ", ".join(quote(c) for c in _UPSERT_COLUMNS)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in _UPSERT_COLUMNS[2:])
    conflict = f"ON CONFLICT ({quote('project_id')}, {quote('period_end')}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (f"INSERT INTO {table} ({columns}) SELECT * FROM unnest(%s::integer[], %s::date[], %s::date[], "
                   f"%s::date[], %s::date[], %s::integer[]) {conflict}")
            for start in range(0, len(rows), _UPSERT_ROWS):
                cursor.execute(sql, [_array_literal(column)
                                     for column in zip(*rows[start:start + _UPSERT_ROWS], strict=True)])
        else:
            day = connection.ops.adapt_datefield_value
            marks = ", ".join(["%s"] * len(_UPSERT_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks}) {conflict}", [
                (project_id, day(end), day(begin), day(due), day(submitted), partner_id)
                for project_id, end, begin, due, submitted, partner_id in rows])


def _array_literal(values: Iterable[int | dt.date | None]) -> str:
    """A PostgreSQL array literal of integers or dates (``{1,2,NULL}``), cast by the statement: sent as one
    text, it spares the driver adapting every element of a Python list (which cost more than the insert)."""
    return "{" + ",".join("NULL" if v is None else (v.isoformat() if isinstance(v, dt.date) else str(int(v)))
                          for v in values) + "}"


def _batches(project_ids: Iterable[int] | None) -> Iterator[list[int]]:
    ids = (sorted(set(project_ids)) if project_ids is not None
           else list(Project.objects.order_by("pk").values_list("pk", flat=True)))
    for start in range(0, len(ids), BATCH_PROJECTS):
        yield ids[start:start + BATCH_PROJECTS]


def reporting_periods_sync(
    *, project_ids: Iterable[int] | None = None, today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> SyncResult:
    """Make the stored periods of ``project_ids`` (every project when None) equal to the calendar's on ``today``:
    insert new periods, update changed ones, delete those that no longer exist (a project that changed its
    dates or frequency, or no longer owes reports). Each batch of projects commits on its own, so a long full
    sync holds no lock for long; an interrupted one is finished by the next."""
    started = time.monotonic()
    today = today or timezone.localdate()
    grace_days = settings.TANSIQ_REPORT_GRACE_DAYS
    result = SyncResult()
    for ids in _batches(project_ids):
        _sync_batch(ids, today=today, grace_days=grace_days, result=result)
        if progress is not None:
            progress(len(ids))
    result.seconds = time.monotonic() - started
    if project_ids is None:
        logger.info("reporting periods synced: %s", result.as_dict())
    return result
