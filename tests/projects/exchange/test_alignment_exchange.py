"""Alignment in the interchange (issue 13 item 6): confirmed plan objectives and SDG targets as IATI tags,
SDG tags and SDG sectors read on import for the suggestions, and the 3W objective column."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from coordination.models import ObjectiveLink
from coordination.selectors.alignment_inputs import alignment_projects
from municipalities.models import DevelopmentPlan, Municipality, PlanObjective, Sector
from projects.exchange.formats.iati_xml import XML_LANG
from projects.exchange.selectors.iati_export import export_queryset, iati_export
from projects.exchange.selectors.objective_refs import OBJECTIVE_TAG
from projects.exchange.selectors.threew import COLUMNS, HEADER_ROWS, threew_csv, threew_queryset, threew_xlsx
from projects.exchange.services.iati_import import iati_import
from projects.exchange.services.spreadsheet_import import SpreadsheetError, spreadsheet_import, spreadsheet_preview
from projects.models import Participation, Project, ProjectLocation, ProjectSector, ReviewState
from tests import factories
from tests.projects.exchange.support import SCHEMA, load_reference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HXL = [c[2] for c in COLUMNS]
PLAN_URI = "https://planning.gov.ly/plans/ndp-2024"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture
def plans(db):
    load_reference()
    national = DevelopmentPlan.objects.create(code="NDP", level="national", title_ar="الخطة العامة للدولة",
                                              title_en="National plan", start_year=2024, end_year=2027,
                                              status="approved", uri=PLAN_URI)
    water = PlanObjective.objects.create(plan=national, code="N1", title_ar="مياه الشرب لكل البلديات",
                                         title_en="Drinking water in every municipality", sdg_targets=["6.1", "6"])
    tripoli = Municipality.objects.get(pcode="LY021104")
    local = DevelopmentPlan.objects.create(code="TRP", level="municipal", municipality=tripoli,
                                           title_ar="خطة طرابلس", start_year=2024, end_year=2026, status="approved")
    roads = PlanObjective.objects.create(plan=local, code="M1", title_ar="صيانة الطرق", sdg_targets=["11.a"])
    other = PlanObjective.objects.create(plan=local, code="M2", title_ar="الإنارة العامة")
    return {"national": national, "water": water, "local": local, "roads": roads, "other": other,
            "tripoli": tripoli}


def _project(title: str, **extra) -> Project:
    project = factories.ProjectFactory(
        title_en=title, title_ar="مشروع", state=ReviewState.ACCEPTED, planned_start=dt.date(2025, 1, 1),
        planned_end=dt.date(2026, 12, 31), budget=Decimal("100000"), currency="USD", **extra)
    Participation.objects.create(project=project, partner=project.reporting_partner, role=4)
    return project


def _tags(activity: etree._Element) -> list[tuple[str, str, str | None, list[tuple[str | None, str]]]]:
    return [(t.get("vocabulary"), t.get("code"), t.get("vocabulary-uri"),
             [(n.get(XML_LANG), n.text) for n in t.findall("narrative")]) for t in activity.findall("tag")]


def test_iati_export_carries_confirmed_objectives_and_sdg_targets(plans, schema):
    project = _project("Wells", sdg_tags=["7", "6.1", "6.1.1"])
    project.plan_objectives.add(plans["water"], plans["roads"])
    # a suggestion nobody confirmed stays out
    ObjectiveLink.objects.create(project=project, objective=plans["other"], score=0.9)
    result = iati_export(export_queryset())
    doc = etree.fromstring(result.xml)
    assert schema.validate(doc), schema.error_log.filter_from_errors()
    activity = doc.find("iati-activity")
    assert _tags(activity) == [
        ("99", "N1", PLAN_URI, [("ar", "مياه الشرب لكل البلديات"), ("en", "Drinking water in every municipality")]),
        ("99", "M1", None, [("ar", "صيانة الطرق")]),  # its plan has no URI: none is made up
        ("2", "6", None, []), ("2", "7", None, []),  # SDG goals: the objective's and the project's own
        ("3", "6.1", None, []), ("3", "11.a", None, []),  # SDG targets, each once; the indicator 6.1.1 has no tag
    ]


def test_iati_export_queries_do_not_grow_with_objectives(plans):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            iati_export(export_queryset())
        return len(ctx.captured_queries)

    first = _project("One")
    first.plan_objectives.add(plans["water"])
    one = count()
    for i in range(3):
        _project(f"More {i}").plan_objectives.add(plans["water"], plans["roads"], plans["other"])
    assert count() == one


def test_iati_import_reads_sdg_tags_and_sdg_sectors(plans):
    sector = Sector.objects.filter(dac_codes__isnull=False).first()
    dac = sector.dac_codes.order_by("code").first().code
    xml = f"""<iati-activities version="2.03"><iati-activity xml:lang="en" default-currency="USD">
      <iati-identifier>XM-SDG-1</iati-identifier>
      <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
      <title><narrative>Schools</narrative></title>
      <participating-org ref="XM-DAC-41114" role="4"/>
      <activity-status code="2"/>
      <sector vocabulary="1" code="{dac}" percentage="100"/>
      <sector vocabulary="7" code="4" percentage="100"/>
      <sector vocabulary="8" code="4.1" percentage="100"/>
      <sector vocabulary="9" code="4.1.1"/>
      <tag vocabulary="2" code="6"/>
      <tag vocabulary="3" code="6.1"/>
      <tag vocabulary="3" code="4.1"/>
      <tag vocabulary="3" code="99.9"/>
      <tag vocabulary="99" vocabulary-uri="{PLAN_URI}" code="N1"/>
      <tag vocabulary="1" code="education"/>
    </iati-activity></iati-activities>""".encode()
    report = iati_import(files=[("sdg.xml", xml)])
    project = Project.objects.get(iati_identifier="XM-SDG-1")
    assert project.sdg_tags == ["4", "4.1", "4.1.1", "6", "6.1"]
    # the SDG vocabularies are not sectors: the DAC sector keeps the whole split
    assert list(project.sector_shares.values_list("sector_id", "percentage")) == [(sector.pk, Decimal("100.00"))]
    unmapped = " | ".join(report.activities[0].unmapped)
    assert "99.9" in unmapped and "vocabulary 7" not in unmapped and "vocabulary 8" not in unmapped
    # the alignment suggestions read the goals
    (read,) = alignment_projects(Project.objects.filter(pk=project.pk))
    assert read.sdg_goals == ("4", "6")
    # the same file again changes nothing; a file without the tags clears them
    assert iati_import(files=[("sdg.xml", xml)]).unchanged == 1
    bare = xml.replace(b'<tag vocabulary="2" code="6"/>', b"").replace(b'<sector vocabulary="7" code="4" percentage="100"/>', b"")
    iati_import(files=[("sdg.xml", bare)])
    project.refresh_from_db()
    assert project.sdg_tags == ["4.1", "4.1.1", "6.1"]


def test_objectives_and_sdg_tags_survive_an_export_import_round_trip(plans, schema):
    project = _project("Round trip", sdg_tags=["5", "5.2"], iati_identifier="XM-SDG-RT")
    project.plan_objectives.add(plans["water"], plans["roads"])
    xml = iati_export(export_queryset()).xml
    assert schema.validate(etree.fromstring(xml))
    project.sdg_tags = []
    project.save()
    project.plan_objectives.clear()
    stray = f'<tag vocabulary="99" vocabulary-uri="{PLAN_URI}" code="N7"/>'.encode()
    report = iati_import(files=[("rt.xml", xml.replace(b"</iati-activity>", stray + b"</iati-activity>"))])
    project.refresh_from_db()
    # the SDG tags come back with the objectives' own (6, 6.1; the roads' 11.a too)
    assert project.sdg_tags == ["5", "6", "5.2", "6.1", "11.a"]
    # the objective whose plan has a URI comes back; the local plan has none, so its tag cannot name it
    assert list(project.plan_objectives.all()) == [plans["water"]]
    assert f"tag N7 of vocabulary {PLAN_URI} names no plan objective" in report.activities[0].unmapped
    assert report.updated == 1


def _threew_project(plans) -> Project:
    project = _project("Roads and water", iati_identifier="XM-3W-1")
    ProjectLocation.objects.create(project=project, municipality=plans["tripoli"])
    for sector, pct in zip(Sector.objects.all()[:2], ("60", "40"), strict=True):
        ProjectSector.objects.create(project=project, sector=sector, percentage=Decimal(pct))
    project.plan_objectives.add(plans["water"], plans["roads"])
    return project


def test_threew_objective_column_reads_through_libhxl(plans):
    _threew_project(plans)
    text = threew_csv(threew_queryset())
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[2].index(OBJECTIVE_TAG)
    assert [r[column] for r in rows[HEADER_ROWS:]] == ["NDP:N1; TRP:M1"] * 2  # on each row of the project
    hxl = pytest.importorskip("hxl")  # libhxl: a development tool, not a dependency of the app
    source = hxl.data(io.BytesIO(text.encode("utf-8")))
    rows = list(source)
    tags = [c.display_tag for c in source.columns]
    assert OBJECTIVE_TAG in tags and "#activity+code" in tags
    assert [row.get(OBJECTIVE_TAG) for row in rows] == ["NDP:N1; TRP:M1"] * 2
    assert [row.get("#activity+code") for row in rows] == ["XM-3W-1"] * 2
    # why not #activity+objective+code: HXL selects by pattern, and the identifier's pattern would catch it
    identifier = hxl.model.TagPattern.parse("#activity+code")
    assert not identifier.match(next(c for c in source.columns if c.display_tag == OBJECTIVE_TAG))
    assert identifier.match(hxl.model.Column.parse("#activity+objective+code"))


def test_threew_queries_do_not_grow_with_objectives(plans):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            threew_csv(threew_queryset())
        return len(ctx.captured_queries)

    _threew_project(plans)
    one = count()
    for i in range(3):
        _project(f"More {i}").plan_objectives.add(plans["water"], plans["other"])
    assert count() == one


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_threew_objective_column_round_trip(plans, fmt):
    project = _threew_project(plans)
    data = threew_csv(threew_queryset()).encode() if fmt == "csv" else threew_xlsx(threew_queryset())
    project.plan_objectives.clear()
    result = spreadsheet_import(data=data, name=f"3w.{fmt}")
    assert result.saved and [p.action for p in result.projects] == ["update"]
    assert set(project.plan_objectives.all()) == {plans["water"], plans["roads"]}
    # read back again: nothing changes
    history = project.history.count()
    assert not spreadsheet_import(data=data, name=f"3w.{fmt}").projects[0].changed
    assert project.history.count() == history


def test_threew_objective_errors_save_nothing(plans):
    # an objective code alone names it when no other plan has it; "N1" is the national plan's only
    PlanObjective.objects.create(plan=plans["national"], code="M1", title_ar="هدف آخر")
    rows = [c[0] for c in COLUMNS], HXL
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    base = {"#org+reporting+name+i_en": "UNDP", "#activity+name+i_en": "Lights", "#adm3+code": "LY021104"}
    for cell in ("N1", "M1", "NDP:N9"):
        writer.writerow([(base | {OBJECTIVE_TAG: cell, "#activity+name+i_en": f"Lights {cell}"}).get(t, "")
                         for t in HXL])
    preview = spreadsheet_preview(data=out.getvalue().encode(), name="3w.csv")
    errors = [(e.column, e.message) for e in preview.errors]
    assert errors == [
        ("#indicator+code+objective", "M1 is the code of an objective in several plans: write PLAN:OBJECTIVE"),
        ("#indicator+code+objective", "unknown plan objective NDP:N9"),
    ]
    assert [sorted(o.code for o in p.objectives.values()) for p in preview.projects] == [["N1"], [], []]
    with pytest.raises(SpreadsheetError):
        spreadsheet_import(data=out.getvalue().encode(), name="3w.csv")
    assert not Project.objects.exists()


def test_imported_sdg_tags_feed_the_alignment_suggestions(plans):
    from coordination.services.alignment import alignment_analysis_now

    sector = Sector.objects.filter(dac_codes__isnull=False).first()
    plans["water"].sectors.add(sector)
    dac = sector.dac_codes.order_by("code").first().code

    def activity(identifier: str, sdg: str) -> str:
        return f"""<iati-activity xml:lang="en"><iati-identifier>{identifier}</iati-identifier>
          <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
          <title><narrative>Drinking water wells</narrative></title>
          <participating-org ref="XM-DAC-41114" role="4"/><activity-status code="2"/>
          <sector vocabulary="1" code="{dac}" percentage="100"/>{sdg}</iati-activity>"""

    xml = ('<iati-activities version="2.03">' + activity("XM-SDG-A", '<tag vocabulary="3" code="6.1"/>')
           + activity("XM-SDG-B", "") + "</iati-activities>").encode()
    iati_import(files=[("two.xml", xml)])
    tagged, bare = (Project.objects.get(iati_identifier=i) for i in ("XM-SDG-A", "XM-SDG-B"))
    _inputs, analysis, _findings = alignment_analysis_now()

    def suggestion(project):
        return next(s for s in analysis.suggestions.get(project.pk, []) if s.objective_id == plans["water"].pk)

    assert "same_sdg" in {r["code"] for r in suggestion(tagged).reasons}
    assert "same_sdg" not in {r["code"] for r in suggestion(bare).reasons}
    assert suggestion(tagged).score > suggestion(bare).score
