"""IATI import: the real samples, idempotence, refusal of unsafe or broken files, EUTF parent/child links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from municipalities.models import Municipality
from projects.exchange.formats.iati_xml import IatiFileError, iati_parse, iati_read_file
from projects.exchange.services.iati_import import iati_import, iati_load_files
from projects.models import Partner, Project, RelatedActivity, ReviewState, Transaction
from tests.projects.exchange.support import (
    CH4_SAMPLE,
    WORKED_EXAMPLE,
    eutf_iati_xml,
    eutf_links,
    eutf_rows,
    load_reference,
)

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def reference(db):
    load_reference()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Project, Partner, Transaction, RelatedActivity)} | {
        "history": Project.history.count()}


def test_ch4_sample_imports_six_accepted_projects(reference):
    partners_before = Partner.objects.count()
    report = iati_import(files=iati_load_files([CH4_SAMPLE]))

    assert (report.created, report.updated, report.unchanged, report.skipped) == (6, 0, 0, 0)
    project = Project.objects.get(iati_identifier="CH-4-2020001298")
    assert project.title_en == "Libyen NRC NTK COVID-19" and project.title_ar == ""
    assert project.state == ReviewState.ACCEPTED
    assert project.status == 2
    assert (project.planned_start, project.actual_start, project.planned_end) == (
        dt.date(2020, 9, 1), dt.date(2020, 9, 1), dt.date(2021, 2, 28))
    assert project.reporting_partner.iati_ref == "CH-4"  # the reference partner, not a new one
    roles = {(p.partner.iati_ref, p.role) for p in project.participations.select_related("partner")}
    # the implementer is given only as "donor-country NGO" (XM-DAC-22000): a category, never a partner
    assert roles == {("CH-4", 1)}
    # 72050 appears twice (30 % and 70 %): two lines, as received
    assert list(project.sector_shares.order_by("pk").values_list("dac_code", "percentage")) == [
        ("72050", Decimal("30.00")), ("72050", Decimal("70.00"))]
    # the classifications are kept
    assert project.policy_markers[0] == ["1", "5", "0"] and ["1", "1", "1"] in project.policy_markers
    assert (project.collaboration_type, project.flow_type, project.finance_type, project.aid_type,
            project.tied_status) == ("1", "10", "110", "C01", "5")
    assert sorted(project.transactions.values_list("type", "value", "currency")) == [
        (2, Decimal("28500.00"), "CHF"), (3, Decimal("0.00"), "CHF")]
    assert project.budget is None and project.currency == "CHF"
    # the generic "donor-country NGO" code names no organisation: no partner is made of it
    assert not Partner.objects.filter(name_en="ONG basée dans un pays donneur").exists()
    assert not Partner.objects.filter(iati_ref__in=["XM-DAC-22000", "XM-DAC-21000"]).exists()
    assert Partner.objects.count() - partners_before == len(report.partners_created) == 0
    entry = next(a for a in report.activities if a.identifier == "CH-4-2020001298")
    assert any("municipality" in item for item in entry.unmapped)  # only the country is given
    # what is not kept is said: the contact, the conditions; and the category code
    assert "<contact-info> not kept (1)" in entry.unmapped and "<conditions> not kept (1)" in entry.unmapped
    assert any("XM-DAC-22000" in item and "category" in item for item in entry.unmapped)


def test_reimport_changes_nothing(reference):
    files = iati_load_files([CH4_SAMPLE, WORKED_EXAMPLE])
    iati_import(files=files)
    before = _counts()
    report = iati_import(files=files)
    assert (report.created, report.updated, report.unchanged, report.skipped) == (0, 0, 6, 1)  # Haiti refused
    assert report.partners_created == []
    assert _counts() == before


def test_an_activity_outside_libya_is_refused(reference):
    report = iati_import(files=iati_load_files([WORKED_EXAMPLE]))
    assert (report.created, report.skipped) == (0, 1)
    assert report.activities[0].unmapped[0] == "recipient country HT, not Libya: activity not imported"
    assert not Project.objects.exists()


def test_worked_example_imports(reference):
    """The 1.0x worked example, moved to Libya: its budget (budget-planned) and everything else are read."""
    data = WORKED_EXAMPLE.read_bytes().replace(b'<recipient-country code="HT">Haiti', b'<recipient-country code="LY">Libya')
    report = iati_import(files=[("worked-example.xml", data)])
    assert report.created == 1
    assert [item for item in report.activities[0].unmapped if "not kept" in item] == []
    project = Project.objects.get(iati_identifier="http://www.example.org/activities/12345.xml")
    assert project.budget == Decimal("1000000.00")  # 250,000 + 750,000 planned
    project = Project.objects.get(iati_identifier="http://www.example.org/activities/12345.xml")
    assert project.title_en == "Worked example of an activity report"  # English wins over French
    assert project.reporting_partner.name_en == "Example Agency"  # from other-identifier/@owner-name
    assert (project.planned_start, project.planned_end) == (dt.date(2010, 4, 1), dt.date(2011, 3, 31))
    assert project.currency == "GBP"
    assert list(project.related_activities.values_list("relation", "iati_identifier", "related_project")) == [
        (3, "http://example.org/activities/54321.xml", None)]
    incoming, disbursement = project.transactions.order_by("type")
    assert (incoming.type, incoming.value, incoming.date, incoming.provider_org.name_en) == (
        1, Decimal("1000000.00"), dt.date(2010, 7, 7), "DFID")
    assert incoming.provider_activity_id == "http://www.dfid.gov.uk/activities/012345.xml"
    assert disbursement.receiver_org.acronym == "UNICEF"  # matched by name: a URL is not an organisation identifier
    assert disbursement.receiver_activity_id == "http://www.unicef.org/projects/AA99B.xml"


def test_dry_run_saves_nothing(reference):
    before = _counts()
    report = iati_import(files=iati_load_files([CH4_SAMPLE]), dry_run=True)
    assert report.created == 6 and report.dry_run
    assert _counts() == before


def test_update_is_reported_and_kept_in_history(reference):
    iati_import(files=iati_load_files([CH4_SAMPLE]))
    data = CH4_SAMPLE.read_bytes().replace(b"Libyen NRC NTK COVID-19", b"Libyen NRC COVID-19 (revised)", 1)
    report = iati_import(files=[("revised.xml", data)])
    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    project = Project.objects.get(iati_identifier="CH-4-2020001298")
    assert project.title_en == "Libyen NRC COVID-19 (revised)"
    assert project.history.count() == 2


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&lol2;</iati-identifier></iati-activity></iati-activities>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<iati-activities><iati-activity><iati-identifier>&secret;</iati-identifier></iati-activity></iati-activities>"""
PLAIN_DTD = b"""<?xml version="1.0"?><!DOCTYPE iati-activities><iati-activities version="2.03"/>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL, PLAIN_DTD], ids=["entities", "external", "dtd"])
def test_dtd_and_entities_are_refused_and_nothing_is_written(reference, data):
    before = _counts()
    with pytest.raises(IatiFileError, match="DTD or entities"):
        iati_import(files=[("ok.xml", CH4_SAMPLE.read_bytes()), ("evil.xml", data)])
    assert _counts() == before


@pytest.mark.parametrize(("data", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ("<?xml version='1.0' encoding='utf-8'?><iati-activities><t>Café</t></iati-activities>".encode("latin-1"),
     "not valid UTF-8"),
    (b"iati-identifier,title\nX,Y\n", "not well-formed XML"),
    (b"<html><body>hello</body></html>", "not an IATI activity file"),
    (b"   ", "empty"),
])
def test_broken_files_get_a_clear_error(data, message):
    with pytest.raises(IatiFileError, match=message):
        iati_parse(data, name="upload.xml")


def test_latin1_declared_file_is_read():
    data = ("<?xml version='1.0' encoding='ISO-8859-1'?><iati-activities><iati-activity>"
            "<iati-identifier>X-1</iati-identifier></iati-activity></iati-activities>").encode("latin-1")
    assert len(iati_parse(data)) == 1


def test_huge_file_is_refused_before_reading(tmp_path, db):
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: no 51 MB written to disk
    with pytest.raises(IatiFileError, match="the limit is 50 MB"):
        iati_read_file(huge)
    with pytest.raises(CommandError, match="the limit is 50 MB"):
        call_command("import_iati", str(huge))
    assert Project.objects.count() == 0


def test_command_imports_a_directory_and_dry_runs(reference, tmp_path, capsys):
    (tmp_path / "a.xml").write_bytes(CH4_SAMPLE.read_bytes())
    (tmp_path / "notes.txt").write_text("not imported")
    call_command("import_iati", str(tmp_path), "--dry-run")
    assert "created 6" in capsys.readouterr().out and Project.objects.count() == 0
    call_command("import_iati", str(tmp_path))
    assert Project.objects.count() == 6


def test_locations_map_by_pcode_name_and_point(reference):
    tripoli = Municipality.objects.get(pcode="LY021104")
    other = Municipality.objects.exclude(pk=tripoli.pk).filter(point__isnull=False, area__isnull=False).first()
    inside = other.area.point_on_surface
    xml = f"""<iati-activities version="2.03"><iati-activity xml:lang="en">
      <iati-identifier>XM-TEST-1</iati-identifier>
      <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
      <title><narrative>Water</narrative><narrative xml:lang="ar">مياه</narrative></title>
      <participating-org ref="XM-DAC-41114" role="4" activity-id="UNDP-1"/>
      <activity-status code="2"/>
      <location><administrative vocabulary="A1" code="LY021104"/></location>
      <location><name><narrative xml:lang="ar">{other.name_ar}</narrative></name></location>
      <location><point srsName="x"><pos>{inside.y} {inside.x}</pos></point></location>
      <location><name><narrative>Atlantis</narrative></name></location>
      <recipient-region code="189" vocabulary="1"/>
      <sector vocabulary="2" code="140"/>
      <sector vocabulary="1" code="99999"/>
      <sector vocabulary="10" code="1"/>
    </iati-activity></iati-activities>""".encode()
    report = iati_import(files=[("t.xml", xml)])
    project = Project.objects.get(iati_identifier="XM-TEST-1")
    assert (project.title_en, project.title_ar) == ("Water", "مياه")
    assert set(project.municipalities.all()) == {tripoli, other}
    assert project.participations.get().activity_id == "UNDP-1"
    assert project.sector_shares.get().sector.dac_codes.filter(code__startswith="140").exists()
    unmapped = " | ".join(report.activities[0].unmapped)
    for expected in ("Atlantis", "recipient region 189", "99999", "vocabulary 10"):
        assert expected in unmapped


def test_eutf_activities_import_with_parent_child_links(reference):
    report = iati_import(files=[("eutf.xml", eutf_iati_xml())])
    rows = eutf_rows()
    assert report.created == len(rows) == 54 and report.skipped == 0

    ids = {row["iati_id"] for row in rows}
    links = {(row["iati_id"], row["relation"], row["related_iati_id"]) for row in eutf_links()}
    assert RelatedActivity.objects.count() == len(links)
    assert RelatedActivity.objects.filter(related_project__isnull=False).count() == sum(
        1 for _i, _r, related in links if related in ids)
    child = Project.objects.get(iati_identifier="T05-EUTF-NOA-LY-05-02")
    parent_link = child.related_activities.get(relation=1)
    assert parent_link.related_project.iati_identifier == "T05-EUTF-NOA-LY-05"
    assert parent_link.related_project.budget == Decimal("50000000.00")
    assert child.reporting_partner.acronym == "EUTF"  # matched on the name
    assert {p.partner.acronym for p in child.participations.filter(role=4)} == {"UNDP"}
    # district ISO codes and city names are reported, not guessed
    lines = " ".join(report.lines())
    assert "matches no municipality" in lines
    # and a second import of the same file changes nothing
    again = iati_import(files=[("eutf.xml", eutf_iati_xml())])
    assert again.unchanged == 54


def test_secondary_reporter_leaves_the_record_with_the_accountable_partner(reference):
    xml = b"""<iati-activities version="2.03"><iati-activity>
      <iati-identifier>LY-MOLG-1</iati-identifier>
      <reporting-org ref="LY-MOLG" type="10" secondary-reporter="1"><narrative>Ministry</narrative></reporting-org>
      <title><narrative>Vaccination</narrative></title>
      <participating-org ref="XM-DAC-41122" role="2"/>
      <participating-org role="4"><narrative>WORLD HEALTH ORGANIZATION (WHO)</narrative></participating-org>
      <participating-org role="9"><narrative>Someone</narrative></participating-org>
    </iati-activity></iati-activities>"""
    report = iati_import(files=[("x.xml", xml)])
    project = Project.objects.get(iati_identifier="LY-MOLG-1")
    assert project.reporting_partner.acronym == "UNICEF"
    assert {(p.partner.acronym, p.role) for p in project.participations.all()} == {("UNICEF", 2), ("WHO", 4)}
    assert not Partner.objects.filter(name_en="Ministry").exists()
    assert report.partners_created == []
    assert any("role 9" in item for item in report.activities[0].unmapped)


def test_editing_an_imported_project_keeps_its_dac_lines(reference, personas):
    """The form shows one row per national sector (SDC's two 72050 lines: one row at 100 %); saving it
    unchanged keeps both lines and their codes; changing the split replaces the lines of the changed sectors."""
    from municipalities.models import Sector
    from projects.forms import sector_initial
    from projects.services.projects import project_edit

    iati_import(files=iati_load_files([CH4_SAMPLE]))
    project = Project.objects.get(iati_identifier="CH-4-2020001298")
    rows = sector_initial(project)
    assert [row["percentage"] for row in rows] == [Decimal("100.00")]
    admin = personas["ministry_admin"]
    sectors = [{"sector": Sector.objects.get(pk=row["sector"]), "percentage": row["percentage"]} for row in rows]
    project_edit(project=project, user=admin, fields={"title_en": "Renamed"}, sectors=sectors)
    assert list(project.sector_shares.order_by("pk").values_list("dac_code", "percentage")) == [
        ("72050", Decimal("30.00")), ("72050", Decimal("70.00"))]
    health = Sector.objects.exclude(pk=rows[0]["sector"]).first()
    project_edit(project=project, user=admin, fields={}, sectors=[
        {"sector": sectors[0]["sector"], "percentage": Decimal(60)}, {"sector": health, "percentage": Decimal(40)}])
    assert sorted(project.sector_shares.values_list("dac_code", "percentage")) == [
        ("", Decimal("40.00")), ("", Decimal("60.00"))]


def test_results_give_the_beneficiaries_and_the_rest_is_listed(reference):
    xml = b"""<iati-activities version="2.03"><iati-activity default-currency="USD" xml:lang="en">
      <iati-identifier>XM-DAC-41114-RES-1</iati-identifier><reporting-org ref="XM-DAC-41114" type="40"/>
      <title><narrative>Results</narrative></title>
      <participating-org ref="XM-DAC-41114" role="4" type="40"/>
      <recipient-country code="LY" percentage="100"/>
      <result type="1"><title><narrative>Water</narrative></title>
        <indicator measure="1"><title><narrative>Number of people with safe water</narrative></title>
          <period><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/>
            <target value="3000"/><actual value="1000"/></period>
          <period><period-start iso-date="2025-01-01"/><period-end iso-date="2025-12-31"/>
            <target value="2000"/><actual value="500"/></period></indicator>
        <indicator measure="2"><title><narrative>Share of schools repaired</narrative></title></indicator>
      </result>
      <document-link url="https://example.org/a.pdf" format="application/pdf"/>
    </iati-activity></iati-activities>"""
    report = iati_import(files=[("r.xml", xml)])
    project = Project.objects.get(iati_identifier="XM-DAC-41114-RES-1")
    assert (project.beneficiaries_targeted, project.beneficiaries_reached) == (5000, 1500)
    unmapped = report.activities[0].unmapped
    assert ("result indicator «Share of schools repaired» not kept (only the first one counting people is read, "
            "as the beneficiaries)") in unmapped
    assert "<document-link> not kept (1)" in unmapped


def test_a_baseline_and_a_result_without_indicator_are_listed(reference):
    xml = """<iati-activities version="2.03"><iati-activity default-currency="USD" xml:lang="en">
      <iati-identifier>XM-DAC-41114-RES-2</iati-identifier><reporting-org ref="XM-DAC-41114" type="40"/>
      <title><narrative>Results</narrative></title>
      <participating-org ref="XM-DAC-41114" role="4" type="40"/>
      <result type="2"><title><narrative>Empty</narrative></title></result>
      <result type="1"><title><narrative>People</narrative></title>
        <indicator measure="1"><title><narrative xml:lang="ar">عدد المستفيدين</narrative></title>
          <baseline year="2023" value="250"/>
          <period><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><actual value="90"/></period>
        </indicator></result>
    </iati-activity></iati-activities>""".encode()
    report = iati_import(files=[("r.xml", xml)])
    project = Project.objects.get(iati_identifier="XM-DAC-41114-RES-2")
    # an Arabic title counting beneficiaries is read; no target given: none kept
    assert (project.beneficiaries_targeted, project.beneficiaries_reached) == (None, 90)
    unmapped = report.activities[0].unmapped
    assert "result «Empty» has no indicator: not kept" in unmapped
    assert "baseline 250 (2023) of the beneficiaries indicator not kept" in unmapped
