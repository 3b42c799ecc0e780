"""The export writers, one per format, each ``writer(projects, out, progress=None)``: ``projects`` a queryset
(read in chunks), ``out`` a binary file, ``progress(done)`` told how many projects are written so far.
The export jobs (``services.exports``), the downloads and ``bench_exports`` all write through these.

IATI: for now an adapter over ``iati_export`` (which builds the document in memory); the streaming
writer ``iati_write(projects, out)`` takes its place when it lands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet

from projects.exchange.selectors.iati_export import iati_export
from projects.exchange.selectors.threew import threew_write_csv, threew_write_xlsx
from projects.models import Project

Progress = Callable[[int], None]
CHUNK = 500


def _counted(projects: Iterable[Project], progress: Progress | None) -> Iterator[Project]:
    each = projects.iterator(chunk_size=CHUNK) if isinstance(projects, QuerySet) else iter(projects)
    for done, project in enumerate(each, start=1):
        yield project
        if progress is not None:
            progress(done)


def write_iati(projects: Iterable[Project], out: IO[bytes], progress: Progress | None = None) -> int:
    """The IATI 2.03 activities of ``projects`` into ``out``; returns how many activities it holds."""
    result = iati_export(_counted(projects, progress))
    out.write(result.xml)
    return result.exported


def write_threew_csv(projects: Iterable[Project], out: IO[bytes], progress: Progress | None = None) -> None:
    threew_write_csv(projects, out, progress=progress)


def write_threew_xlsx(projects: Iterable[Project], out: IO[bytes], progress: Progress | None = None) -> None:
    threew_write_xlsx(projects, out, progress=progress)


WRITERS: dict[str, Callable[..., Any]] = {"csv": write_threew_csv, "xlsx": write_threew_xlsx, "iati": write_iati}
FILENAMES = {"csv": "tansiq-3w.csv", "xlsx": "tansiq-3w.xlsx", "iati": "tansiq-iati.xml"}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "iati": "application/xml"}
