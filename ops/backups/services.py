"""``backup_create`` and ``backup_restore``: what ``manage.py backup`` / ``restore`` and the nightly task call."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from ops.backups import database as db_tools
from ops.backups.archive import (
    MEDIA_ARCHIVE,
    BackupError,
    backups_prune,
    file_entry,
    manifest_verify,
    manifest_write,
    media_archive,
    media_extract,
    new_backup_folder,
)


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    manifest: dict[str, Any]
    seconds: float
    removed: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    folder: Path
    tables: int
    rows: int
    media_files: int
    seconds: float


def _django_tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _dump_postgres(target: Path) -> dict[str, int]:
    # One snapshot for the counts and for pg_dump (--snapshot): the manifest describes exactly what was dumped.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = db_tools.table_counts(cursor, _django_tables())
        db_tools.pg_dump(connection.settings_dict, target, snapshot)
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    tables = _django_tables()
    connection.ensure_connection()
    db_tools.sqlite_copy(connection.connection, target)
    # Counted in the copy itself: it is the snapshot.
    return db_tools.target_counts({"ENGINE": "spatialite", "NAME": str(target)}, tables)


def backup_create(*, root: Path, keep: int, media_root: Path, now: datetime | None = None) -> BackupResult:
    """A complete backup folder under ``root`` (database, media, manifest), then only the ``keep`` newest kept."""
    started = time.monotonic()
    vendor = db_tools.vendor_of(connection.settings_dict)
    work, final = new_backup_folder(root, now)
    try:
        dump = work / db_tools.DUMP_FILES[vendor]
        counts = _dump_postgres(dump) if vendor == db_tools.POSTGRES else _dump_sqlite(dump)
        media = media_archive(media_root, work / MEDIA_ARCHIVE)
        manifest = {
            "created": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            "vendor": vendor,
            "database": {**file_entry(dump), "name": str(connection.settings_dict["NAME"])},
            "media": media,
            "tables": counts,
            "rows": sum(counts.values()),
        }
        manifest_write(work, manifest)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    pruned = backups_prune(root, keep)
    return BackupResult(final, manifest, time.monotonic() - started, pruned.removed)


def backup_restore(*, folder: Path, media_root: Path, target: dict[str, Any] | None = None) -> RestoreResult:
    """Restore ``folder`` into an empty database (``target``, else the configured one) and an empty media folder.
    Checksums are verified first, nothing is written if one differs; the row counts are compared afterwards."""
    started = time.monotonic()
    manifest = manifest_verify(folder)
    db = target or connection.settings_dict
    vendor = db_tools.vendor_of(db)
    if manifest["vendor"] != vendor:
        raise BackupError(f"{folder} holds a {manifest['vendor']} database; the target is {vendor}")
    if not db_tools.target_is_empty(db):
        raise BackupError(f"the database {db['NAME']} is not empty: restore into a new, empty database")
    if media_root.exists() and any(path.is_file() for path in media_root.rglob("*")):
        raise BackupError(f"the media folder {media_root} is not empty")
    dump = folder / manifest["database"]["file"]
    if vendor == db_tools.POSTGRES:
        db_tools.pg_restore(db, dump)
    else:
        if target is None:
            connection.close()
        db_tools.sqlite_copy(dump, Path(db["NAME"]))
    media_files = media_extract(folder / MEDIA_ARCHIVE, media_root)
    if target is None:
        connection.close()  # the next query opens a connection on what was restored
    counts = db_tools.target_counts(db, list(manifest["tables"]))
    differ = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differ:
        raise BackupError(f"restored, but these tables' rows differ from the manifest (expected, found): {differ}")
    if media_files != manifest["media"]["files"]:
        raise BackupError(f"restored {media_files} media files, the manifest says {manifest['media']['files']}")
    return RestoreResult(folder, len(counts), sum(counts.values()), media_files, time.monotonic() - started)
