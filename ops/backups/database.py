"""The database's part of a backup, with each database's own tools: ``pg_dump -Fc`` / ``pg_restore`` for
PostgreSQL (from one exported snapshot, so the dump and the row counts agree), SQLite's online backup API for the
embedded SpatiaLite file. A target is described by a settings dict (Django's, or one read from a URL)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ops.backups.archive import BackupError

POSTGRES = "postgresql"
SQLITE = "sqlite"
DUMP_FILES = {POSTGRES: "database.dump", SQLITE: "database.sqlite3"}
TOOL_TIMEOUT = 6 * 3600  # seconds: a dump or restore that takes longer has hung


def vendor_of(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if "postgis" in engine or "postgresql" in engine:
        return POSTGRES
    if "spatialite" in engine or "sqlite" in engine:
        return SQLITE
    raise BackupError(f"no backup tool for the database engine {engine}")


def target_from_url(url: str) -> dict[str, Any]:
    """postgis://user:pass@host:port/name (or postgres://) or spatialite:///path as a minimal settings dict."""
    parts = urlsplit(url)
    if parts.scheme in ("postgis", "postgres", "postgresql"):
        return {"ENGINE": "postgis", "NAME": unquote(parts.path.lstrip("/")), "USER": unquote(parts.username or ""),
                "PASSWORD": unquote(parts.password or ""), "HOST": parts.hostname or "", "PORT": parts.port or ""}
    if parts.scheme in ("spatialite", "sqlite"):
        return {"ENGINE": "spatialite", "NAME": unquote(parts.path)}
    raise BackupError(f"{url!r}: give postgis://user:pass@host:port/name or spatialite:///path/to/file.sqlite3")


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
    except FileNotFoundError:
        raise BackupError(f"{args[0]} is not installed (Debian: postgresql-client)") from None
    if done.returncode:
        raise BackupError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def pg_dump(db: dict[str, Any], target: Path, snapshot: str | None) -> None:
    args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    _run(args, _pg_env(db), "pg_dump")


def pg_restore(db: dict[str, Any], source: Path) -> None:
    _run(["pg_restore", "--no-owner", "--no-privileges", "--no-comments", "--exit-on-error",
          f"--dbname={db['NAME']}", str(source)], _pg_env(db), "pg_restore")


def pg_connect(db: dict[str, Any]):
    import psycopg

    return psycopg.connect(host=db.get("HOST") or None, port=db.get("PORT") or None, user=db.get("USER") or None,
                           password=db.get("PASSWORD") or None, dbname=db["NAME"], autocommit=True,
                           connect_timeout=10)


def sqlite_module():
    # The module Django's SQLite backend uses (pysqlite3 where config.db.spatialite swapped it in), imported only
    # on the SQLite path: on PostgreSQL that backend is never loaded.
    from django.db.backends.sqlite3.base import Database

    return Database


def sqlite_copy(source, target: Path) -> None:
    """The online backup of an open SQLite connection (or of a file path) into ``target``, page by page."""
    module = sqlite_module()
    opened = isinstance(source, (str, Path))
    src = module.connect(str(source)) if opened else source
    dest = module.connect(str(target))
    try:
        src.backup(dest)
    finally:
        dest.close()
        if opened:
            src.close()


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (a table name, quoted)
        counts[table] = cursor.fetchone()[0]
    return counts


def target_counts(db: dict[str, Any], tables: list[str]) -> dict[str, int]:
    """Row counts of ``tables`` in the database ``db`` (opened with its own driver, not Django's connection)."""
    if vendor_of(db) == POSTGRES:
        with pg_connect(db) as conn, conn.cursor() as cursor:
            return table_counts(cursor, tables)
    conn = sqlite_module().connect(str(db["NAME"]))
    try:
        return table_counts(conn.cursor(), tables)
    finally:
        conn.close()


def target_is_empty(db: dict[str, Any]) -> bool:
    """No Django tables yet (PostGIS's own spatial_ref_sys may be there: CREATE EXTENSION makes it)."""
    if vendor_of(db) == POSTGRES:
        with pg_connect(db) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('public.django_migrations') IS NULL")
            return bool(cursor.fetchone()[0])
    path = Path(db["NAME"])
    if not path.exists() or path.stat().st_size == 0:
        return True
    conn = sqlite_module().connect(str(path))
    try:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'").fetchone()
    finally:
        conn.close()
    return found is None
