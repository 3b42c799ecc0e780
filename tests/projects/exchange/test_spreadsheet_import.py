"""3W spreadsheet import: the exported template reads back, rows are validated, and a bad row saves nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from municipalities.models import Municipality, Sector
from projects.exchange.selectors.threew import threew_csv, threew_queryset, threew_xlsx
from projects.exchange.services.spreadsheet_import import (
    SpreadsheetError,
    spreadsheet_import,
    spreadsheet_preview,
    spreadsheet_rows,
)
from projects.models import Participation, Partner, Project, ProjectLocation, ProjectSector, ReviewState
from tests import factories
from tests.projects.exchange.support import LEGACY_COLUMNS, load_reference

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HXL = [c[2] for c in LEGACY_COLUMNS]  # the hand-made sheets of these tests use the older columns


@pytest.fixture
def reference(db):
    load_reference()


def _sheet(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c[0] for c in LEGACY_COLUMNS])
    writer.writerow(HXL)
    for row in rows:
        writer.writerow([row.get(tag, "") for tag in HXL])
    return out.getvalue().encode("utf-8")


def _row(**cells: str) -> dict[str, str]:
    base = {"#org+reporting": "UNDP", "#org+impl": "UNDP", "#org+funder": "EUTF",
            "#activity+name+i_en": "Solar street lights", "#activity+name+i_ar": "إنارة الشوارع بالطاقة الشمسية",
            "#status": "Implementation", "#date+start": "2025-01-01", "#date+end": "2026-06-30"}
    return base | {k.replace("__", "+"): v for k, v in cells.items()}


def _two_by_two() -> bytes:
    tripoli, other = Municipality.objects.filter(pcode__startswith="LY0211")[:2]
    energy, water = Sector.objects.all()[:2]
    rows = []
    for m in (tripoli, other):
        for s, pct in ((energy, "60"), (water, "40")):
            rows.append(_row(**{"#adm3+code": m.pcode, "#adm2+code": m.district.pcode, "#sector+code": s.code,
                                "#sector+pct": pct, "#value+usd": "25000"}))
    return _sheet(rows)


def test_new_project_from_four_rows(reference):
    preview = spreadsheet_preview(data=_two_by_two(), name="3w.csv")
    assert preview.ok, preview.lines()
    assert [p.action for p in preview.projects] == ["create"] and Project.objects.count() == 0

    result = spreadsheet_import(data=_two_by_two(), name="3w.csv")
    assert result.saved
    project = Project.objects.get()
    assert project.title_ar == "إنارة الشوارع بالطاقة الشمسية" and project.status == 2
    assert project.reporting_partner.acronym == "UNDP" and project.state == ReviewState.ACCEPTED
    assert project.budget == Decimal("100000.00") and project.currency == "USD"
    assert sorted(project.sector_shares.values_list("percentage", flat=True)) == [Decimal("40"), Decimal("60")]
    assert project.locations.count() == 2
    assert {(p.partner.acronym, p.role) for p in project.participations.all()} == {("UNDP", 4), ("EUTF", 1)}
    # importing it again changes nothing
    history = project.history.count()
    assert [p.action for p in spreadsheet_import(data=_two_by_two()).projects] == ["update"]
    assert Project.objects.count() == 1 and project.history.count() == history


@pytest.mark.parametrize(("cells", "message"), [
    ({"#org+impl": "Nobody Relief"}, "unknown partner Nobody Relief"),
    ({"#adm3+code": "LY099999"}, "unknown municipality p-code"),
    ({"#sector+code": "astrology"}, "unknown sector"),
    ({"#status": "Finished-ish"}, "not a valid status"),
    ({"#date+end": "2024-01-01"}, "end date comes before"),
    ({"#date+start": "31/12/2025"}, "not a valid planned start"),
    ({"#reached": "-5"}, "not a valid beneficiaries reached"),
    ({"#value+usd": "lots"}, "not an amount"),
    ({"#sector+pct": "150"}, "not a percentage"),
])
def test_a_bad_row_is_reported_and_nothing_is_saved(reference, cells, message):
    good = _row(**{"#adm3+code": "LY021104", "#sector+code": Sector.objects.first().code})
    bad = good | cells | {"#activity+name+i_en": "Another project", "#activity+name+i_ar": "مشروع آخر"}
    data = _sheet([good, bad])
    preview = spreadsheet_preview(data=data)
    assert not preview.ok and message in " ".join(preview.lines())
    assert preview.errors[0].row == 4  # the line in the file: two header rows, then the good row
    with pytest.raises(SpreadsheetError, match="Nothing was saved"):
        spreadsheet_import(data=data)
    assert Project.objects.count() == 0


def test_rows_of_one_project_must_agree(reference):
    rows = [_row(**{"#adm3+code": "LY021104"}), _row(**{"#adm3+code": "LY021101", "#status": "Closed"})]
    preview = spreadsheet_preview(data=_sheet(rows))
    assert [e.column for e in preview.errors] == ["status"]


def test_exported_sheet_reimports_unchanged_in_csv_and_xlsx(reference):
    project = factories.ProjectFactory(state=ReviewState.ACCEPTED, title_en="=cmd|' /C calc'!A0", currency="USD",
                                       iati_identifier="XM-DAC-41114-LY-9",
                                       reporting_partner=Partner.objects.get(acronym="UNDP"))
    Participation.objects.create(project=project, partner=project.reporting_partner, role=2)  # not in a 3W: kept
    Participation.objects.create(project=project, partner=project.reporting_partner, role=4)
    for m in Municipality.objects.filter(pcode__isnull=False)[:3]:
        ProjectLocation.objects.create(project=project, municipality=m)
    ProjectSector.objects.create(project=project, sector=Sector.objects.first(), percentage=100)
    history = project.history.count()
    for data in (threew_csv(threew_queryset()).encode(), threew_xlsx(threew_queryset())):
        result = spreadsheet_import(data=data, name="export")
        assert result.ok and [p.action for p in result.projects] == ["update"]
    project.refresh_from_db()
    assert project.title_en == "=cmd|' /C calc'!A0"  # the defusing apostrophe is taken off again, stored as text
    assert project.participations.count() == 2 and project.locations.count() == 3
    assert project.budget == Decimal("100000.00")
    assert project.history.count() == history


@pytest.mark.parametrize(("data", "message"), [
    (b"a,b\n1,2\n", "no HXL hashtag row"),
    ("#org+impl,#sector\nCafé,x\n".encode("latin-1"), "not UTF-8"),
    (b"PK\x03\x04 not really a zip", "not a readable XLSX"),
])
def test_unreadable_sheets(data, message):
    with pytest.raises(SpreadsheetError, match=message):
        spreadsheet_rows(data, name="upload")


def test_command_preview_then_import(reference, tmp_path):
    path = tmp_path / "3w.csv"
    path.write_bytes(_two_by_two())
    out = io.StringIO()
    call_command("import_3w", str(path), "--preview", stdout=out)
    assert "1 to create" in out.getvalue() and Project.objects.count() == 0
    call_command("import_3w", str(path), stdout=io.StringIO())
    assert Project.objects.count() == 1
    path.write_bytes(_sheet([_row(**{"#org+impl": "Nobody"})]))
    with pytest.raises(CommandError, match="unknown partner Nobody"):
        call_command("import_3w", str(path))
