"""Needs import from CSV / XLSX: row-level validation, all or nothing, idempotent re-import."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.functional import Promise

from municipalities.models import DacSector, Need
from municipalities.needs_import import NeedsImportError, needs_import
from tests import factories

HEADER = "pcode,sector,severity,people_in_need,displaced,returnees,source,date\n"


@pytest.fixture
def places(db):
    district = factories.DistrictFactory()
    return {
        "tripoli": factories.MunicipalityFactory(district=district, pcode="LY021104", slug="tripoli-center"),
        "souq": factories.MunicipalityFactory(district=district, pcode=None, slug="souq-al-juma-east"),
        "water": factories.SectorFactory(code="water-sanitation"),
        "health": factories.SectorFactory(code="health"),
    }


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode("utf-8")


GOOD = _csv(
    "LY021104,water-sanitation,4,1200,300,,OCHA MSNA 2024,2024-09-01",
    "souq-al-juma-east,health,3,800,,50,OCHA MSNA 2024,2024-09-01",
    "LY021104,health,2,,,,REACH,2024-10-15",
)


def test_a_good_file_is_imported(places):
    report = needs_import(data=GOOD)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    need = Need.objects.get(municipality=places["tripoli"], sector=places["water"])
    assert (need.severity, need.people_in_need, need.displaced, need.returnees, need.source, need.assessed_on) == (
        4, 1200, 300, None, "OCHA MSNA 2024", date(2024, 9, 1))
    assert Need.objects.get(municipality=places["souq"]).returnees == 50
    assert sorted(report.municipality_ids) == sorted([places["tripoli"].id, places["souq"].id])


def test_reimporting_the_same_file_changes_nothing_and_a_revision_updates(places):
    needs_import(data=GOOD)
    before = list(Need.objects.order_by("id").values())
    report = needs_import(data=GOOD)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(Need.objects.order_by("id").values()) == before
    revised = GOOD.replace(b"water-sanitation,4,1200", b"water-sanitation,5,1500")
    report = needs_import(data=revised)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Need.objects.get(municipality=places["tripoli"], sector=places["water"]).severity == 5
    assert Need.objects.count() == 3


def test_bad_rows_are_each_listed_and_nothing_is_written(places):
    data = _csv(
        "LY021104,water-sanitation,4,1200,,,OCHA,2024-09-01",  # good, but not written
        "LY029999,health,3,10,,,OCHA,2024-09-01",  # unknown p-code
        "LY021104,roads,6,-5,,,OCHA,01/09/2024",  # unknown sector, severity, people, date
        "LY021104,health,,abc,,,,2024-09-01",  # severity and source missing, people not a number
        "LY021104,water-sanitation,3,1,,,OCHA,2024-09-01",  # repeats row 2
    )
    with pytest.raises(NeedsImportError) as caught:
        needs_import(data=data)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(3, "municipality"), (4, "sector"), (4, "severity"), (4, "people_in_need"), (4, "date"),
                     (5, "severity"), (5, "people_in_need"), (5, "source"), (6, "")}
    assert Need.objects.count() == 0
    assert all(isinstance(e.message, (str, Promise)) and str(e) for e in caught.value.errors)
    with translation.override("en"):
        assert str(caught.value.errors[0]).startswith("Row 3, municipality: No municipality")
    with translation.override("ar"):
        assert "LY029999" in str(caught.value.errors[0])


def test_a_missing_column_is_named(places):
    with translation.override("en"), pytest.raises(NeedsImportError, match="Required column") as caught:
        needs_import(data=_csv("LY021104,4,OCHA,2024-09-01", header="pcode,severity,source,date\n"))
    assert caught.value.errors[0].column == "sector" and caught.value.errors[0].row == 1


@pytest.mark.parametrize(("data", "message"), [
    ("pcode,sector,severity,source,date\nLY021104,صحة,3,أوتشا,2024-09-01\n".encode("cp1256"), "not UTF-8"),
    (bytes(range(256)) * 4, "not a CSV or XLSX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
    (b"PK\x03\x04" + b"garbage" * 20, "cannot be read"),
    (b"", "empty"),
    (HEADER.encode(), "no rows"),
])
def test_unreadable_files_get_a_clear_error(places, data, message):
    with translation.override("en"), pytest.raises(NeedsImportError, match=message):
        needs_import(data=data)
    assert Need.objects.count() == 0


def test_an_xlsx_workbook_with_date_cells_and_numbers(places):
    from openpyxl import Workbook

    dac = DacSector.objects.create(code="14030", name_en="Basic drinking water", sector=places["water"])
    book = Workbook()
    sheet = book.active
    sheet.append(["P-Code", "Sector Code", "Severity", "People in need", "IDPs", "Returnees", "Source", "Date"])
    sheet.append(["LY021104", int(dac.code), 4.0, 1200, None, None, "OCHA", datetime(2024, 9, 1)])
    sheet.append(["souq-al-juma-east", "health", 3, 800.0, 20, 5, "OCHA", date(2024, 9, 1)])
    sheet.append([None] * 8)  # an empty row is skipped
    buffer = io.BytesIO()
    book.save(buffer)
    report = needs_import(data=buffer.getvalue())
    assert (report.rows, report.created) == (2, 2)
    assert Need.objects.get(sector=places["water"]).severity == 4
    assert Need.objects.get(municipality=places["souq"]).displaced == 20


def test_semicolons_and_a_byte_order_mark(places):
    data = "\ufeffp-code;sector;severity;source;date\nLY021104;health;3;OCHA;2024-09-01 00:00:00\n".encode()
    assert needs_import(data=data).created == 1


def test_dry_run_counts_and_writes_nothing(places):
    report = needs_import(data=GOOD, dry_run=True)
    assert report.dry_run and report.created == 3 and Need.objects.count() == 0


def test_the_command(places, tmp_path):
    good = tmp_path / "needs.csv"
    good.write_bytes(GOOD)
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_needs", str(good), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and Need.objects.count() == 0
    call_command("import_needs", str(good), stdout=out)
    assert Need.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("LY029999,health,9,,,,OCHA,2024-09-01"))
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="2 error"):
        call_command("import_needs", str(bad), stderr=err)
    assert "Row 2, municipality" in err.getvalue() and "Row 2, severity" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_needs", str(tmp_path / "missing.csv"))


def test_an_import_queues_a_gap_recheck_of_the_municipalities_it_touched(places, django_capture_on_commit_callbacks):
    from coordination.models import AnalysisRun, GapFlag

    with django_capture_on_commit_callbacks(execute=True):
        needs_import(data=GOOD)
    run = AnalysisRun.objects.get(kind="gaps", mode="incremental")
    assert run.status == "succeeded"
    assert set(GapFlag.objects.values_list("municipality__slug", "sector__code")) == {
        ("tripoli-center", None), ("souq-al-juma-east", None),  # no active project at all
        ("tripoli-center", "water-sanitation"), ("souq-al-juma-east", "health"),  # need >= 3, no project
    }
    with django_capture_on_commit_callbacks(execute=True):
        needs_import(data=GOOD)  # nothing changed: nothing queued
    assert AnalysisRun.objects.filter(kind="gaps").count() == 1
