"""IATI export: schema-valid 2.03 XML, p-codes as the location reference, and a faithful round trip."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from lxml import etree

from municipalities.models import Municipality, Sector
from projects.exchange.selectors.iati_export import export_queryset, iati_export
from projects.exchange.services.iati_import import iati_import, iati_load_files
from projects.models import (
    ExchangeRate,
    Participation,
    Partner,
    Project,
    ProjectLocation,
    ProjectSector,
    RelatedActivity,
    ReviewState,
    Transaction,
)
from tests import factories
from tests.projects.exchange.support import CH4_SAMPLE, SCHEMA, eutf_iati_xml, load_reference

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def reference(db):
    load_reference()


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def assert_valid(schema, xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log.filter_from_errors()
    return doc


def _portfolio(reference_partners) -> list[Project]:
    """Two related projects with everything the export carries."""
    undp = Partner.objects.get(iati_ref="XM-DAC-41114")
    eu = Partner.objects.get(iati_ref="XI-IATI-EC_NEAR")
    ngo = factories.PartnerFactory(name_en="Libyan Water Friends", name_ar="أصدقاء المياه", iati_ref=None,
                                   org_type=Partner.OrgType.NATIONAL_NGO)
    water, health = Sector.objects.filter(dac_codes__isnull=False).distinct()[:2]
    tripoli, benghazi = Municipality.objects.get(pcode="LY021104"), Municipality.objects.filter(
        pcode__startswith="LY01", point__isnull=False).first()
    parent = factories.ProjectFactory(
        reporting_partner=eu, iati_identifier="XI-IATI-EC_NEAR-LY-1", title_en="Municipal services",
        title_ar="الخدمات البلدية", description_en="Parent decision.", status=2, budget=Decimal("5000000"),
        currency="EUR", planned_start=dt.date(2024, 1, 1), planned_end=dt.date(2026, 12, 31), state=ReviewState.ACCEPTED)
    child = factories.ProjectFactory(
        reporting_partner=undp, iati_identifier=None, partner_code="UNDP-LY-77", title_en="=HYPERLINK(\"x\")",
        title_ar="مياه الشرب في طرابلس وبنغازي", description_ar="وصف", status=3, budget=Decimal("1234567.89"),
        currency="USD", planned_start=dt.date(2024, 3, 1), actual_start=dt.date(2024, 4, 15),
        planned_end=dt.date(2025, 12, 31), state=ReviewState.ACCEPTED)
    Participation.objects.create(project=parent, partner=eu, role=1)
    Participation.objects.create(project=parent, partner=eu, role=2)
    Participation.objects.create(project=child, partner=eu, role=1, activity_id="XI-IATI-EC_NEAR-LY-1")
    Participation.objects.create(project=child, partner=undp, role=2)
    Participation.objects.create(project=child, partner=ngo, role=4)
    ProjectSector.objects.create(project=parent, sector=water, percentage=100)
    ProjectSector.objects.create(project=child, sector=water, percentage=Decimal("62.5"))
    ProjectSector.objects.create(project=child, sector=health, percentage=Decimal("37.5"))
    for m in (tripoli, benghazi):
        ProjectLocation.objects.create(project=child, municipality=m)
    ProjectLocation.objects.create(project=parent, municipality=tripoli)
    Transaction.objects.create(project=child, type=1, date=dt.date(2024, 5, 1), value=Decimal("600000"),
                               currency="USD", provider_org=eu, provider_activity_id="XI-IATI-EC_NEAR-LY-1")
    Transaction.objects.create(project=parent, type=3, date=dt.date(2024, 4, 20), value=Decimal("600000"),
                               currency="EUR", receiver_org=undp, receiver_activity_id="")
    RelatedActivity.objects.create(project=child, relation=1, iati_identifier=parent.iati_identifier,
                                   related_project=parent)
    return [parent, child]


def _snapshot(projects) -> list[tuple]:
    """What the round trip must keep, keyed on the English title."""
    out = []
    for p in projects:
        out.append((
            p.title_en, p.title_ar, p.description_en, p.description_ar, p.status, p.planned_start, p.planned_end,
            p.actual_start, p.actual_end, p.budget, p.currency, p.partner_code,
            (p.reporting_partner.iati_ref, p.reporting_partner.name_en),
            sorted((x.partner.name_en, x.partner.iati_ref, x.role, x.activity_id) for x in p.participations.all()),
            sorted((s.sector.code, s.percentage) for s in p.sector_shares.all()),
            sorted(loc.municipality.pcode for loc in p.locations.all()),
            sorted((t.type, t.date, t.value, t.currency, t.provider_org.name_en if t.provider_org else None,
                    t.provider_activity_id, t.receiver_org.name_en if t.receiver_org else None, t.receiver_activity_id)
                   for t in p.transactions.all()),
            sorted((r.relation, r.related_project.title_en if r.related_project else None)
                   for r in p.related_activities.all()),
        ))
    return sorted(out)


def test_export_validates_and_maps_pcodes(reference, schema):
    _portfolio(reference)
    result = iati_export(export_queryset())
    assert result.exported == 2 and result.left_out == []
    doc = assert_valid(schema, result.xml)
    activities = doc.findall("iati-activity")
    reporting = activities[0].find("reporting-org")
    assert reporting.get("secondary-reporter") == "1" and reporting.get("type") == "10"
    refs = {loc.get("ref") for act in activities for loc in act.findall("location")}
    assert "LY021104" in refs
    assert all(not loc.findall("administrative") for act in activities for loc in act.findall("location"))
    child = next(a for a in activities if a.findtext("iati-identifier").endswith("-TANSIQ-" + a.findtext(
        "iati-identifier").rsplit("-", 1)[-1]))
    assert child.findtext("iati-identifier").startswith("XM-DAC-41114-TANSIQ-")
    assert child.find("other-identifier").get("ref") == "UNDP-LY-77"


def test_export_leaves_out_what_iati_cannot_hold(reference, schema):
    factories.ProjectFactory(planned_start=None, state=ReviewState.ACCEPTED)  # no date, no partner
    draft = factories.ProjectFactory(state=ReviewState.DRAFT)
    Participation.objects.create(project=draft, partner=draft.reporting_partner, role=4)
    result = iati_export(export_queryset())
    assert result.exported == 0 and len(result.left_out) == 1
    with pytest.raises(CommandError, match="No project to export"):  # an empty file would not be valid IATI
        call_command("export_iati", stdout=StringIO(), stderr=StringIO())
    result = iati_export(export_queryset(all_states=True))
    assert result.exported == 1
    assert_valid(schema, result.xml)


def test_round_trip_gives_the_same_portfolio(reference, schema):
    projects = _portfolio(reference)
    expected = _snapshot(Project.objects.filter(pk__in=[p.pk for p in projects]))
    xml = iati_export(export_queryset()).xml
    assert_valid(schema, xml)

    # an empty database: same reference data, no projects, none of the partners created by hand
    with transaction.atomic():
        RelatedActivity.objects.all().delete()
        Project.objects.all().delete()
        Partner.objects.filter(iati_ref__isnull=True, acronym__startswith="P").delete()
    assert Project.objects.count() == 0
    report = iati_import(files=[("export.xml", xml)])
    assert report.created == 2 and report.skipped == 0
    assert _snapshot(Project.objects.all()) == expected
    assert set(Project.objects.values_list("state", flat=True)) == {ReviewState.ACCEPTED}
    # and exporting again gives an equivalent file that imports as unchanged
    assert iati_import(files=[("again.xml", iati_export(export_queryset()).xml)]).unchanged == 2


def test_imported_samples_export_valid(reference, schema):
    iati_import(files=iati_load_files([CH4_SAMPLE]) + [("eutf.xml", eutf_iati_xml())])
    result = iati_export(export_queryset())
    assert_valid(schema, result.xml)
    assert result.exported + len(result.left_out) == Project.objects.count()


def test_command_filters_by_partner(reference, schema):
    _portfolio(reference)
    ExchangeRate.objects.all()  # reference rates are loaded; nothing to do with them here
    out = StringIO()
    call_command("export_iati", "--partner", "XM-DAC-41114", stdout=out)
    doc = assert_valid(schema, out.getvalue().encode())
    assert len(doc.findall("iati-activity")) == 1
