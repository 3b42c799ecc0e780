"""The export writers, one per format, each ``writer(projects, out, progress=None)``: ``projects`` a queryset
(read in chunks), ``out`` a binary file, ``progress(done)`` told how many projects are written so far.
The export jobs (``services.exports``), the downloads and ``bench_exports`` all write through these.

IATI is written by the streaming ``iati_write`` (one activity at a time, projects read in chunks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any

from projects.exchange.selectors.iati_export import iati_write
from projects.exchange.selectors.threew import threew_write_csv, threew_write_xlsx
from projects.models import Project

Progress = Callable[[int], None]


def write_iati(projects: Iterable[Project], out: IO[bytes], progress: Progress | None = None) -> int:
    """The IATI 2.03 activities of ``projects`` into ``out``; returns how many activities it holds."""
    return iati_write(projects, out, progress=progress).exported


def write_threew_csv(projects: Iterable[Project], out: IO[bytes], progress: Progress | None = None) -> None:
    threew_write_csv(projects, out, progress=progress)


def write_threew_xlsx(projects: Iterable[Project], out: IO[bytes], progress: Progress | None = None) -> None:
    threew_write_xlsx(projects, out, progress=progress)


WRITERS: dict[str, Callable[..., Any]] = {"csv": write_threew_csv, "xlsx": write_threew_xlsx, "iati": write_iati}
FILENAMES = {"csv": "tansiq-3w.csv", "xlsx": "tansiq-3w.xlsx", "iati": "tansiq-iati.xml"}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "iati": "application/xml"}
