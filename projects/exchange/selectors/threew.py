"""3W / 4W spreadsheet (who does what, where, when): one row per project × municipality × sector.

The first rows are the column labels in English and in Arabic, then the HXL hashtag row, so that
HXL tools (which look for the hashtag row among the first rows) read the file as it is.
Every cell goes through ``safe_cell``: text a spreadsheet would run as a formula is defused.

A sheet that sums right: the rows of a project share its money (``#value+usd``, the budget in US
dollars) and its people (``#targeted``, ``#reached``) by weight = sector percentage × municipality
share (an equal share when none is given). Every part is rounded down (to the cent, to the person)
and what rounding leaves goes to the project's last row, so each column adds up to the project's
totals exactly — summing the column, as HXL users do, gives the portfolio's totals.

One organisation per column: the implementing and funding partners each have their own group of
columns (name in English and Arabic, IATI identifier, IATI organisation type), repeated as many
times as the project with the most of them needs (``#org+impl`` … ``#org+impl``): HXL reads repeated
hashtags as a list, so a name is never "A; B". Text whose language varies carries ``+i_en`` / ``+i_ar``;
codes (p-codes, sector codes, DAC codes, status codes, identifiers) carry none. ``#sector+cluster`` is
the IASC cluster's English name (the clusters' own identifiers, not translated). Planned and actual
dates are separate columns. A project with no municipality or no sector still gets its row(s), with
those cells empty, so that it is not lost. Confirmed plan objectives are in ``#indicator+objective+code``.

Streaming: the writers take a queryset and read it in chunks (``iterator(chunk_size=...)`` over plain
rows; per chunk, four queries read the chunk's partners, sectors, places and objectives — a prefetch done
by hand, without building model instances; the partners, sectors and places themselves are read once per
export), the CSV as a generator of text, the XLSX with openpyxl's write-only mode into a file: memory stays
bounded and the queries fixed per chunk, whatever the number of projects.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db.models import Count, QuerySet
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from common.spreadsheets import FORMULA_START, safe_cell
from municipalities.models import DacSector, Municipality, PlanObjective, Sector
from projects.exchange.selectors.objective_refs import OBJECTIVE_TAG, SEPARATOR, objective_ref
from projects.models import (
    ActivityStatus,
    OrganisationRole,
    Participation,
    Partner,
    Project,
    ProjectLocation,
    ProjectSector,
    ReviewState,
)
from projects.money import to_usd
from projects.selectors.money import exchange_rate_table

CHUNK = 2000  # projects read per query (with their parts): fewer round trips, a few MB more
CENT = Decimal("0.01")

# IASC cluster of each national sector (the global clusters' English names). Sectors that are
# development work rather than humanitarian response fall under Early Recovery; multi-sector has none.
CLUSTERS = {
    "electricity-energy": "Early Recovery", "water-sanitation": "Water Sanitation Hygiene",
    "solid-waste": "Water Sanitation Hygiene", "health": "Health", "education": "Education",
    "local-governance": "Early Recovery", "public-finance": "Early Recovery",
    "public-administration": "Early Recovery", "infrastructure-transport": "Early Recovery",
    "housing-shelter": "Emergency Shelter and NFI", "social-protection": "Early Recovery",
    "livelihoods": "Early Recovery", "agriculture": "Food Security", "food-security": "Food Security",
    "protection-migration": "Protection", "gender-equality": "Protection", "peacebuilding": "Early Recovery",
    "mine-action": "Protection", "rule-of-law": "Early Recovery", "civil-society": "Early Recovery",
    "communications-ict": "Emergency Telecommunications", "environment": "Early Recovery",
    "disaster-risk": "Early Recovery", "multisector": "",
}

ORG_ROLES = {"reporting": ("Reporting partner", "الشريك المُبلِّغ"),
             "impl": ("Implementing partner", "الشريك المنفّذ"),
             "funder": ("Funding partner", "الجهة المموّلة")}


def _org_columns(role: str, number: int | None) -> list[tuple[str, str, str]]:
    en, ar = ORG_ROLES[role]
    if number:
        en, ar = f"{en} {number}", f"{ar} {number}"
    return [
        (f"{en} (English)", f"{ar} (بالإنجليزية)", f"#org+{role}+name+i_en"),
        (f"{en} (Arabic)", f"{ar} (بالعربية)", f"#org+{role}+name+i_ar"),
        (f"{en}: IATI identifier", f"{ar}: معرّف IATI", f"#org+{role}+code"),
        (f"{en}: type (IATI code)", f"{ar}: النوع (رمز IATI)", f"#org+{role}+type"),
    ]


REST: list[tuple[str, str, str]] = [
    ("Project identifier", "معرّف المشروع", "#activity+code"),
    ("Project title (English)", "عنوان المشروع (بالإنجليزية)", "#activity+name+i_en"),
    ("Project title (Arabic)", "عنوان المشروع (بالعربية)", "#activity+name+i_ar"),
    ("Sector code", "رمز القطاع", "#sector+code"),
    ("DAC sector code", "رمز قطاع لجنة المساعدات الإنمائية", "#sector+code+dac"),
    ("IASC cluster", "المجموعة القطاعية (IASC)", "#sector+cluster"),
    ("Sector (English)", "القطاع (بالإنجليزية)", "#sector+name+i_en"),
    ("Sector (Arabic)", "القطاع (بالعربية)", "#sector+name+i_ar"),
    ("Sector share (%)", "حصة القطاع (%)", "#sector+pct"),
    ("Region p-code", "رمز المنطقة", "#adm1+code"),
    ("Region (English)", "المنطقة (بالإنجليزية)", "#adm1+name+i_en"),
    ("Region (Arabic)", "المنطقة (بالعربية)", "#adm1+name+i_ar"),
    ("District p-code", "رمز الشعبية", "#adm2+code"),
    ("District (English)", "الشعبية (بالإنجليزية)", "#adm2+name+i_en"),
    ("District (Arabic)", "الشعبية (بالعربية)", "#adm2+name+i_ar"),
    ("Municipality p-code", "رمز البلدية", "#adm3+code"),
    ("Municipality (English)", "البلدية (بالإنجليزية)", "#adm3+name+i_en"),
    ("Municipality (Arabic)", "البلدية (بالعربية)", "#adm3+name+i_ar"),
    ("Status code (IATI)", "رمز الحالة (IATI)", "#status+code"),
    ("Status (English)", "الحالة (بالإنجليزية)", "#status+name+i_en"),
    ("Status (Arabic)", "الحالة (بالعربية)", "#status+name+i_ar"),
    ("Planned start", "تاريخ البدء المخطط", "#date+start+planned"),
    ("Planned end", "تاريخ الانتهاء المخطط", "#date+end+planned"),
    ("Actual start", "تاريخ البدء الفعلي", "#date+start+actual"),
    ("Actual end", "تاريخ الانتهاء الفعلي", "#date+end+actual"),
    ("People targeted (this row's share)", "المستهدفون (حصة هذا السطر)", "#targeted"),
    ("People reached (this row's share)", "المستفيدون (حصة هذا السطر)", "#reached"),
    ("Budget share (USD)", "حصة الميزانية (دولار أمريكي)", "#value+usd"),
    ("Plan objectives (plan:objective)", "أهداف الخطة (الخطة:الهدف)", OBJECTIVE_TAG),
]
HEADER_ROWS = 3


@dataclass(frozen=True)
class Slots:
    """How many implementing and funding partners' column groups the sheet has (at least one each)."""

    impl: int = 1
    funder: int = 1


def threew_columns(slots: Slots = Slots()) -> list[tuple[str, str, str]]:
    """(English label, Arabic label, HXL hashtag) of every column."""
    columns = _org_columns("reporting", None)
    for role, count in (("impl", slots.impl), ("funder", slots.funder)):
        for number in range(1, count + 1):
            columns += _org_columns(role, number if count > 1 else None)
    return columns + REST


COLUMNS = threew_columns()  # the template's columns: one implementing and one funding partner


def threew_queryset(*, all_states: bool = False) -> QuerySet[Project]:
    """Accepted projects (or all), without records the committee confirmed as reports of another."""
    qs = Project.objects.filter(duplicate_of__isnull=True)
    if not all_states:
        qs = qs.filter(state=ReviewState.ACCEPTED)
    return qs.order_by("pk")


def _as_queryset(projects: Iterable[Project]) -> QuerySet[Project]:
    if isinstance(projects, QuerySet):
        return projects
    return Project.objects.filter(pk__in=[p.pk for p in projects]).order_by("pk")


def threew_slots(projects: Iterable[Project]) -> Slots:
    """The most implementing and funding partners one project has (one query per role)."""
    selected = _as_queryset(projects).order_by().values("pk")

    def most(role: int) -> int:
        counts = (Participation.objects.filter(project__in=selected, role=role)
                  .values("project_id").annotate(n=Count("partner_id", distinct=True)).order_by("-n")
                  .values_list("n", flat=True))
        return counts.first() or 1
    return Slots(impl=most(OrganisationRole.IMPLEMENTING), funder=most(OrganisationRole.FUNDING))


def threew_header(slots: Slots = Slots()) -> list[list[str]]:
    columns = threew_columns(slots)
    return [[c[0] for c in columns], [c[1] for c in columns], [c[2] for c in columns]]


class _Context:
    """What every row needs and is read once per export: exchange rates, DAC codes, status labels, and the
    partners, sectors, places (without their geometry) and plan objectives the rows name."""

    def __init__(self) -> None:
        self.partners = {p.pk: p for p in Partner.objects.only("name_en", "name_ar", "acronym", "iati_ref", "org_type")}
        self.sectors = {s.pk: s for s in Sector.objects.only("code", "name_en", "name_ar")}
        self.places: dict[int, tuple[str, list[Any]]] = {}
        places = Municipality.objects.select_related("district__region").only(
            "pcode", "slug", "name_en", "name_ar", "district__pcode", "district__name_en", "district__name_ar",
            "district__region__pcode", "district__region__name_en", "district__region__name_ar")
        for municipality in places:
            district = municipality.district
            region = district.region if district else None
            cells: list[Any] = []
            for place in (region, district):
                cells += [place.pcode, place.name_en, place.name_ar] if place is not None else ["", "", ""]
            cells += [municipality.pcode or "", municipality.name_en, municipality.name_ar]
            self.places[municipality.pk] = (municipality.pcode or municipality.slug, cells)
        self.objectives = {o.pk: objective_ref(o) for o in PlanObjective.objects.select_related("plan").only(
            "code", "plan__code")}
        self.rates = exchange_rate_table()
        self.this_year = dt.date.today().year
        self.dac: dict[int, str] = {}
        for code, sector_id in DacSector.objects.order_by("code").values_list("code", "sector_id"):
            self.dac.setdefault(sector_id, code)
        self.status: dict[int, tuple[str, str]] = {}
        for status in ActivityStatus:
            with translation.override("en"):
                en = str(status.label)
            with translation.override("ar"):
                ar = str(status.label)
            self.status[status.value] = (en, ar)


PROJECT_FIELDS = ("pk", "reporting_partner_id", "iati_identifier", "title_en", "title_ar", "status", "planned_start",
                  "planned_end", "actual_start", "actual_end", "budget", "currency", "beneficiaries_targeted",
                  "beneficiaries_reached")


@dataclass
class _Parts:
    """A chunk's projects' parts, by project id, as plain tuples."""

    participations: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # (partner, role)
    sectors: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)  # (sector, percentage[, dac code])
    locations: dict[int, list[tuple[int, Any]]] = field(default_factory=dict)  # (municipality, share)
    objectives: dict[int, list[int]] = field(default_factory=dict)


def _sector_fields() -> tuple[str, ...]:
    # The DAC code a sector line was received with, when the model keeps it (IATI's own code comes first).
    names = {f.name for f in ProjectSector._meta.get_fields()}
    return ("project_id", "sector_id", "percentage", *(("dac_code",) if "dac_code" in names else ()))


def chunk_filter(ids: list[int], field: str = "project_id") -> dict[str, Any]:
    """The filter that reads a chunk's parts: a range of ids when the chunk's ids are dense (as an export's,
    read in id order, are), else the list. A range is one index scan with two parameters where a list of
    thousands costs more to send than to run; the few rows of projects outside the chunk that a range may
    bring are never looked up (parts are found by the chunk's own ids)."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return {f"{field}__gte": low, f"{field}__lte": high}
    return {f"{field}__in": ids}


def _parts(ids: list[int]) -> _Parts:
    """Four queries for a chunk of projects, whatever its size: the prefetch, done by hand on plain rows."""
    parts = _Parts()
    chunk = chunk_filter(ids)
    for pid, partner_id, role in Participation.objects.filter(**chunk).values_list(
            "project_id", "partner_id", "role"):
        parts.participations.setdefault(pid, []).append((partner_id, role))
    for pid, *rest in ProjectSector.objects.filter(**chunk).values_list(*_sector_fields()):
        parts.sectors.setdefault(pid, []).append(tuple(rest))
    for pid, municipality_id, share in ProjectLocation.objects.filter(**chunk).values_list(
            "project_id", "municipality_id", "share"):
        parts.locations.setdefault(pid, []).append((municipality_id, share))
    through = Project.plan_objectives.through
    field_from = Project.plan_objectives.field.m2m_field_name()
    field_to = Project.plan_objectives.field.m2m_reverse_field_name()
    for pid, objective_id in through.objects.filter(**chunk_filter(ids, f"{field_from}_id")).values_list(
            f"{field_from}_id", f"{field_to}_id"):
        parts.objectives.setdefault(pid, []).append(objective_id)
    return parts


def _chunks(projects: Iterable[Project]) -> Iterator[tuple[list[tuple[Any, ...]], _Parts]]:
    """The projects as plain rows, ``CHUNK`` at a time, each chunk with its parts."""
    batch: list[tuple[Any, ...]] = []
    for row in _as_queryset(projects).values_list(*PROJECT_FIELDS).iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch, _parts([r[0] for r in batch])
            batch = []
    if batch:
        yield batch, _parts([r[0] for r in batch])


Progress = Callable[[int], None]  # progress(projects written so far)


def threew_iter_rows(projects: Iterable[Project], slots: Slots | None = None,
                     progress: Progress | None = None) -> Iterator[list[Any]]:
    """The data rows (not yet made formula-safe), project after project."""
    if slots is None:
        slots = threew_slots(projects)
    context = _Context()
    done = 0
    for batch, parts in _chunks(projects):
        for project in batch:
            yield from _project_rows(project, parts, slots, context)
            done += 1
            if progress is not None:
                progress(done)


def threew_rows(projects: Iterable[Project], slots: Slots | None = None) -> list[list[Any]]:
    return list(threew_iter_rows(projects, slots))


def _org_cells(partners: list[Any], count: int) -> list[Any]:
    cells: list[Any] = []
    for i in range(count):
        p = partners[i] if i < len(partners) else None
        cells += [str(p), p.name_ar, p.iati_ref or "", p.org_type] if p is not None else ["", "", "", ""]
    return cells


def _project_rows(row: tuple[Any, ...], parts: _Parts, slots: Slots, context: _Context) -> list[list[Any]]:
    (pk, reporting_id, identifier, title_en, title_ar, status, planned_start, planned_end, actual_start, actual_end,
     budget, currency, targeted_total, reached_total) = row
    participations = parts.participations.get(pk, [])

    def partners(role: int) -> list[Any]:
        found = {partner_id: context.partners[partner_id] for partner_id, r in participations if r == role}
        return sorted(found.values(), key=lambda partner: (str(partner), partner.pk))

    orgs = (_org_cells([context.partners[reporting_id]], 1)
            + _org_cells(partners(OrganisationRole.IMPLEMENTING), slots.impl)
            + _org_cells(partners(OrganisationRole.FUNDING), slots.funder))
    year = (planned_start or actual_start or dt.date(context.this_year, 1, 1)).year
    budget_usd = to_usd(budget, currency, year, context.rates)
    locations = sorted(parts.locations.get(pk, []), key=lambda loc: context.places[loc[0]][0])
    sectors = sorted(parts.sectors.get(pk, []), key=lambda s: context.sectors[s[0]].code)
    cells = [(loc, share) for loc in (locations or [None]) for share in (sectors or [None])]
    given = bool(locations) and all(loc[1] is not None for loc in locations)
    weights = [_weight(loc, share, given, len(locations)) for loc, share in cells]
    money = split_total(None if budget_usd is None else budget_usd.quantize(CENT), weights, CENT)
    targeted = split_total(targeted_total, weights, 1)
    reached = split_total(reached_total, weights, 1)
    status_en, status_ar = context.status.get(status, ("", ""))
    common = [identifier or "", title_en, title_ar]
    dates = [planned_start, planned_end, actual_start, actual_end]
    objectives = SEPARATOR.join(sorted(context.objectives[o] for o in parts.objectives.get(pk, [])))
    rows = []
    for i, (location, share) in enumerate(cells):
        place = [""] * 9 if location is None else context.places[location[0]][1]
        rows.append(orgs + common + _sector_cells(share, context) + place
                    + [status, status_en, status_ar] + dates + [targeted[i], reached[i], money[i], objectives])
    return rows


def _sector_cells(share: tuple[Any, ...] | None, context: _Context) -> list[Any]:
    if share is None:
        return ["", "", "", "", "", ""]
    sector = context.sectors[share[0]]
    dac = (share[2] if len(share) > 2 else "") or context.dac.get(sector.pk, "")
    return [sector.code, dac, CLUSTERS.get(sector.code, ""), sector.name_en, sector.name_ar, share[1]]


def _weight(location: tuple[int, Any] | None, share: tuple[Any, ...] | None, given: bool, count: int) -> Decimal:
    weight = share[1] if share is not None else Decimal(100)
    if location is not None:
        weight *= location[1] if given else Decimal(100) / count
    return weight


def split_total(total: Any, weights: list[Decimal], unit: Any) -> list[Any]:
    """``total`` shared by weight in steps of ``unit`` (a cent, a person): every part rounded down, the
    remainder on the last part, so that the parts add up to ``total`` exactly and none is negative."""
    if total is None:
        return [None] * len(weights)
    whole = sum(weights)
    if not whole:  # no weight at all: everything on the last row
        return [type(total)(0)] * (len(weights) - 1) + [total]
    step = Decimal(unit)
    units = int(Decimal(total) / step)
    parts = [int(Decimal(units) * w / whole) for w in weights]
    parts[-1] += units - sum(parts)
    if isinstance(total, int):
        return parts
    return [(Decimal(p) * step).quantize(step) for p in parts]


# --- writers ---------------------------------------------------------------------------------------------


def _csv_value(value: Any) -> Any:
    """A cell for the CSV: formula-safe text (``safe_cell``), ISO dates, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_cell(value) if value else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_FORMULA_FIRST = frozenset(FORMULA_START)  # the first characters ``safe_cell`` defuses


def _csv_row(row: list[Any]) -> list[Any]:
    """``_csv_value`` of every cell, with the common types tested first (the CSV's inner loop)."""
    out = []
    for value in row:
        kind = value.__class__
        if value is None:
            out.append("")
        elif kind is str:
            out.append("'" + value if value and value[0] in _FORMULA_FIRST else value)
        elif kind is int or kind is Decimal:
            out.append(value)
        else:
            out.append(_csv_value(value))
    return out


def threew_csv_chunks(projects: Iterable[Project], *, rows_per_chunk: int = 200,
                      progress: Progress | None = None) -> Iterator[str]:
    """The CSV as pieces of text, a few hundred rows at a time (for a streaming response or a file)."""
    projects = _as_queryset(projects)
    slots = threew_slots(projects)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in threew_header(slots):
        writer.writerow(row)
    for count, row in enumerate(threew_iter_rows(projects, slots, progress), start=1):
        writer.writerow(_csv_row(row))
        if count % rows_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def threew_csv(projects: Iterable[Project]) -> str:
    return "".join(threew_csv_chunks(projects))


def threew_write_csv(projects: Iterable[Project], out: IO[bytes], *, bom: bool = True,
                     progress: Progress | None = None) -> None:
    """The CSV into a binary file, in UTF-8 (with the byte-order mark Excel needs to open Arabic text)."""
    if bom:
        out.write("\ufeff".encode())
    for chunk in threew_csv_chunks(projects, progress=progress):
        out.write(chunk.encode("utf-8"))


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def threew_write_xlsx(projects: Iterable[Project], out: Any, *, progress: Progress | None = None) -> None:
    """The XLSX into ``out`` (a path or a binary file), in openpyxl's write-only mode: rows go to a temporary
    file as they are made, so memory does not grow with the sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("3W")
    sheet.freeze_panes = f"A{HEADER_ROWS + 1}"
    projects = _as_queryset(projects)
    slots = threew_slots(projects)
    bold = Font(bold=True)
    for number, labels in enumerate(threew_header(slots)):
        cells = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=label)
            if number < 2:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    for row in threew_iter_rows(projects, slots, progress):
        values = []
        for value in row:
            value = _xlsx_value(safe_cell(value))
            if isinstance(value, str) and value.startswith("="):  # never a formula, whatever the text
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
            values.append(value)
        sheet.append(values)
    workbook.save(out)


def threew_xlsx(projects: Iterable[Project]) -> bytes:
    out = io.BytesIO()
    threew_write_xlsx(projects, out)
    return out.getvalue()
