"""3W/4W export: one row per project × municipality × sector, HXL row, formula-safe cells in CSV and XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from municipalities.models import Municipality, Sector
from projects.exchange.selectors.threew import (
    COLUMNS,
    HEADER_ROWS,
    threew_csv,
    threew_queryset,
    threew_rows,
    threew_xlsx,
)
from projects.models import Participation, ProjectLocation, ProjectSector, ReviewState
from projects.money import to_usd
from projects.selectors.money import exchange_rate_table
from tests import factories
from tests.projects.exchange.support import load_reference

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def reference(db):
    load_reference()
HXL = [c[2] for c in COLUMNS]


@pytest.fixture
def portfolio(reference):
    sectors = list(Sector.objects.all()[:3])
    municipalities = list(Municipality.objects.filter(pcode__isnull=False)[:4])
    shapes = [(2, 3), (1, 1), (4, 2)]  # municipalities × sectors
    projects = []
    for i, (n_m, n_s) in enumerate(shapes):
        project = factories.ProjectFactory(state=ReviewState.ACCEPTED, currency="EUR", budget=Decimal("120000"),
                                           title_en="=HYPERLINK(\"http://evil\",\"x\")" if i == 0 else f"Project {i}",
                                           beneficiaries_reached=500)
        Participation.objects.create(project=project, partner=project.reporting_partner, role=4)
        funder = factories.PartnerFactory()
        Participation.objects.create(project=project, partner=funder, role=1)
        for m in municipalities[:n_m]:
            ProjectLocation.objects.create(project=project, municipality=m)
        pct = Decimal(100) / n_s
        for s in sectors[:n_s]:
            ProjectSector.objects.create(project=project, sector=s, percentage=pct.quantize(Decimal("0.01")))
        projects.append(project)
    factories.ProjectFactory(state=ReviewState.DRAFT)  # not published
    return projects, sum(m * s for m, s in shapes)


def test_rows_are_municipalities_times_sectors(portfolio):
    projects, expected = portfolio
    rows = threew_rows(threew_queryset())
    assert len(rows) == expected == 6 + 1 + 8
    # the budget shares add up to each project's budget in USD
    budget_col = HXL.index("#value+usd")
    rates = exchange_rate_table()
    for project in projects:
        total = sum(r[budget_col] for r in rows if r[HXL.index("#activity+name+i_en")] == project.title_en)
        assert total == to_usd(Decimal("120000"), "EUR", 2025, rates)  # exactly, cents included
    assert {r[HXL.index("#org+impl")] for r in rows} == {str(p.reporting_partner) for p in projects}


def test_project_without_place_or_sector_keeps_one_row(reference):
    factories.ProjectFactory(state=ReviewState.ACCEPTED)
    rows = threew_rows(threew_queryset())
    assert len(rows) == 1 and rows[0][HXL.index("#adm3+code")] == ""


def test_csv_has_labels_hxl_and_defused_formula(portfolio):
    _projects, expected = portfolio
    rows = list(csv.reader(io.StringIO(threew_csv(threew_queryset()))))
    assert rows[0][0] == "Reporting partner" and rows[1][0] == "الشريك المُبلِّغ"
    assert rows[2] == HXL
    for tag in ("#org+impl", "#org+funder", "#sector+name", "#activity+code", "#adm1+code", "#adm2+code", "#adm3+code",
                "#status", "#date+start", "#date+end", "#reached", "#value+usd"):
        assert tag in rows[2]
    assert len(rows) == HEADER_ROWS + expected
    titles = {r[HXL.index("#activity+name+i_en")] for r in rows[HEADER_ROWS:]}
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in titles
    assert not any(cell.startswith("=") for row in rows for cell in row)
    pcode = rows[HEADER_ROWS][HXL.index("#adm3+code")]
    assert pcode.startswith(rows[HEADER_ROWS][HXL.index("#adm2+code")]) and len(pcode) == 8


def test_xlsx_defuses_formulas(portfolio, tmp_path):
    _projects, expected = portfolio
    path = tmp_path / "3w.xlsx"
    call_command("export_3w", "--format", "xlsx", "--output", str(path), stdout=io.StringIO())
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == HEADER_ROWS + expected
    assert values[2] == HXL
    title_col = HXL.index("#activity+name+i_en")
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in {row[title_col] for row in values[HEADER_ROWS:]}
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert threew_xlsx(threew_queryset())[:2] == b"PK"


def test_csv_command_to_stdout(portfolio):
    out = io.StringIO()
    call_command("export_3w", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[2].startswith("#org+reporting")


def test_the_empty_template_has_its_three_header_rows_and_nothing_else():
    sheet = load_workbook(io.BytesIO(threew_xlsx([]))).active
    assert sheet.max_row == HEADER_ROWS == 3
    assert [c.value for c in sheet[3]] == [c[2] for c in COLUMNS]
    assert sheet.freeze_panes == "A4"
