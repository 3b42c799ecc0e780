"""A backup on disk: one folder ``tansiq-YYYYmmdd-HHMMSS`` holding the database dump, ``media.tar.gz`` and
``manifest.json`` (each file's size and SHA-256, the row count of every table). It is written under a
``.partial`` name and renamed when complete, so a backup cut short is never taken for one."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
FORMAT = 1
PREFIX = "tansiq-"
PARTIAL = ".partial"


class BackupError(Exception):
    """A backup that cannot be made, or an archive that must not be restored."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path) -> dict[str, Any]:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}


def new_backup_folder(root: Path, now: datetime | None = None) -> tuple[Path, Path]:
    """(the folder to write into, the name it gets once complete)."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    final = root / f"{PREFIX}{stamp}"
    suffix = 1
    while final.exists():
        suffix += 1
        final = root / f"{PREFIX}{stamp}-{suffix}"
    work = final.with_name(final.name + PARTIAL)
    work.mkdir()
    return work, final


def media_archive(media_root: Path, target: Path) -> dict[str, Any]:
    """Every file under ``media_root`` into a gzipped tar (paths relative to it); its entry for the manifest."""
    files = total = 0
    with tarfile.open(target, "w:gz") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    files += 1
                    total += path.stat().st_size
    return {**file_entry(target), "files": files, "content_bytes": total}


def media_extract(archive: Path, media_root: Path) -> int:
    """Unpack the media tar into ``media_root`` (the "data" filter: no absolute paths, links out or devices)."""
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        tar.extractall(media_root, members=members, filter="data")
    return sum(1 for member in members if member.isfile())


def manifest_write(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST).write_text(json.dumps({"format": FORMAT, **manifest}, indent=2, sort_keys=True))


def manifest_read(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST}: not a complete backup")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is not readable JSON: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def manifest_verify(folder: Path) -> dict[str, Any]:
    """The manifest, once every file it names has its recorded size and checksum; else BackupError."""
    manifest = manifest_read(folder)
    for part in ("database", "media"):
        entry = manifest.get(part) or {}
        path = folder / str(entry.get("file", ""))
        if not entry.get("file") or not path.is_file():
            raise BackupError(f"{folder}: the {part} file {entry.get('file')!r} is missing")
        if path.stat().st_size != entry["bytes"]:
            raise BackupError(f"{path}: {path.stat().st_size} bytes, the manifest says {entry['bytes']}")
        if sha256_of(path) != entry["sha256"]:
            raise BackupError(f"{path}: its SHA-256 is not the manifest's: the archive is corrupt")
    return manifest


@dataclass(frozen=True)
class Pruned:
    kept: list[Path]
    removed: list[Path]


def backups_prune(root: Path, keep: int, *, partial_hours: float = 24) -> Pruned:
    """Keep the ``keep`` newest complete backups; remove older ones and leftovers of runs cut short."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    if not root.is_dir():
        return Pruned([], [])
    complete = sorted((p for p in root.iterdir() if p.is_dir() and p.name.startswith(PREFIX)
                       and not p.name.endswith(PARTIAL) and (p / MANIFEST).is_file()), key=lambda p: p.name)
    old = complete[:-keep]
    stale = [p for p in root.iterdir() if p.is_dir() and p.name.endswith(PARTIAL)
             and time.time() - p.stat().st_mtime > partial_hours * 3600]
    for path in [*old, *stale]:
        shutil.rmtree(path)
    return Pruned(complete[-keep:], [*old, *stale])
