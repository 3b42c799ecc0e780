"""A lossless round trip: export -> import into a database without the projects -> export gives the same file
(apart from its generated timestamp), what IATI lacks travelling in the tansiq extension namespace."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from lxml import etree

from demo.writer import clear_portfolio
from municipalities.models import Municipality, Sector
from projects.exchange.formats.iati_xml import EXTENSION_NS
from projects.exchange.selectors.iati_export import export_queryset, iati_export
from projects.exchange.services.iati_import import iati_import
from projects.models import Participation, Partner, Programme, Project, ProjectLocation, ProjectSector, Transaction
from tests import factories
from tests.demo.reference import TODAY
from tests.projects.exchange.support import SCHEMA, load_reference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
STAMP = re.compile(rb'generated-datetime="[^"]*"')


@pytest.fixture
def reference(db):
    load_reference()


def _export() -> bytes:
    return STAMP.sub(b'generated-datetime="2000-01-01T00:00:00+00:00"', iati_export(export_queryset(all_states=True)).xml)


def _round_trip() -> tuple[bytes, bytes, object]:
    first = _export()
    projects = Project.objects.count()
    clear_portfolio()
    assert not Project.objects.exists() and not Programme.objects.exists()
    report = iati_import(files=[("tansiq.xml", first)])
    assert report.created == projects, [a for a in report.activities if a.action != "created"][:3]
    return first, _export(), report


def _diff(first: bytes, second: bytes) -> str:
    return "".join(list(difflib.unified_diff(first.decode().splitlines(True), second.decode().splitlines(True)))[:60])


def test_a_project_with_everything_comes_back_the_same(reference):
    undp = Partner.objects.get(iati_ref="XM-DAC-41114")
    local = factories.PartnerFactory(name_en="Local Friends", name_ar="أصدقاء محليون", iati_ref="LY-NGO-7", org_type=22)
    programme = Programme.objects.create(partner=undp, code="UNDP-P1", title_en="Stabilisation", title_ar="الاستقرار",
                                         description="Two lines\nof text", start_date=dt.date(2023, 1, 1))
    project = factories.ProjectFactory(
        reporting_partner=undp, programme=programme, partner_code="UNDP-77", title_en="Water", title_ar="مياه",
        status=2, budget=Decimal("1234567.89"), budget_revised=Decimal("1300000"), currency="USD", planned_start=dt.date(2023, 3, 1),
        planned_end=dt.date(2025, 6, 30), actual_start=dt.date(2023, 4, 1), beneficiaries_targeted=5000,
        beneficiaries_reached=1200, spend_to_date=Decimal("300000.5"), progress_percent=Decimal("42.5"),
        humanitarian=True, policy_markers=[["1", "1", "2"]], aid_type="C01", finance_type="110", flow_type="10",
        tied_status="5", collaboration_type="1", state="accepted")
    Participation.objects.create(project=project, partner=undp, role=2)
    Participation.objects.create(project=project, partner=local, role=4, activity_id="LY-NGO-7-A")
    water = Sector.objects.get(code="multisector")
    ProjectSector.objects.create(project=project, sector=water, dac_code="72050", percentage=30)
    ProjectSector.objects.create(project=project, sector=water, dac_code="72050", percentage=45)
    ProjectSector.objects.create(project=project, sector=Sector.objects.get(code="gender-equality"), percentage=25)
    tripoli, other = Municipality.objects.get(pcode="LY021104"), Municipality.objects.exclude(pcode="LY021104").filter(
        pcode__isnull=False).first()
    ProjectLocation.objects.create(project=project, municipality=tripoli, share=Decimal("60"))
    ProjectLocation.objects.create(project=project, municipality=other, share=Decimal("40"))
    Transaction.objects.create(project=project, type=3, date=dt.date(2024, 1, 5), value=Decimal("1000"),
                               currency="USD", receiver_org=local, receiver_activity_id="LY-NGO-7-A")
    first, second, _report = _round_trip()
    assert first == second, _diff(first, second)
    again = Project.objects.get()
    assert (again.beneficiaries_targeted, again.beneficiaries_reached, again.spend_to_date, again.progress_percent) == (
        5000, 1200, Decimal("300000.50"), Decimal("42.50"))
    assert (again.programme.code, again.programme.description, again.programme.partner) == (
        "UNDP-P1", "Two lines\nof text", undp)
    assert sorted(again.locations.values_list("municipality__pcode", "share")) == sorted([
        (tripoli.pcode, Decimal("60.00")), (other.pcode, Decimal("40.00"))])
    assert Partner.objects.get(name_en="Local Friends").iati_ref == "LY-NGO-7"  # by tansiq:ref, not made anew
    doc = etree.fromstring(first)
    assert doc.find(f".//{{{EXTENSION_NS}}}project").get("beneficiaries-targeted") == "5000"
    assert again.budget_revised == Decimal("1300000.00")
    # original and revised budgets, each per calendar year (2023, 2024, 2025), each adding up to its total
    for kind, total in (("1", Decimal("1234567.89")), ("2", Decimal("1300000"))):
        budgets = doc.findall(f"iati-activity/budget[@type='{kind}']")
        assert [b.find("period-start").get("iso-date")[:4] for b in budgets] == ["2023", "2024", "2025"]
        assert sum(Decimal(b.findtext("value")) for b in budgets) == total
    # the beneficiaries as an IATI result too: one indicator counting people, baseline 0, target and actual
    indicator = doc.find("iati-activity/result[@type='1']/indicator[@measure='1']")
    assert indicator.find("baseline").attrib == {"year": "2023", "iso-date": "2023-03-01", "value": "0"}
    period = indicator.find("period")
    assert (period.find("period-start").get("iso-date"), period.find("period-end").get("iso-date")) == (
        "2023-03-01", "2025-06-30")
    assert (period.find("target").get("value"), period.find("actual").get("value")) == ("5000", "1200")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(doc), schema.error_log.filter_from_errors()[:5]


def test_a_seeded_portfolio_comes_back_the_same(reference):
    call_command("seed_demo", f"--today={TODAY.isoformat()}", "--projects=80", "--seed=6", verbosity=0,
                 stdout=StringIO(), stderr=StringIO())
    first, second, _report = _round_trip()
    assert first.count(b"<iati-activity ") > 60
    assert first == second, _diff(first, second)
