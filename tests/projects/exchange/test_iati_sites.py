"""IATI point locations ↔ project sites: imported as sites (upserted, never duplicated), exported back, round trip."""

from __future__ import annotations

import pytest
from lxml import etree

from municipalities.models import Municipality
from projects.exchange.selectors.iati_export import SRS, export_queryset, iati_export
from projects.exchange.services.iati_import import iati_import
from projects.models import Project, Site
from tests.projects.exchange.support import SCHEMA, load_reference

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def reference(db):
    load_reference()


def _places():
    """Two points inside two municipalities' areas (the SDC sample and the worked example have no points)."""
    tripoli = Municipality.objects.get(pcode="LY021104")
    other = Municipality.objects.exclude(pk=tripoli.pk).filter(area__isnull=False, point__isnull=False).first()
    return tripoli, tripoli.area.point_on_surface, other, other.area.point_on_surface


def _xml(school_name: str = "Al-Nasr school") -> bytes:
    tripoli, in_tripoli, other, in_other = _places()
    return f"""<iati-activities version="2.03"><iati-activity xml:lang="en" default-currency="USD">
      <iati-identifier>XM-DAC-41114-SITES-1</iati-identifier>
      <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
      <title><narrative>School rehabilitation</narrative></title>
      <participating-org ref="XM-DAC-41114" role="4"/>
      <activity-status code="2"/>
      <activity-date type="1" iso-date="2025-01-01"/>
      <location ref="LY021104"><name><narrative>Tripoli Center</narrative></name>
        <point srsName="{SRS}"><pos>{tripoli.point.y} {tripoli.point.x}</pos></point>
        <location-class code="1"/></location>
      <location><name><narrative>{school_name}</narrative><narrative xml:lang="ar">مدرسة النصر</narrative></name>
        <point srsName="{SRS}"><pos>{in_tripoli.y:.6f} {in_tripoli.x:.6f}</pos></point>
        <exactness code="1"/><location-class code="3"/></location>
      <location><name><narrative>Water tower</narrative></name>
        <point srsName="{SRS}"><pos>{in_other.y:.6f} {in_other.x:.6f}</pos></point></location>
    </iati-activity></iati-activities>""".encode()


def _sites(project) -> list[tuple]:
    return sorted((s.name_en, s.name_ar, round(s.point.y, 6), round(s.point.x, 6), s.municipality.pcode)
                  for s in project.sites.select_related("municipality"))


def test_points_become_sites_and_areas_do_not(reference):
    tripoli, in_tripoli, other, in_other = _places()
    report = iati_import(files=[("sites.xml", _xml())])
    assert report.created == 1
    project = Project.objects.get(iati_identifier="XM-DAC-41114-SITES-1")
    assert _sites(project) == sorted([
        ("Al-Nasr school", "مدرسة النصر", round(in_tripoli.y, 6), round(in_tripoli.x, 6), tripoli.pcode),
        ("Water tower", "", round(in_other.y, 6), round(in_other.x, 6), other.pcode),
    ])
    assert set(project.municipalities.all()) == {tripoli, other}  # the tower's municipality from its point


def test_reimport_changes_nothing_and_a_renamed_site_is_updated_in_place(reference):
    iati_import(files=[("sites.xml", _xml())])
    ids = set(Site.objects.values_list("pk", flat=True))
    again = iati_import(files=[("sites.xml", _xml())])
    assert again.unchanged == 1 and set(Site.objects.values_list("pk", flat=True)) == ids

    renamed = iati_import(files=[("sites.xml", _xml("Al-Nasr primary school"))])
    assert renamed.updated == 1
    assert set(Site.objects.values_list("pk", flat=True)) == ids
    assert Site.objects.filter(name_en="Al-Nasr primary school").count() == 1


def test_sites_are_exported_valid_and_survive_the_round_trip(reference):
    iati_import(files=[("sites.xml", _xml())])
    project = Project.objects.get(iati_identifier="XM-DAC-41114-SITES-1")
    before = _sites(project)
    xml = iati_export(export_queryset()).xml
    doc = etree.fromstring(xml)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(doc), schema.error_log.filter_from_errors()
    site_locations = [loc for loc in doc.iter("location") if loc.find("location-class").get("code") == "3"]
    assert len(site_locations) == 2
    assert {loc.find("point").get("srsName") for loc in site_locations} == {SRS}

    Project.objects.all().delete()
    assert Site.objects.count() == 0
    report = iati_import(files=[("export.xml", xml)])
    assert report.created == 1
    assert _sites(Project.objects.get(iati_identifier="XM-DAC-41114-SITES-1")) == before
    assert iati_import(files=[("export.xml", xml)]).unchanged == 1
