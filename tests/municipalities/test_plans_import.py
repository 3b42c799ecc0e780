"""import_plans: CSV, XLSX and JSON; every row checked first, all or nothing, idempotent."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from municipalities.models import DevelopmentPlan, PlanObjective
from municipalities.plans_import import PlansImportError, plans_import
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ("plan_code,plan_level,plan_municipality,plan_title_ar,plan_title_en,owner_body,start_year,end_year,"
          "plan_status,source,objective_code,parent_code,title_ar,title_en,sectors,sdg_targets,cost_estimate,"
          "currency,priority_rank,indicators\n")


@pytest.fixture
def world(db):
    m = factories.MunicipalityFactory(pcode="LY021104", slug="tripoli-center", name_en="Tripoli Center")
    elec = factories.SectorFactory(code="electricity", name_ar="الكهرباء", name_en="Electricity")
    water = factories.SectorFactory(code="water", name_ar="المياه", name_en="Water")
    return {"m": m, "elec": elec, "water": water}


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


GOOD = (
    "NDP-2025,national,,الخطة العامة للدولة,State general plan,وزارة التخطيط,2025,2028,approved,MoP,N1,,"
    "تحسين شبكة الكهرباء,Improve the electricity grid,electricity,7.1;SDG 7,1000000,LYD,1,access|60%|90%",
    "NDP-2025,national,,الخطة العامة للدولة,State general plan,وزارة التخطيط,2025,2028,approved,MoP,N1.1,N1,"
    "محطات فرعية,Substations,electricity,,250000,LYD,,",
    "TRP-LOCAL,municipal,LY021104,خطة طرابلس المركز,,بلدية طرابلس المركز,2025,2027,draft,,M1,,مياه الشرب,,water,6.1,"
    ",USD,1,",
)


def test_csv_import_writes_plans_and_objectives_and_a_second_run_changes_nothing(world):
    report = plans_import(data=csv_bytes(*GOOD), name="plans.csv")
    assert (report.plans, report.objectives, report.created, report.updated) == (2, 3, 5, 0)
    ndp = DevelopmentPlan.objects.get(code="NDP-2025")
    assert ndp.status == "approved" and ndp.owner_body == "وزارة التخطيط"
    n1 = PlanObjective.objects.get(plan=ndp, code="N1")
    assert n1.sdg_targets == ["7.1", "7"] and n1.cost_estimate == Decimal("1000000.00")
    assert n1.indicators == [{"name": "access", "baseline": "60%", "target": "90%"}]
    assert list(n1.sectors.all()) == [world["elec"]] and n1.sector == world["elec"]
    assert PlanObjective.objects.get(code="N1.1").parent == n1
    local = DevelopmentPlan.objects.get(code="TRP-LOCAL")
    assert local.municipality == world["m"] and local.status == "draft"
    before = list(PlanObjective.objects.values_list("id", "title_ar", "parent_id"))
    again = plans_import(data=csv_bytes(*GOOD), name="plans.csv")
    assert (again.created, again.updated, again.unchanged, again.plan_ids) == (0, 0, 5, [])
    assert list(PlanObjective.objects.values_list("id", "title_ar", "parent_id")) == before


def test_bad_rows_are_all_reported_in_arabic_and_nothing_is_written(world):
    bad = (
        GOOD[0],
        "NDP-2025,national,,الخطة العامة للدولة,State general plan,وزارة التخطيط,2025,2028,approved,MoP,N2,N9,"
        "هدف,,nowhere,19,-5,LY,zero,",
        "X,municipal,LY999999,خطة,,,2027,2025,final,,M1,,,,,,,,,",
    )
    with translation.override("ar"), pytest.raises(PlansImportError) as caught:
        plans_import(data=csv_bytes(*bad), name="plans.csv")
    errors = {(e.row, e.column) for e in caught.value.errors}
    assert {(3, "parent_code"), (3, "sectors"), (3, "sdg_targets"), (3, "cost_estimate"), (3, "currency"),
            (3, "priority_rank"), (4, "plan_municipality"), (4, "end_year"), (4, "plan_status"),
            (4, "title_ar")} <= errors
    with translation.override("ar"):
        text = "\n".join(str(e) for e in caught.value.errors)
    assert "الصف 4، العمود plan_municipality: لا توجد بلدية بالرمز المكاني أو المفتاح 'LY999999'." in text
    assert DevelopmentPlan.objects.count() == 0 and PlanObjective.objects.count() == 0


def test_json_and_xlsx_read_the_same(world):
    doc = {"plans": [{"code": "SEC-W", "level": "sector", "sector": "water", "title_ar": "خطة قطاع المياه",
                      "start_year": 2025, "end_year": 2030, "status": "approved", "is_demo": True,
                      "objectives": [{"code": "W1", "title_ar": "آبار", "title_en": "Wells", "sectors": ["water"],
                                      "municipalities": ["tripoli-center"], "priority_rank": 2,
                                      "indicators": [{"name": "wells", "baseline": "0", "target": "20"}]}]}]}
    report = plans_import(data=json.dumps(doc).encode(), name="plans.json")
    assert report.created == 2
    w1 = PlanObjective.objects.get(code="W1")
    assert w1.plan.is_demo and w1.plan.sector == world["water"] and list(w1.municipalities.all()) == [world["m"]]

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in csv_bytes(GOOD[0]).decode().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    assert plans_import(data=buffer.getvalue(), name="plans.xlsx").created == 2


def test_the_command_dry_run_writes_nothing_and_errors_stop_it(world, tmp_path):
    path = tmp_path / "plans.csv"
    path.write_bytes(csv_bytes(*GOOD))
    out = io.StringIO()
    call_command("import_plans", str(path), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and "5 created" in out.getvalue()
    assert DevelopmentPlan.objects.count() == 0
    path.write_bytes(csv_bytes(GOOD[0].replace(",approved,", ",approvd,")))
    with pytest.raises(CommandError):
        call_command("import_plans", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert DevelopmentPlan.objects.count() == 0


def test_a_parent_cycle_and_a_too_large_file_are_refused(world, monkeypatch):
    rows = (GOOD[0].replace(",N1,,", ",N1,N2,"),
            GOOD[1].replace(",N1.1,N1,", ",N2,N1,"))
    with pytest.raises(PlansImportError) as caught:
        plans_import(data=csv_bytes(*rows), name="plans.csv")
    assert any(e.column == "parent_code" for e in caught.value.errors)
    monkeypatch.setattr("municipalities.plans_import.MAX_BYTES", 100)
    with pytest.raises(PlansImportError):
        plans_import(data=csv_bytes(*GOOD), name="plans.csv")
