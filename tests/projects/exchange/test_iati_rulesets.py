"""IATI by the Standard's rules: Rulesets-style checks (codelists read from the Standard's files) and the
XSD on a seeded export; budgets per year; DAC codes as received; registered organisation identifiers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from municipalities.models import Sector
from projects.exchange.formats.iati_orgs import REGISTRATION_PREFIXES, org_identifier
from projects.exchange.formats.iati_rulesets import (
    codelists_read,
    failures_by_rule,
    iati_rules_check,
    registration_prefixes,
)
from projects.exchange.selectors.iati_export import budget_periods, export_queryset, iati_export, iati_write
from projects.exchange.services.iati_import import iati_import
from projects.models import Participation, Partner, Project, ProjectSector, ReviewState, Transaction
from tests import factories
from tests.demo.reference import TODAY
from tests.projects.exchange.support import IATI_DIR, SCHEMA, load_reference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CODELISTS = IATI_DIR / "codelists"


@pytest.fixture(scope="module")
def codelists():
    return codelists_read(CODELISTS)


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture
def reference(db):
    load_reference()


def test_registration_prefixes_are_the_codelists(codelists):
    assert REGISTRATION_PREFIXES == registration_prefixes(codelists)
    assert "XM-DAC" in REGISTRATION_PREFIXES and "GB" in REGISTRATION_PREFIXES


@pytest.mark.parametrize(("ref", "expected"), [
    ("41AAA", "XM-DAC-41AAA"), ("41114", "XM-DAC-41114"), ("XM-DAC-41114", "XM-DAC-41114"),
    ("XI-IATI-EC_NEAR", "XI-IATI-EC_NEAR"), ("GB-GOV-1", "GB-GOV-1"), ("LY-NGO-7", ""), ("UN-Habitat", ""), ("", ""),
])
def test_org_identifier_takes_a_registration_agency(ref, expected):
    assert org_identifier(ref) == expected


def test_budget_periods_are_at_most_a_year_and_add_up():
    periods = budget_periods(dt.date(2020, 3, 13), dt.date(2022, 1, 11), Decimal("1000000.01"))
    assert [(s, e) for s, e, _v in periods] == [
        (dt.date(2020, 3, 13), dt.date(2020, 12, 31)), (dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        (dt.date(2022, 1, 1), dt.date(2022, 1, 11))]
    assert sum(v for _s, _e, v in periods) == Decimal("1000000.01")
    assert periods[1][2] > periods[0][2] > periods[2][2]  # by the days of each year
    assert budget_periods(dt.date(2024, 5, 1), dt.date(2024, 5, 1), Decimal(7)) == [
        (dt.date(2024, 5, 1), dt.date(2024, 5, 1), Decimal(7))]


def test_the_checker_finds_what_breaks_the_rules(codelists):
    """Each rule can fail: a hand-made activity that breaks them all."""
    xml = b"""<iati-activities version="2.03"><iati-activity default-currency="ZZZ">
      <iati-identifier>X-1</iati-identifier><reporting-org ref="41AAA" type="10"/>
      <participating-org role="9" type="40" ref="XM-DAC-41114"/>
      <activity-status code="8"/>
      <activity-date type="1" iso-date="2024-05-01"/><activity-date type="3" iso-date="2024-01-01"/>
      <activity-date type="2" iso-date="2999-01-01"/>
      <recipient-country code="LY" percentage="90"/>
      <sector vocabulary="1" code="15180" percentage="60"/><sector vocabulary="1" code="99999" percentage="30"/>
      <budget type="1"><period-start iso-date="2024-01-01"/><period-end iso-date="2025-06-30"/>
        <value value-date="2024-01-01">5</value></budget>
      <transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/>
        <value currency="USD" value-date="2024-02-01">1</value><sector vocabulary="1" code="15180"/><sector code="15170"/></transaction>
      <result type="1"><title/><indicator measure="1"><title/><period><period-start iso-date="2024-06-01"/>
        <period-end iso-date="2024-05-01"/></period></indicator></result>
    </iati-activity></iati-activities>"""
    found = failures_by_rule(iati_rules_check(etree.fromstring(xml), codelists, today=TODAY))
    assert set(found) == {"budget-period-length", "sector-percentage", "recipient-percentage", "sector-both",
                          "date-order", "date-future", "codelist", "org-identifier", "result-period-order",
                          "transaction-sector-vocabulary"}
    assert found["codelist"] == 4  # currency ZZZ, status 8, role 9, DAC 99999 (15180, USD, types 10/40/3 are listed)
    assert found["org-identifier"] == 1  # 41AAA; XM-DAC-41114 is registered


def _seeded_export() -> bytes:
    call_command("seed_demo", f"--today={TODAY.isoformat()}", "--projects=120", "--seed=4", verbosity=0,
                 stdout=StringIO(), stderr=StringIO())
    buffer = BytesIO()
    stats = iati_write(export_queryset(all_states=True), buffer, chunk_size=25)
    assert stats.exported > 100
    return buffer.getvalue()


def test_a_seeded_export_passes_the_rules_and_the_schema(reference, codelists, schema, settings):
    xml = _seeded_export()
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log.filter_from_errors()[:5]
    failures = iati_rules_check(doc, codelists, today=TODAY, own_refs=frozenset({settings.IATI_REPORTING_ORG_REF}))
    assert failures_by_rule(failures) == {}, failures[:10]
    # the split is real: some projects run over several years, and every one of their budgets is a year at most
    counts = [len(a.findall("budget")) for a in doc.iter("iati-activity")]
    assert max(counts) > 1


def test_the_rulesets_command_prints_json(reference):
    out = StringIO()
    call_command("seed_demo", f"--today={TODAY.isoformat()}", "--projects=20", "--seed=2", verbosity=0,
                 stdout=StringIO(), stderr=StringIO())
    call_command("iati_rulesets_check", "--codelists", str(CODELISTS), stdout=out)
    report = json.loads(out.getvalue())
    assert report["activities"] > 0 and set(report) >= {"failures", "by_rule", "activities_failing"}


def _project(**fields) -> Project:
    undp = Partner.objects.get(iati_ref="XM-DAC-41114")
    project = factories.ProjectFactory(reporting_partner=undp, planned_start=dt.date(2024, 1, 1),
                                       planned_end=dt.date(2025, 6, 30), budget=Decimal("300"),
                                       state=ReviewState.ACCEPTED, **fields)
    Participation.objects.create(project=project, partner=undp, role=4)
    return project


def test_dac_codes_come_back_as_received(reference):
    """15180 stays 15180 (not its national sector's first code 15170); two codes of one national sector stay
    two lines; a line entered here goes out with its national sector's first code."""
    project = _project(iati_identifier="XM-DAC-41114-DAC-1")
    gender, multi = Sector.objects.get(code="gender-equality"), Sector.objects.get(code="multisector")
    ProjectSector.objects.create(project=project, sector=gender, dac_code="15180", percentage=40)
    ProjectSector.objects.create(project=project, sector=multi, dac_code="72050", percentage=35)
    ProjectSector.objects.create(project=project, sector=multi, dac_code="43010", percentage=25)
    xml = iati_export(export_queryset()).xml
    sectors = [(s.get("vocabulary"), s.get("code"), s.get("percentage"))
               for s in etree.fromstring(xml).iter("sector")]
    assert sorted(sectors) == [("1", "15180", "40"), ("1", "43010", "25"), ("1", "72050", "35")]
    Project.objects.all().delete()
    iati_import(files=[("x.xml", xml)])
    lines = sorted(Project.objects.get().sector_shares.values_list("sector__code", "dac_code", "percentage"))
    assert lines == [("gender-equality", "15180", Decimal("40.00")), ("multisector", "43010", Decimal("25.00")),
                     ("multisector", "72050", Decimal("35.00"))]
    again = [(s.get("vocabulary"), s.get("code"), s.get("percentage"))
             for s in etree.fromstring(iati_export(export_queryset()).xml).iter("sector")]
    assert again == sectors


def test_entered_lines_go_out_with_the_first_dac_code(reference):
    project = _project()
    ProjectSector.objects.create(project=project, sector=Sector.objects.get(code="gender-equality"), percentage=100)
    sector = etree.fromstring(iati_export(export_queryset()).xml).find(".//sector")
    assert (sector.get("vocabulary"), sector.get("code")) == ("1", "15170")


def test_identifiers_and_activity_links_are_written(reference, codelists, settings):
    """UNOPS goes out as XM-DAC-41AAA even when kept as 41AAA; a partner identifier with no known agency is not
    claimed as @ref but kept in the extension; provider/receiver activity ids and participating-org/@activity-id
    are written."""
    unops = Partner.objects.get(acronym="UNOPS")
    unops.iati_ref = "41AAA"  # as older reference data held it
    unops.save()
    local = factories.PartnerFactory(name_en="Local Friends", iati_ref="LY-NGO-7", org_type=22)
    project = _project()
    Participation.objects.create(project=project, partner=unops, role=1, activity_id="XM-DAC-41AAA-LBY-9")
    Participation.objects.create(project=project, partner=local, role=3)
    Transaction.objects.create(project=project, type=1, date=dt.date(2024, 2, 1), value=Decimal(5), currency="USD",
                               provider_org=unops, provider_activity_id="XM-DAC-41AAA-LBY-9")
    Transaction.objects.create(project=project, type=3, date=dt.date(2024, 3, 1), value=Decimal(2), currency="USD",
                               receiver_org=local, receiver_activity_id="LY-NGO-7-P1")
    activity = etree.fromstring(iati_export(export_queryset()).xml).find("iati-activity")
    funder = activity.find("participating-org[@role='1']")
    assert funder.get("ref") == "XM-DAC-41AAA" and funder.get("activity-id") == "XM-DAC-41AAA-LBY-9"
    extending = activity.find("participating-org[@role='3']")
    assert extending.get("ref") is None and extending.get("{urn:tansiq:iati-extension:1}ref") == "LY-NGO-7"
    provider = activity.find("transaction/provider-org")
    assert provider.get("ref") == "XM-DAC-41AAA" and provider.get("provider-activity-id") == "XM-DAC-41AAA-LBY-9"
    assert activity.find("transaction/receiver-org").get("receiver-activity-id") == "LY-NGO-7-P1"
    failures = iati_rules_check(activity.getparent(), codelists, today=TODAY)
    # the ministry's own identifier is a placeholder until it registers one: the only one without an agency
    assert [f.message for f in failures if f.rule == "org-identifier"] == [
        f"reporting-org/@ref {settings.IATI_REPORTING_ORG_REF} has no registration-agency prefix"]


def test_the_writer_streams_in_prefetched_chunks(reference, tmp_path):
    """iati_write reads a queryset chunk by chunk (each chunk's parts read as plain rows, a fixed number of
    queries per chunk) and gives the same file as the in-memory export; export_iati --output streams to a file."""
    for n in range(6):
        _project(iati_identifier=f"XM-DAC-41114-CHUNK-{n}")
    files, queries = {}, {}
    for size in (10, 2, 1):  # 1, 3 and 6 chunks
        files[size] = BytesIO()
        with CaptureQueriesContext(connection) as captured:
            stats = iati_write(export_queryset(), files[size], now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                               chunk_size=size)
        assert stats.exported == 6
        queries[size] = len(captured.captured_queries)
    assert files[10].getvalue() == files[2].getvalue() == files[1].getvalue()
    per_chunk = (queries[2] - queries[10]) / 2  # two chunks more
    # each chunk runs the same queries again, for its rows only; what the whole export reads once stays once
    assert per_chunk >= 1 and queries[1] - queries[2] == 3 * per_chunk
    assert queries[10] - per_chunk >= 2  # the DAC codes and the projects themselves, read once
    out = tmp_path / "iati.xml"
    call_command("export_iati", "--output", str(out), stdout=StringIO(), stderr=StringIO())
    assert len(etree.parse(str(out)).getroot().findall("iati-activity")) == 6
