"""Reading the first table of an uploaded CSV (UTF-8) or XLSX file safely, for the importers of
reference data (needs, plans): the workbook opened read-only with values only, no formulas run, the
encoding checked, the delimiter guessed from the header line. Errors are ``TableFileError`` with a
message in the language active when it is shown."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Messages are filled in when shown, in the language active then (not the one at import time).
fmt_lazy = lazy(lambda template, params: str(template) % params, str)


class TableFileError(ValueError):
    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def header_key(value: Any) -> str:
    """A header cell as a column key: case, spaces and hyphens do not matter."""
    return str(value or "").strip().lower().replace("-", "_").replace(" ", "_").lstrip("\ufeff")


def file_bytes(path: str | Path, *, max_bytes: int, too_large: str | Promise) -> bytes:
    try:
        if Path(path).stat().st_size > max_bytes:
            raise TableFileError(too_large)
        return Path(path).read_bytes()
    except OSError as exc:
        raise TableFileError(fmt_lazy(_("The file cannot be opened: %(error)s"),
                                      {"error": exc.strerror or exc})) from None


def is_xlsx(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def table_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the file's first table, header first."""
    if is_xlsx(data):
        yield from _xlsx_rows(data)
        return
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableFileError(_("This is an old Excel (.xls) file: save it as .xlsx or as CSV (UTF-8)."))
    if b"\x00" in data[:65536]:
        raise TableFileError(_("This is not a CSV or XLSX file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableFileError(_("The file is not UTF-8 text. Save the CSV as UTF-8 "
                               "(in Excel: “CSV UTF-8”) or as XLSX.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    except csv.Error as exc:
        raise TableFileError(fmt_lazy(_("The CSV cannot be read: %(error)s"), {"error": exc})) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # reads its XML through defusedxml when installed

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        logger.info("Unreadable workbook: %s", exc)
        raise TableFileError(_("The XLSX file cannot be read; is it a real Excel workbook?")) from None
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        book.close()
