"""Persist a generated demo portfolio fast, and clear one away.

Everything is written inside one ``transaction.atomic``. Programme and project ids are reserved up
front (past the table's sequence, so ids of deleted rows are never reused) and given explicitly,
so child rows can point at their project without reading anything back. On PostgreSQL the rows go
through ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy``), on SQLite/SpatiaLite through the
driver's ``executemany`` (values converted as Django's SQLite backend stores them), and anywhere
with ``method="bulk"`` through ``bulk_create`` in batches. All paths write the same values.

``bulk_create`` and ``COPY`` send no signals, so no django-simple-history rows are written for
demo data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.gis.geos import Point
from django.db import connection, models, transaction
from django.utils import timezone

from demo.records import DEMO_NEED_SOURCE, Portfolio
from municipalities.models import Need
from projects.models import (
    Participation,
    Programme,
    Project,
    ProjectLocation,
    ProjectSector,
    ProjectUpdate,
    RelatedActivity,
    Site,
    Transaction,
)
from projects.models.projects import project_search_text

Progress = Callable[[str, int], None]
FAST_PATHS = {("copy", "postgresql"), ("executemany", "sqlite")}
PROJECT_CHILDREN = (ProjectUpdate, Transaction, RelatedActivity, Site, ProjectLocation, ProjectSector, Participation)


@dataclass
class WriteResult:
    key_to_id: dict[str, int]
    counts: dict[str, int]
    method: str


def _table_rows(portfolio: Portfolio, key_to_id: dict[str, int], programme_ids: dict[str, int]
                ) -> Iterator[tuple[str, type[models.Model], tuple[str, ...], Iterable[tuple[Any, ...]]]]:
    """(label, model, attribute names, rows) for every table, parents first.

    A ``point`` is a (lon, lat) pair; each write path turns it into what its database takes.
    """
    now = timezone.now()
    programmes = portfolio.programmes
    projects = portfolio.projects
    yield "programmes", Programme, (
        "id", "partner_id", "code", "title_ar", "title_en", "description", "start_date", "end_date",
    ), ((programme_ids[g.key], g.partner_id, g.code, g.title_ar, g.title_en, g.description, g.start_date,
         g.end_date) for g in programmes)
    yield "projects", Project, (
        "id", "programme_id", "reporting_partner_id", "iati_identifier", "partner_code", "title_ar", "title_en",
        "description_ar", "description_en", "status", "planned_start", "planned_end", "actual_start",
        "actual_end", "budget", "currency", "spend_to_date", "beneficiaries_targeted", "beneficiaries_reached",
        "progress_percent", "state", "review_notes_partner_id", "reporting_frequency", "created_at", "updated_at",
        "search_text",
    ), ((key_to_id[p.key], programme_ids.get(p.programme_key) if p.programme_key else None,
         p.reporting_partner_id, p.iati_identifier, p.partner_code, p.title_ar, p.title_en, p.description_ar,
         p.description_en, p.status, p.planned_start, p.planned_end, p.actual_start, p.actual_end, p.budget,
         p.currency, p.spend_to_date, p.beneficiaries_targeted, p.beneficiaries_reached, p.progress_percent,
         p.state, p.reporting_partner_id, p.reporting_frequency, now, now,
         project_search_text(p.title_ar, p.title_en, p.iati_identifier, p.partner_code)) for p in projects)
    yield "participations", Participation, ("project_id", "partner_id", "role", "activity_id"), (
        (key_to_id[p.key], x.partner_id, x.role, x.activity_id) for p in projects for x in p.participations)
    yield "project_sectors", ProjectSector, ("project_id", "sector_id", "percentage"), (
        (key_to_id[p.key], sector_id, pct) for p in projects for sector_id, pct in p.sectors)
    yield "project_locations", ProjectLocation, ("project_id", "municipality_id", "share"), (
        (key_to_id[p.key], muni_id, share) for p in projects for muni_id, share in p.locations)
    yield "sites", Site, ("project_id", "name_ar", "name_en", "point", "municipality_id"), (
        (key_to_id[p.key], s.name_ar, s.name_en, (s.lon, s.lat), s.municipality_id)
        for p in projects for s in p.sites)
    yield "project_updates", ProjectUpdate, (
        "project_id", "partner_id", "period_start", "period_end", "progress_percent", "status", "spend_to_date",
        "beneficiaries_reached", "narrative", "problems", "state", "submitted_at", "reviewed_at", "review_comment",
    ), ((key_to_id[p.key], p.reporting_partner_id, u.period_start, u.period_end, u.progress_percent, u.status,
         u.spend_to_date, u.beneficiaries_reached, u.narrative, u.problems, u.state, u.submitted_at, u.reviewed_at,
         u.review_comment) for p in projects for u in p.updates)
    yield "transactions", Transaction, (
        "project_id", "type", "date", "value", "currency", "provider_org_id", "provider_activity_id",
        "receiver_org_id", "receiver_activity_id",
    ), ((key_to_id[p.key], t.type, t.date, t.value, t.currency, t.provider_org_id, t.provider_activity_id,
         t.receiver_org_id, t.receiver_activity_id) for p in projects for t in p.transactions)
    yield "related_activities", RelatedActivity, ("project_id", "relation", "iati_identifier", "related_project_id"), (
        (key_to_id[p.key], r.relation, r.iati_identifier, key_to_id.get(r.related_key) if r.related_key else None)
        for p in projects for r in p.related)
    yield "needs", Need, (
        "municipality_id", "sector_id", "severity", "people_in_need", "displaced", "returnees", "source", "assessed_on",
    ), ((n.municipality_id, n.sector_id, n.severity, n.people_in_need, n.displaced, n.returnees, n.source,
         n.assessed_on) for n in portfolio.needs)


def write_portfolio(portfolio: Portfolio, *, progress: Progress | None = None, batch_size: int = 5000,
                    method: str = "auto") -> WriteResult:
    """Write every record of ``portfolio``; returns each project key's id and the rows written per table."""
    if method == "auto":
        method = {"postgresql": "copy", "sqlite": "executemany"}.get(connection.vendor, "bulk")
    if (method, connection.vendor) not in FAST_PATHS and method != "bulk":
        raise ValueError(f"{method} does not work on {connection.vendor}; use method='bulk'.")
    counts: dict[str, int] = {}
    with transaction.atomic():
        programme_base = _reserve_ids(Programme, len(portfolio.programmes))
        project_base = _reserve_ids(Project, len(portfolio.projects))
        programme_ids = {g.key: programme_base + i for i, g in enumerate(portfolio.programmes)}
        key_to_id = {p.key: project_base + i for i, p in enumerate(portfolio.projects)}
        for label, model, names, rows in _table_rows(portfolio, key_to_id, programme_ids):
            write = {"copy": _copy_rows, "executemany": _executemany_rows, "bulk": _bulk_rows}[method]
            counts[label] = write(model, names, rows, batch_size, lambda n, label=label: progress and progress(label, n))
        _advance_sequence(Programme, programme_base + len(portfolio.programmes) - 1)
        _advance_sequence(Project, project_base + len(portfolio.projects) - 1)
    _refresh_planner_statistics()
    return WriteResult(key_to_id, counts, method)


def _refresh_planner_statistics() -> None:
    """Bulk loads leave the planner without statistics (autovacuum comes later): without them
    PostgreSQL scans whole tables for the per-project look-ups the analyses make, and SQLite
    picks poor indexes. ANALYZE takes a second or two after 100,000 projects."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def tables_vacuum() -> None:
    """After a bulk load has committed (PostgreSQL only; VACUUM cannot run in a transaction): the visibility map
    of the tables the money and coverage figures read, so that their index-only scans (``project_money``, the
    partial indexes on projects) read the index alone, as autovacuum would leave them later."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table)
                       for m in (Project, ProjectLocation, ProjectSector, Participation))
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of ``count`` fresh ids: beyond every id the table has handed out, even deleted ones."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
        first = (cursor.fetchone()[0] or 0) + 1
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            first = max(first, cursor.fetchone()[0])
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            first = max(first, (row[0] if row else 0) + 1)
    return first


def _advance_sequence(model: type[models.Model], last_id: int) -> None:
    """Make the id sequence continue after ``last_id`` (SQLite's AUTOINCREMENT follows explicit ids by itself)."""
    if connection.vendor == "postgresql" and last_id > 0:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, last_id])


def _columns(model: type[models.Model], names: tuple[str, ...]) -> list[str]:
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    return [by_attname[name] for name in names]


def _copy_rows(model: type[models.Model], names: tuple[str, ...], rows: Iterable[tuple[Any, ...]], batch_size: int,
               tick: Callable[[int], Any]) -> int:
    qn = connection.ops.quote_name
    point_at = [i for i, name in enumerate(names) if name == "point"]
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in _columns(model, names))}) FROM STDIN"
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            if point_at:
                row = list(row)
                for i in point_at:
                    row[i] = f"SRID=4326;POINT({row[i][0]} {row[i][1]})"
            copy.write_row(row)
            written += 1
            if written % batch_size == 0:
                tick(batch_size)
    tick(written % batch_size)
    return written


def _sqlite_converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How Django's SQLite backend stores a value of this field (text for dates, decimals, times)."""
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if field.name == "point":
        return lambda v: f"POINT({v[0]} {v[1]})"
    return None


def _executemany_rows(model: type[models.Model], names: tuple[str, ...], rows: Iterable[tuple[Any, ...]],
                      batch_size: int, tick: Callable[[int], Any]) -> int:
    qn = connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    converters = [(i, c) for i, name in enumerate(names) if (c := _sqlite_converter(fields[name])) is not None]
    marks = ", ".join("GeomFromText(?, 4326)" if name == "point" else "?" for name in names)
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in _columns(model, names))}) "
           f"VALUES ({marks})")
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the driver's cursor: "?" placeholders, no per-row Django overhead
        batch: list[list[Any]] = []
        for row in rows:
            values = list(row)
            for i, convert in converters:
                values[i] = convert(values[i])
            batch.append(values)
            if len(batch) >= batch_size:
                raw.executemany(sql, batch)
                written += len(batch)
                tick(len(batch))
                batch = []
        if batch:
            raw.executemany(sql, batch)
            written += len(batch)
            tick(len(batch))
    return written


def _bulk_rows(model: type[models.Model], names: tuple[str, ...], rows: Iterable[tuple[Any, ...]], batch_size: int,
               tick: Callable[[int], Any]) -> int:
    point_at = [i for i, name in enumerate(names) if name == "point"]
    written = 0
    batch: list[models.Model] = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        for i in point_at:
            values[names[i]] = Point(row[i][0], row[i][1], srid=4326)
        batch.append(model(**values))
        if len(batch) >= batch_size:
            model.objects.bulk_create(batch, batch_size=batch_size)
            written += len(batch)
            tick(len(batch))
            batch = []
    if batch:
        model.objects.bulk_create(batch, batch_size=batch_size)
        written += len(batch)
        tick(len(batch))
    return written


def portfolio_counts() -> dict[str, int]:
    """What ``--clear`` would remove: every project and programme, and the demo's needs."""
    return {
        "projects": Project.objects.count(),
        "programmes": Programme.objects.count(),
        "demo needs": Need.objects.filter(source=DEMO_NEED_SOURCE).count(),
    }


def clear_portfolio() -> dict[str, int]:
    """Delete every project (with all its rows), every programme and the needs the demo wrote.

    The project tables are emptied with plain ``DELETE`` statements: going through the ORM would
    load each row and write a django-simple-history record per deleted project and update. Rows of
    other apps that point at projects, updates or programmes are handled as their foreign key says.
    """
    deleted: dict[str, int] = {}
    own = {*PROJECT_CHILDREN, Project, Programme}
    with transaction.atomic():
        _clear_dependents(ProjectUpdate, own, deleted)
        _clear_dependents(Project, own, deleted)
        _clear_dependents(Programme, own, deleted)
        for model in (*PROJECT_CHILDREN, Project, Programme):
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
                deleted[model._meta.label] = cursor.rowcount
        deleted[Need._meta.label], _ = Need.objects.filter(source=DEMO_NEED_SOURCE).delete()
    return deleted


def _clear_dependents(target: type[models.Model], own: set[type[models.Model]], deleted: dict[str, int]) -> None:
    for rel in target._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        related = rel.related_model
        if related in own:
            continue
        on_delete = rel.on_delete
        rows = related._base_manager.filter(**{f"{rel.field.name}__isnull": False})
        if on_delete is models.DO_NOTHING:
            continue
        if on_delete is models.SET_NULL:
            rows.update(**{rel.field.name: None})
        elif on_delete is models.CASCADE:
            count, _ = rows.delete()
            deleted[related._meta.label] = deleted.get(related._meta.label, 0) + count
        elif rows.exists():
            raise ValueError(f"{related._meta.label} rows refer to {target._meta.label}; remove them first.")
