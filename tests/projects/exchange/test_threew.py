"""3W/4W export: one row per project × municipality × sector whose money and people columns add up to the
projects' totals (read with libhxl, as HXL users read it), one organisation per column, language
attributes, formula-safe cells in CSV and XLSX, and a sheet that imports back unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import hxl
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from municipalities.models import DacSector, Municipality, Sector
from projects.exchange.selectors.threew import (
    COLUMNS,
    HEADER_ROWS,
    split_total,
    threew_csv,
    threew_queryset,
    threew_rows,
    threew_xlsx,
)
from projects.exchange.services.spreadsheet_import import spreadsheet_import
from projects.models import Participation, Partner, Project, ProjectLocation, ProjectSector, ReviewState
from projects.money import to_usd
from projects.selectors.money import exchange_rate_table
from tests import factories
from tests.projects.exchange.support import load_reference

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HXL = [c[2] for c in COLUMNS]


@pytest.fixture
def reference(db):
    load_reference()


@pytest.fixture
def portfolio(reference):
    """Three projects of awkward shapes: shares that do not divide evenly, given municipality shares,
    two funders, odd budgets and head counts."""
    sectors = list(Sector.objects.order_by("code")[:3])
    municipalities = list(Municipality.objects.filter(pcode__isnull=False).order_by("pcode")[:4])
    habitat = Partner.objects.get(acronym="UN-Habitat")
    shapes = [  # (municipality shares or None, sector percentages, budget, currency, targeted, reached)
        ([None, None], ["33.33", "33.33", "33.34"], "120000.01", "EUR", 1001, 7),
        ([None], ["100"], "999.99", "USD", None, 5),
        (["70", "20", "10"], ["50", "50"], "100000", "LYD", 12345, 11),
    ]
    projects = []
    for i, (shares, percentages, budget, currency, targeted, reached) in enumerate(shapes):
        project = factories.ProjectFactory(
            state=ReviewState.ACCEPTED, currency=currency, budget=Decimal(budget),
            title_en="=HYPERLINK(\"http://evil\",\"x\")" if i == 0 else f"Project {i}",
            iati_identifier=f"XM-TEST-{i}", beneficiaries_targeted=targeted, beneficiaries_reached=reached,
            actual_start=dt.date(2025, 3, 1) if i == 2 else None)
        Participation.objects.create(project=project, partner=project.reporting_partner, role=4)
        Participation.objects.create(project=project, partner=factories.PartnerFactory(), role=1)
        if i == 2:
            Participation.objects.create(project=project, partner=habitat, role=1)
        for m, share in zip(municipalities, shares, strict=False):
            ProjectLocation.objects.create(project=project, municipality=m,
                                           share=Decimal(share) if share else None)
        for s, pct in zip(sectors, percentages, strict=False):
            ProjectSector.objects.create(project=project, sector=s, percentage=Decimal(pct))
        projects.append(project)
    factories.ProjectFactory(state=ReviewState.DRAFT)  # not published
    return projects, sum(len(s[0]) * len(s[1]) for s in shapes)


def _hxl(text: str):
    source = hxl.data(io.BytesIO(text.encode("utf-8")))
    return source, list(source)


def _budget_usd(project: Project) -> Decimal:
    return to_usd(project.budget, project.currency, project.planned_start.year, exchange_rate_table())


def test_rows_are_municipalities_times_sectors(portfolio):
    projects, expected = portfolio
    rows = threew_rows(threew_queryset())
    assert len(rows) == expected == 6 + 1 + 6
    assert {r[HXL.index("#org+impl+name+i_en")] for r in rows} == {str(p.reporting_partner) for p in projects}


def test_hxl_column_sums_equal_the_project_totals(portfolio):
    projects, _expected = portfolio
    source, rows = _hxl(threew_csv(threew_queryset()))
    by_project: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        sums = by_project.setdefault(row.get("#activity+code"), {"usd": Decimal(0), "targeted": 0, "reached": 0})
        sums["usd"] += Decimal(row.get("#value+usd") or 0)
        sums["targeted"] += int(row.get("#targeted") or 0)
        sums["reached"] += int(row.get("#reached") or 0)
    for project in projects:
        sums = by_project[project.iati_identifier]
        assert sums["usd"] == _budget_usd(project).quantize(Decimal("0.01"))  # exactly, cents included
        assert sums["targeted"] == (project.beneficiaries_targeted or 0)
        assert sums["reached"] == project.beneficiaries_reached
    # and the columns as a whole: the portfolio's totals, not 1.5 times them
    assert sum(Decimal(r.get("#value+usd")) for r in rows) == sum(_budget_usd(p).quantize(Decimal("0.01"))
                                                                  for p in projects)
    assert sum(int(r.get("#reached")) for r in rows) == sum(p.beneficiaries_reached for p in projects)


def test_parts_follow_the_municipality_shares_and_sector_percentages(portfolio):
    projects, _ = portfolio
    _source, rows = _hxl(threew_csv(threew_queryset()))
    mine = [r for r in rows if r.get("#activity+code") == projects[2].iati_identifier]
    targeted = [int(r.get("#targeted")) for r in mine]
    # 12,345 people × 70 % × 50 %, … rounded down, the remainder on the last row
    assert targeted == [4320, 4320, 1234, 1234, 617, 620] and sum(targeted) == 12345
    assert [r.get("#sector+pct") for r in mine[:2]] == ["50.00", "50.00"]


def test_split_total_is_exact_and_never_negative():
    weights = [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert split_total(Decimal("0.02"), weights, Decimal("0.01")) == [Decimal("0.00"), Decimal("0.00"),
                                                                      Decimal("0.02")]
    assert split_total(7, weights, 1) == [2, 2, 3]
    assert split_total(None, weights, 1) == [None, None, None]
    assert sum(split_total(Decimal("120000.01"), weights * 4, Decimal("0.01"))) == Decimal("120000.01")


def test_one_organisation_per_column_with_identifier_and_type(portfolio):
    projects, _ = portfolio
    source, rows = _hxl(threew_csv(threew_queryset()))
    tags = [c.display_tag for c in source.columns]
    assert tags.count("#org+funder+name+i_en") == 2 and tags.count("#org+impl+name+i_en") == 1
    row = next(r for r in rows if r.get("#activity+code") == projects[2].iati_identifier)
    funders = [v for v in row.get_all("#org+funder+name+i_en") if v]
    assert sorted(funders) == sorted(str(p.partner) for p in projects[2].participations.filter(role=1))
    assert "UN-Habitat" in funders
    assert "XM-DAC-41120" in row.get_all("#org+funder+code")
    assert "40" in row.get_all("#org+funder+type")
    assert row.get("#org+reporting+code") == projects[2].reporting_partner.iati_ref  # (None: an empty cell)
    assert not any(";" in (v or "") for r in rows for v in r.get_all("#org"))


def test_language_sector_code_cluster_and_date_columns(portfolio):
    projects, _ = portfolio
    source, rows = _hxl(threew_csv(threew_queryset()))
    tags = {c.display_tag for c in source.columns}
    for base in ("#org+reporting+name", "#activity+name", "#sector+name", "#adm1+name", "#adm2+name", "#adm3+name",
                 "#status+name"):
        assert {f"{base}+i_en", f"{base}+i_ar"} <= tags
    assert {"#sector+code+dac", "#sector+cluster", "#date+start+planned", "#date+end+planned",
            "#date+start+actual", "#date+end+actual", "#status+code"} <= tags
    row = next(r for r in rows if r.get("#activity+code") == projects[2].iati_identifier)
    sector = Sector.objects.get(code=row.get("#sector+code"))
    assert row.get("#sector+code+dac") == DacSector.objects.filter(sector=sector).order_by("code")[0].code
    assert row.get("#sector+name+i_ar") == sector.name_ar and row.get("#sector+name+i_en") == sector.name_en
    assert row.get("#sector+cluster")  # every sector of the fixture but multi-sector has an IASC cluster
    assert row.get("#date+start+planned") == "2025-01-01" and row.get("#date+start+actual") == "2025-03-01"
    assert row.get("#date+end+actual") is None  # an empty cell
    assert row.get("#status+code") == "2" and row.get("#status+name+i_ar") == "قيد التنفيذ"


def test_project_without_place_or_sector_keeps_one_row(reference):
    factories.ProjectFactory(state=ReviewState.ACCEPTED, beneficiaries_reached=9)
    rows = threew_rows(threew_queryset())
    assert len(rows) == 1 and rows[0][HXL.index("#adm3+code")] == "" and rows[0][HXL.index("#reached")] == 9


def test_csv_has_labels_hxl_and_defused_formula(portfolio):
    _projects, expected = portfolio
    rows = list(csv.reader(io.StringIO(threew_csv(threew_queryset()))))
    assert rows[0][0] == "Reporting partner (English)" and rows[1][0] == "الشريك المُبلِّغ (بالإنجليزية)"
    assert rows[2][:4] == HXL[:4] and len(rows[2]) == len(HXL) + 4  # a second funder's group of columns
    assert len(rows) == HEADER_ROWS + expected
    titles = {r[rows[2].index("#activity+name+i_en")] for r in rows[HEADER_ROWS:]}
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in titles
    assert not any(cell.startswith("=") for row in rows for cell in row)
    pcode = rows[HEADER_ROWS][rows[2].index("#adm3+code")]
    assert pcode.startswith(rows[HEADER_ROWS][rows[2].index("#adm2+code")]) and len(pcode) == 8


def test_xlsx_defuses_formulas_and_sums_right(portfolio, tmp_path):
    projects, expected = portfolio
    path = tmp_path / "3w.xlsx"
    call_command("export_3w", "--format", "xlsx", "--output", str(path), stdout=io.StringIO())
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == HEADER_ROWS + expected
    tags = values[2]
    title_col = tags.index("#activity+name+i_en")
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in {row[title_col] for row in values[HEADER_ROWS:]}
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    reached = tags.index("#reached")
    assert sum(row[reached] for row in values[HEADER_ROWS:]) == sum(p.beneficiaries_reached for p in projects)
    assert threew_xlsx(threew_queryset())[:2] == b"PK"


def test_csv_command_to_stdout(portfolio):
    out = io.StringIO()
    call_command("export_3w", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[2].startswith("#org+reporting+name+i_en")


def test_the_empty_template_has_its_three_header_rows_and_nothing_else():
    sheet = load_workbook(io.BytesIO(threew_xlsx([]))).active
    assert sheet.max_row == HEADER_ROWS == 3
    assert [c.value for c in sheet[3]] == [c[2] for c in COLUMNS]
    assert sheet.freeze_panes == "A4"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_sheet_imports_back_unchanged(portfolio, fmt):
    projects, _ = portfolio
    for project in projects:  # the sheet carries the budget in USD: a USD project takes it back
        project.currency = "USD"
        project.save(update_fields=["currency"])
    data = threew_csv(threew_queryset()).encode("utf-8-sig") if fmt == "csv" else threew_xlsx(threew_queryset())
    history = {p.pk: p.history.count() for p in projects}
    result = spreadsheet_import(data=data, name=f"3w.{fmt}")
    assert result.ok and [p.action for p in result.projects] == ["update"] * 3
    assert not any(p.changed for p in result.projects)
    assert {p.pk: p.history.count() for p in projects} == history
    # "UN-Habitat" was read as the partner's name, not as an identifier
    assert set(result.projects[2].funders.values()) >= {Partner.objects.get(acronym="UN-Habitat")}


def test_the_sheet_puts_back_what_was_lost(portfolio):
    projects, _ = portfolio
    project = projects[2]
    data = threew_csv(threew_queryset()).encode("utf-8")
    funders = set(project.participations.filter(role=1).values_list("partner_id", flat=True))
    project.participations.filter(role=1).delete()
    Project.objects.filter(pk=project.pk).update(beneficiaries_targeted=1, actual_start=None)
    result = spreadsheet_import(data=data, name="3w.csv")
    assert result.ok and [p.changed for p in result.projects] == [False, False, True]
    project.refresh_from_db()
    assert set(project.participations.filter(role=1).values_list("partner_id", flat=True)) == funders
    assert project.beneficiaries_targeted == 12345 and project.actual_start == dt.date(2025, 3, 1)
