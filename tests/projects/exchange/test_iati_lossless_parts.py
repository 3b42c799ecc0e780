"""IATI parts issue 15 left last: results and indicators, revised budgets, sectors on transactions. A small file
with all three (tests/data) is imported, what is stored is checked, its export passes the schema and the
Rulesets-style checks, and export -> import -> export gives the same file."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from demo.writer import clear_portfolio
from projects.exchange.formats.iati_rulesets import codelists_read, failures_by_rule, iati_rules_check
from projects.exchange.selectors.iati_export import export_queryset, iati_export
from projects.exchange.services.iati_import import iati_import
from projects.models import Project, ProjectSector
from tests.demo.reference import TODAY
from tests.projects.exchange.support import IATI_DIR, SCHEMA, load_reference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
FIXTURE = Path(__file__).resolve().parents[2] / "data" / "iati_results_budgets_tx_sectors.xml"
IDENTIFIER = "XM-DAC-41114-LOSSLESS-1"
STAMP = re.compile(rb'generated-datetime="[^"]*"')


@pytest.fixture
def imported(db):
    load_reference()
    report = iati_import(files=[(FIXTURE.name, FIXTURE.read_bytes())])
    assert report.created == 1, report.lines()
    return Project.objects.get(iati_identifier=IDENTIFIER), report.activities[0].unmapped


def _export() -> bytes:
    return STAMP.sub(b'generated-datetime="2000-01-01T00:00:00+00:00"', iati_export(export_queryset(all_states=True)).xml)


def test_results_give_the_beneficiaries_and_the_other_indicator_is_listed(imported):
    project, unmapped = imported
    assert (project.beneficiaries_targeted, project.beneficiaries_reached) == (12000, 6500)  # periods summed
    assert ("result indicator «Share of the network rehabilitated» not kept (only the first one counting people "
            "is read, as the beneficiaries)") in unmapped
    assert not [line for line in unmapped if "baseline" in line]  # a baseline of 0 says nothing to keep


def test_original_and_revised_budgets_are_both_kept(imported):
    project, unmapped = imported
    assert (project.budget, project.budget_revised, project.currency) == (
        Decimal("1000000.00"), Decimal("1150000.00"), "EUR")
    assert not [line for line in unmapped if "budget" in line]
    doc = etree.fromstring(_export())
    for kind, total in (("1", Decimal("1000000")), ("2", Decimal("1150000"))):
        budgets = doc.findall(f"iati-activity/budget[@type='{kind}']")
        assert [(b.find("period-start").get("iso-date"), b.find("period-end").get("iso-date")) for b in budgets] == [
            ("2023-07-01", "2023-12-31"), ("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-06-30")]
        assert sum(Decimal(b.findtext("value")) for b in budgets) == total


def test_only_a_revised_budget_is_the_budget_too(db):
    load_reference()
    xml = FIXTURE.read_bytes()
    xml = re.sub(rb'<budget type="1".*?</budget>', b"", xml, flags=re.DOTALL)
    report = iati_import(files=[("revised.xml", xml)])
    project = Project.objects.get(iati_identifier=IDENTIFIER)
    assert (project.budget, project.budget_revised) == (Decimal("1150000.00"), Decimal("1150000.00"))
    assert "no original budget: the revised budget is taken as the budget too" in report.activities[0].unmapped


def test_the_export_passes_the_schema_and_the_rules(imported, settings):
    doc = etree.fromstring(_export())
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(doc), schema.error_log.filter_from_errors()[:5]
    failures = iati_rules_check(doc, codelists_read(IATI_DIR / "codelists"), today=TODAY,
                                own_refs=frozenset({settings.IATI_REPORTING_ORG_REF}))
    assert failures_by_rule(failures) == {}, failures[:5]


def test_export_import_export_is_identical(imported):
    first = _export()
    clear_portfolio()
    assert not Project.objects.exists()
    report = iati_import(files=[("tansiq.xml", first)])
    assert report.created == 1, report.lines()
    second = _export()
    assert first == second
    again = Project.objects.get(iati_identifier=IDENTIFIER)
    assert (again.budget, again.budget_revised, again.beneficiaries_targeted, again.beneficiaries_reached) == (
        Decimal("1000000.00"), Decimal("1150000.00"), 12000, 6500)


def test_sectors_on_transactions_are_kept_and_give_the_split(imported):
    project, unmapped = imported
    assert sorted(project.transactions.values_list("type", "value")) == [
        (2, Decimal("750000.00")), (3, Decimal("250000.00"))]
    assert {tx.type: tx.sectors for tx in project.transactions.all()} == {2: [["1", "12230"]], 3: [["1", "14031"]]}
    # the activity gives none: its split is the transactions' value per code, each line with its DAC code
    assert sorted(project.sector_shares.values_list("sector__code", "dac_code", "percentage")) == [
        ("health", "12230", Decimal("75.00")), ("water-sanitation", "14031", Decimal("25.00"))]
    assert "sectors read from the transactions (the activity gives none): split by their value" in unmapped
    activity = etree.fromstring(_export()).find("iati-activity")
    assert activity.find("sector") is None  # on every transaction, so not on the activity
    assert [[(s.get("vocabulary"), s.get("code")) for s in tx.findall("sector")] for tx in activity.findall(
        "transaction")] == [[("1", "12230")], [("1", "14031")]]


def test_a_split_changed_since_goes_on_the_activity(imported):
    project, _unmapped = imported
    ProjectSector.objects.filter(project=project, dac_code="14031").update(percentage=40)
    ProjectSector.objects.filter(project=project, dac_code="12230").update(percentage=60)
    activity = etree.fromstring(_export()).find("iati-activity")
    # the transactions no longer give the project's split: the split goes on the activity, and only there
    assert sorted((s.get("code"), s.get("percentage")) for s in activity.findall("sector")) == [
        ("12230", "60"), ("14031", "40")]
    assert activity.find("transaction/sector") is None
