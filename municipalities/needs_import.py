"""Import of needs assessments from CSV (UTF-8) or XLSX, all or nothing.

Columns, by header (case, spaces and hyphens do not matter; the first sheet of a workbook):

=================  ===================================================  ========
municipality       p-code (LY021104) or the municipality's key (slug)   required
                   (also ``pcode``, ``p-code``, ``municipality_pcode``, ``adm3_pcode``, ``slug``)
sector             sector code (``water-sanitation``) or a DAC 5-digit   required
                   code of the sector (also ``sector_code``)
severity           1 to 5                                                required
people_in_need     whole number ≥ 0 (also ``pin``)                       optional
displaced          whole number ≥ 0 (also ``idps``)                      optional
returnees          whole number ≥ 0                                      optional
source             who assessed (up to 200 characters)                   required
date               YYYY-MM-DD, or a date cell (also ``assessed_on``)     required
=================  ===================================================  ========

Every row is checked first; any error (row number as the spreadsheet shows it, column, message)
means nothing is written. A row is keyed by municipality + sector + source + date (a unique
constraint): an existing need with that key is updated, and one with the same values is left
untouched, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from municipalities.events import needs_changed
from municipalities.gazetteer import ACCEPT, gazetteer, place_miss_note
from municipalities.models import DacSector, Municipality, Need, Sector
from municipalities.place_services import unresolved_places_reported
from municipalities.tabular import TableFileError, file_bytes, fmt_lazy, header_key, table_rows

logger = logging.getLogger(__name__)

_fmt = fmt_lazy

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "municipality": ("municipality", "pcode", "p_code", "municipality_pcode", "adm3_pcode", "slug",
                     "municipality_slug"),
    "sector": ("sector", "sector_code"),
    "severity": ("severity",),
    "people_in_need": ("people_in_need", "pin"),
    "displaced": ("displaced", "idps"),
    "returnees": ("returnees",),
    "source": ("source",),
    "assessed_on": ("date", "assessed_on", "assessment_date"),
}
REQUIRED = ("municipality", "sector", "severity", "source", "assessed_on")
VALUE_FIELDS = ("severity", "people_in_need", "displaced", "returnees")


@dataclass(frozen=True)
class RowError:
    row: int | None  # as the spreadsheet numbers it (the header is row 1); None: the whole file
    column: str
    message: str | Promise

    def __str__(self) -> str:
        if self.row is None:
            return str(self.message)
        return str(_("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row, "column": self.column or "-", "message": self.message})


class NeedsImportError(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass
class NeedsImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    municipality_ids: list[int] = field(default_factory=list)


def _file_error(message: Promise) -> NeedsImportError:
    return NeedsImportError([RowError(None, "", message)])


def _read_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the file's first table, header first. Raises NeedsImportError."""
    try:
        yield from table_rows(data)
    except TableFileError as exc:
        raise _file_error(exc.message) from None


def _int(value: Any, column: str, row: int, errors: list[RowError], *, lo: int = 0,
         hi: int | None = None, required: bool = False) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(RowError(row, column, _("This value is required.")))
        return None
    try:
        number = float(str(value).strip().replace(",", "")) if not isinstance(value, (int, float)) else value
        if isinstance(number, bool) or number != int(number):
            raise ValueError
        number = int(number)
    except (ValueError, OverflowError):
        errors.append(RowError(row, column, _fmt(_("%(value)r is not a whole number."), {"value": value})))
        return None
    if number < lo or (hi is not None and number > hi):
        if hi is None:
            errors.append(RowError(row, column, _fmt(_("Give a number of at least %(lo)s."), {"lo": lo})))
        else:
            errors.append(RowError(row, column, _fmt(_("Give a number from %(lo)s to %(hi)s."), {"lo": lo, "hi": hi})))
        return None
    if number > 2_147_483_647:
        errors.append(RowError(row, column, _("This number is too large.")))
        return None
    return number


def _date(value: Any, row: int, errors: list[RowError]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        errors.append(RowError(row, "date", _("This value is required.")))
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:  # a spreadsheet saved as CSV may keep a midnight time: 2025-03-01 00:00:00
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        errors.append(RowError(row, "date", _fmt(_("%(value)r is not a date; write it as YYYY-MM-DD."), {"value": text})))
        return None


def needs_import(*, path: str | Path | None = None, data: bytes | None = None, dry_run: bool = False,
                 user: AbstractBaseUser | None = None) -> NeedsImportReport:
    """Check every row of a needs file and, if all are good, upsert them in one transaction. The municipality
    is a p-code, a key or a name (the gazetteer's); names it cannot place go to the report of unresolved names."""
    with unresolved_places_reported(source="needs"):
        return _needs_import(path=path, data=data, dry_run=dry_run, user=user)


def _needs_import(*, path: str | Path | None, data: bytes | None, dry_run: bool,
                  user: AbstractBaseUser | None) -> NeedsImportReport:
    if data is None:
        if path is None:
            raise ValueError("Give a path or the file's bytes.")
        try:
            data = file_bytes(path, max_bytes=MAX_BYTES, too_large=_("The file is larger than 20 MB."))
        except TableFileError as exc:
            raise _file_error(exc.message) from None
    if not data.strip():
        raise _file_error(_("The file is empty."))

    rows = _read_rows(data)
    header = next(rows, None)
    if header is None:
        raise _file_error(_("The file is empty."))
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    for index, raw in enumerate(header[1]):
        key = header_key(raw)
        for name, aliases in COLUMN_ALIASES.items():
            if key in aliases:
                if name in columns:
                    errors.append(RowError(1, str(raw), _fmt(_("Two columns give the %(name)s."), {"name": name})))
                columns[name] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        errors.append(RowError(1, ", ".join(missing), _("Required column missing. The header row must name: "
                                                       "municipality, sector, severity, source, date.")))
    if errors:
        raise NeedsImportError(errors)

    index = gazetteer()
    munis: dict[str, int] = {}
    for m_id, pcode, slug in Municipality.objects.values_list("id", "pcode", "slug"):
        munis[slug.lower()] = m_id
        if pcode:
            munis[pcode.upper()] = m_id
    sectors = {code.lower(): s_id for s_id, code in Sector.objects.values_list("id", "code")}
    sectors.update({code: s_id for code, s_id in DacSector.objects.values_list("code", "sector_id")})

    parsed: dict[tuple[int, int, str, dt.date], tuple[int, dict[str, Any]]] = {}
    count = 0
    for number, cells in rows:
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _file_error(_fmt(_("The file has more than %(max)s rows; split it."), {"max": MAX_ROWS}))

        def cell(name: str, cells: list[Any] = cells) -> Any:
            i = columns.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        row_errors: list[RowError] = []
        place = str(cell("municipality") or "").strip()
        muni_id = munis.get(place.upper()) or munis.get(place.lower())
        if place and muni_id is None:  # a name, as the file writes it: the gazetteer places it or reports it
            resolution = index.resolve(place)
            if resolution.resolved and resolution.confidence >= ACCEPT:
                muni_id = resolution.municipality_id
            else:
                place_miss_note(resolution)
        if not place:
            row_errors.append(RowError(number, "municipality", _("This value is required.")))
        elif muni_id is None:
            row_errors.append(RowError(number, "municipality", _fmt(_("No municipality has the p-code, key or name %(value)r."), {"value": place})))
        sector_text = str(cell("sector") or "").strip()
        if isinstance(cell("sector"), float) and cell("sector").is_integer():
            sector_text = str(int(cell("sector")))
        sector_id = sectors.get(sector_text.lower())
        if not sector_text:
            row_errors.append(RowError(number, "sector", _("This value is required.")))
        elif sector_id is None:
            row_errors.append(RowError(number, "sector", _fmt(_("No sector has the code %(value)r."), {"value": sector_text})))
        values = {
            "severity": _int(cell("severity"), "severity", number, row_errors, lo=1, hi=5, required=True),
            "people_in_need": _int(cell("people_in_need"), "people_in_need", number, row_errors),
            "displaced": _int(cell("displaced"), "displaced", number, row_errors),
            "returnees": _int(cell("returnees"), "returnees", number, row_errors),
        }
        source = str(cell("source") or "").strip()
        if not source:
            row_errors.append(RowError(number, "source", _("This value is required.")))
        elif len(source) > 200:
            row_errors.append(RowError(number, "source", _("Keep the source under 200 characters.")))
        assessed_on = _date(cell("assessed_on"), number, row_errors)
        if row_errors:
            errors.extend(row_errors)
            continue
        key = (muni_id, sector_id, source, assessed_on)
        if key in parsed:
            errors.append(RowError(number, "", _fmt(_("This row repeats row %(row)s (same municipality, sector, source "
                                                 "and date)."), {"row": parsed[key][0]})))
            continue
        parsed[key] = (number, values)  # type: ignore[index]
    if errors:
        raise NeedsImportError(errors)
    if not parsed:
        raise _file_error(_("The file has a header but no rows."))
    return _needs_write(parsed, dry_run=dry_run, user=user)


def _needs_write(parsed: dict[tuple[int, int, str, dt.date], tuple[int, dict[str, Any]]], *, dry_run: bool,
                 user: AbstractBaseUser | None) -> NeedsImportReport:
    report = NeedsImportReport(rows=len(parsed), dry_run=dry_run)
    with transaction.atomic():
        keys = list(parsed)
        existing = {
            (n.municipality_id, n.sector_id, n.source, n.assessed_on): n
            for n in Need.objects.select_for_update().filter(
                municipality_id__in={k[0] for k in keys}, sector_id__in={k[1] for k in keys},
                source__in={k[2] for k in keys}, assessed_on__in={k[3] for k in keys})
        }
        to_write: list[Need] = []
        touched: set[int] = set()
        for key, (_row, values) in parsed.items():
            held = existing.get(key)
            if held is not None and all(getattr(held, f) == values[f] for f in VALUE_FIELDS):
                report.unchanged += 1
                continue
            if held is None:
                report.created += 1
            else:
                report.updated += 1
            touched.add(key[0])
            to_write.append(Need(municipality_id=key[0], sector_id=key[1], source=key[2], assessed_on=key[3],
                                 **values))
        report.municipality_ids = sorted(touched)
        if dry_run or not to_write:
            return report
        # One upsert on the unique key: safe against a concurrent import of the same rows.
        Need.objects.bulk_create(to_write, batch_size=1000, update_conflicts=True,
                                 unique_fields=["municipality", "sector", "source", "assessed_on"],
                                 update_fields=list(VALUE_FIELDS))
        logger.info("Needs imported by %s: %s created, %s updated", user, report.created, report.updated)
        needs_changed.send(sender=Need, municipality_ids=report.municipality_ids, user=user)
    return report
