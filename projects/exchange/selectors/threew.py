"""3W / 4W spreadsheet (who does what, where, when): one row per project × municipality × sector.

The first rows are the column labels in English and in Arabic, then the HXL hashtag row, so that
HXL tools (which look for the hashtag row among the first rows) read the file as it is.
Every cell goes through ``safe_cell``: text a spreadsheet would run as a formula is defused.

Money: ``#value+usd`` is the row's part of the project budget in US dollars (budget × sector
percentage × municipality share, an equal share when none is given; the cents left by rounding go
to the largest parts), so that the column adds up to each budget exactly. People reached and targeted are the project's totals: the same people are not split
between sectors. A project with no municipality or no sector still gets its row(s), with those cells
empty, so that it is not lost from the sheet. The project's confirmed plan objectives are in
``#indicator+objective+code`` (see ``objective_refs``), on each of its rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from common.spreadsheets import safe_cell
from projects.exchange.selectors.objective_refs import OBJECTIVE_TAG, objective_cell
from projects.models import OrganisationRole, Project, ReviewState
from projects.money import to_usd
from projects.selectors.money import exchange_rate_table

# (English label, Arabic label, HXL hashtag)
COLUMNS: list[tuple[str, str, str]] = [
    ("Reporting partner", "الشريك المُبلِّغ", "#org+reporting"),
    ("Implementing partner", "الشريك المنفّذ", "#org+impl"),
    ("Funding partner", "الجهة المموّلة", "#org+funder"),
    ("Project identifier", "معرّف المشروع", "#activity+code"),
    ("Project title (English)", "عنوان المشروع (بالإنجليزية)", "#activity+name+i_en"),
    ("Project title (Arabic)", "عنوان المشروع (بالعربية)", "#activity+name+i_ar"),
    ("Sector code", "رمز القطاع", "#sector+code"),
    ("Sector", "القطاع", "#sector+name"),
    ("Sector share (%)", "حصة القطاع (%)", "#sector+pct"),
    ("Region p-code", "رمز المنطقة", "#adm1+code"),
    ("Region", "المنطقة", "#adm1+name"),
    ("District p-code", "رمز الشعبية", "#adm2+code"),
    ("District", "الشعبية", "#adm2+name"),
    ("Municipality p-code", "رمز البلدية", "#adm3+code"),
    ("Municipality (English)", "البلدية (بالإنجليزية)", "#adm3+name+i_en"),
    ("Municipality (Arabic)", "البلدية (بالعربية)", "#adm3+name+i_ar"),
    ("Status", "الحالة", "#status"),
    ("Start date", "تاريخ البدء", "#date+start"),
    ("End date", "تاريخ الانتهاء", "#date+end"),
    ("People targeted (project total)", "المستهدفون (مجموع المشروع)", "#targeted"),
    ("People reached (project total)", "المستفيدون (مجموع المشروع)", "#reached"),
    ("Budget share (USD)", "حصة الميزانية (دولار أمريكي)", "#value+usd"),
    ("Plan objectives (plan:objective)", "أهداف الخطة (الخطة:الهدف)", OBJECTIVE_TAG),
]
HEADER_ROWS = 3


def threew_queryset(*, all_states: bool = False) -> QuerySet[Project]:
    """Accepted projects (or all), without records the committee confirmed as reports of another."""
    qs = Project.objects.filter(duplicate_of__isnull=True)
    if not all_states:
        qs = qs.filter(state=ReviewState.ACCEPTED)
    return qs.order_by("pk").select_related("reporting_partner").prefetch_related(
        "participations__partner", "sector_shares__sector", "locations__municipality__district__region",
        "plan_objectives__plan",
    )


def threew_header() -> list[list[str]]:
    return [[c[0] for c in COLUMNS], [c[1] for c in COLUMNS], [c[2] for c in COLUMNS]]


def threew_rows(projects: Iterable[Project]) -> list[list[Any]]:
    """The data rows (not yet made formula-safe)."""
    rates = exchange_rate_table()
    this_year = dt.date.today().year
    rows: list[list[Any]] = []
    for project in projects:
        parts = project.participations.all()
        implementers = "; ".join(sorted({str(p.partner) for p in parts if p.role == OrganisationRole.IMPLEMENTING}))
        funders = "; ".join(sorted({str(p.partner) for p in parts if p.role == OrganisationRole.FUNDING}))
        year = (project.planned_start or project.actual_start or dt.date(this_year, 1, 1)).year
        budget_usd = to_usd(project.budget, project.currency, year, rates)
        locations = sorted(project.locations.all(), key=lambda loc: loc.municipality.pcode or loc.municipality.slug)
        sectors = sorted(project.sector_shares.all(), key=lambda s: s.sector.code)
        cells = [(loc, share) for loc in (locations or [None]) for share in (sectors or [None])]
        amounts = _split(budget_usd, [_weight(loc, share, locations) for loc, share in cells])
        for (location, share), part in zip(cells, amounts, strict=True):
            rows.append(_row(project, location, share, implementers, funders, part))
    return rows


def _weight(location, share, locations) -> Decimal:
    weight = share.percentage if share is not None else Decimal(100)
    if location is not None:
        given = all(loc.share is not None for loc in locations)
        weight *= location.share if given else Decimal(100) / len(locations)
    return weight


def _split(total: Decimal | None, weights: list[Decimal]) -> list[Decimal | None]:
    """``total`` in cents shared by weight, the cents left by rounding given to the largest parts,
    so that the rows add up to the budget exactly."""
    if total is None:
        return [None] * len(weights)
    whole = sum(weights)
    if not whole:
        return [Decimal("0.00")] * len(weights)
    cents = int(total * 100)
    exact = [Decimal(cents) * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: cents - sum(parts)]:
        parts[i] += 1
    return [Decimal(p) / 100 for p in parts]


def _row(project: Project, location, share, implementers: str, funders: str, part: Decimal | None) -> list[Any]:
    municipality = location.municipality if location else None
    district = municipality.district if municipality else None
    region = district.region if district else None
    return [
        str(project.reporting_partner), implementers, funders, project.iati_identifier or "",
        project.title_en, project.title_ar,
        share.sector.code if share else "", str(share.sector) if share else "", share.percentage if share else "",
        region.pcode if region else "", str(region) if region else "",
        district.pcode if district else "", str(district) if district else "",
        (municipality.pcode or "") if municipality else "", municipality.name_en if municipality else "",
        municipality.name_ar if municipality else "",
        project.get_status_display(),
        project.actual_start or project.planned_start, project.actual_end or project.planned_end,
        project.beneficiaries_targeted, project.beneficiaries_reached, part, objective_cell(project),
    ]


def threew_csv(projects: Iterable[Project]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in threew_header() + threew_rows(projects):
        writer.writerow([_csv_value(safe_cell(v)) for v in row])
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def threew_xlsx(projects: Iterable[Project]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "3W"
    for row in threew_header():
        sheet.append(row)
    for cell in sheet[1] + sheet[2]:
        cell.font = Font(bold=True)
    for row in threew_rows(projects):
        sheet.append([_xlsx_value(safe_cell(v)) for v in row])
    for cells in sheet.iter_rows(min_row=HEADER_ROWS + 1):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = f"A{HEADER_ROWS + 1}"  # (asking for the cell would create an empty row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value
