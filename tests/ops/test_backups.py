"""manage.py backup / restore: the database with its own tools and the media files, a manifest with checksums,
retention, and a restore into an empty database that gives the same rows and the same file bytes.

The round trip runs on whichever database the suite runs on: pg_dump / pg_restore on PostGIS (CI), SQLite's
backup API on the embedded SpatiaLite — the same assertions on both."""

from __future__ import annotations

import contextlib
import json
import secrets
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ops.backups import database as db_tools
from ops.backups.archive import MEDIA_ARCHIVE, BackupError, backups_prune, manifest_verify, media_extract
from tests.factories import MunicipalityFactory, ProjectFactory

MEDIA = {
    "attachments/2026/report.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "imports/3w.xlsx": secrets.token_bytes(70_000),
    "attachments/صورة.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 1000,
}


@pytest.fixture
def media_root(tmp_path, settings):
    root = tmp_path / "media"
    for name, content in MEDIA.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    settings.MEDIA_ROOT = root
    return root


@contextlib.contextmanager
def empty_target(tmp_path: Path):
    """A new, empty database of the suite's kind: its URL for --into, and its settings dict."""
    if connection.vendor == "postgresql":
        import psycopg

        source = connection.settings_dict
        name = f"tansiq_restore_{secrets.token_hex(4)}"
        admin = {"host": source["HOST"] or None, "port": source["PORT"] or None, "user": source["USER"] or None,
                 "password": source["PASSWORD"] or None, "autocommit": True}
        with psycopg.connect(dbname="postgres", **admin) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            with psycopg.connect(dbname=name, **admin) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            auth = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
            url = f"postgis://{auth}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/{name}"
            yield url, db_tools.target_from_url(url)
        finally:
            with psycopg.connect(dbname="postgres", **admin) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "restored.sqlite3"
        yield f"spatialite:///{path}", db_tools.target_from_url(f"spatialite:///{path}")


def _one_backup(tmp_path: Path) -> Path:
    call_command("backup", dir=tmp_path / "backups", keep=3, stdout=open("/dev/null", "w"))
    (folder,) = sorted((tmp_path / "backups").iterdir())
    return folder


def _rows(db: dict, sql: str) -> list[tuple]:
    if db_tools.vendor_of(db) == db_tools.POSTGRES:
        with db_tools.pg_connect(db) as conn, conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    conn = db_tools.sqlite_module().connect(db["NAME"])
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_gives_the_same_rows_and_file_bytes(tmp_path, media_root, capsys):
    projects = [ProjectFactory() for _ in range(7)]
    MunicipalityFactory.create_batch(3)
    folder = _one_backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["vendor"] == db_tools.vendor_of(connection.settings_dict)
    assert manifest["database"]["file"] == db_tools.DUMP_FILES[manifest["vendor"]]
    assert manifest["tables"]["projects_project"] == 7
    assert manifest["media"]["files"] == len(MEDIA)
    assert manifest["media"]["content_bytes"] == sum(len(content) for content in MEDIA.values())
    assert len(manifest["database"]["sha256"]) == 64 and manifest["database"]["bytes"] > 0

    restored_media = tmp_path / "restored-media"
    with empty_target(tmp_path) as (url, target):
        call_command("restore", str(folder), into=url, media_root=restored_media)
        out = capsys.readouterr().out
        assert f"{manifest['rows']} rows" in out and f"{len(MEDIA)} media files" in out
        # The same rows, counted by the target's own driver, table by table, against the source database now.
        with connection.cursor() as cursor:
            source_counts = db_tools.table_counts(cursor, list(manifest["tables"]))
        assert db_tools.target_counts(target, list(manifest["tables"])) == source_counts
        titles = _rows(target, "SELECT id, title_en FROM projects_project ORDER BY id")
        assert titles == [(p.pk, p.title_en) for p in sorted(projects, key=lambda p: p.pk)]
    for name, content in MEDIA.items():
        assert (restored_media / name).read_bytes() == content
    assert sorted(str(p.relative_to(restored_media)) for p in restored_media.rglob("*") if p.is_file()) == sorted(MEDIA)


@pytest.mark.django_db(transaction=True)
def test_a_corrupt_archive_is_refused_before_anything_is_written(tmp_path, media_root):
    ProjectFactory()
    folder = _one_backup(tmp_path)
    dump = folder / json.loads((folder / "manifest.json").read_text())["database"]["file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, the same size
    dump.write_bytes(bytes(data))
    restored_media = tmp_path / "restored-media"
    with empty_target(tmp_path) as (url, target):
        with pytest.raises(CommandError, match="SHA-256 is not the manifest's: the archive is corrupt"):
            call_command("restore", str(folder), into=url, media_root=restored_media)
        assert db_tools.target_is_empty(target)
    assert not restored_media.exists()
    with pytest.raises(CommandError, match="corrupt"):
        call_command("backup", verify=folder)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_or_media_folder_that_is_not_empty(tmp_path, media_root):
    ProjectFactory()
    folder = _one_backup(tmp_path)
    with pytest.raises(CommandError, match="is not empty: restore into a new, empty database"):
        call_command("restore", str(folder), media_root=tmp_path / "elsewhere")  # the configured, full database
    with empty_target(tmp_path) as (url, target):
        with pytest.raises(CommandError, match="media folder .* is not empty"):
            call_command("restore", str(folder), into=url, media_root=media_root)
        assert db_tools.target_is_empty(target)


@pytest.mark.django_db(transaction=True)
def test_retention_keeps_the_newest_backups_and_clears_runs_cut_short(tmp_path, media_root):
    root = tmp_path / "backups"
    for _ in range(3):
        call_command("backup", dir=root, keep=2, stdout=open("/dev/null", "w"))
    left = sorted(root.iterdir())
    assert len(left) == 2 and all((path / "manifest.json").is_file() for path in left)
    for path in left:
        manifest_verify(path)
    cut_short = root / "tansiq-20000101-000000.partial"
    cut_short.mkdir()
    import os

    os.utime(cut_short, (0, 0))
    pruned = backups_prune(root, keep=1)
    assert cut_short in pruned.removed and left[0] in pruned.removed and pruned.kept == [left[1]]
    with pytest.raises(BackupError):
        backups_prune(root, keep=0)


def test_the_media_tar_cannot_write_outside_the_media_folder(tmp_path):
    evil = tmp_path / MEDIA_ARCHIVE
    payload = tmp_path / "payload"
    payload.write_bytes(b"x")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(payload, arcname="../escaped.txt")
    with pytest.raises(tarfile.OutsideDestinationError):
        media_extract(evil, tmp_path / "media")
    assert not (tmp_path / "escaped.txt").exists()


def test_a_nightly_backup_is_scheduled_and_runs_the_service(settings, tmp_path, monkeypatch):
    entry = settings.CELERY_BEAT_SCHEDULE["backup-nightly"]
    assert entry["task"] == "ops.tasks.backup_nightly"
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {30}
    from ops import tasks
    from ops.backups import services

    seen = {}

    def fake_backup_create(**kwargs):
        seen.update(kwargs)
        return services.BackupResult(tmp_path / "tansiq-x", {}, 0.0)

    monkeypatch.setattr(services, "backup_create", fake_backup_create)
    settings.TANSIQ_BACKUP_DIR, settings.TANSIQ_BACKUP_KEEP = tmp_path, 4
    assert tasks.backup_nightly.delay().get() == str(tmp_path / "tansiq-x")
    assert seen == {"root": tmp_path, "keep": 4, "media_root": settings.MEDIA_ROOT}
