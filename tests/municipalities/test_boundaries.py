import json

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from municipalities.models import District, Municipality, Region
from municipalities.services import APPROXIMATE_SOURCE, boundaries_import, municipality_derive_approximate_areas
from tests.shared_data import MANTIKA_GEOJSON


@pytest.fixture
def all_districts(db):
    """The 22 districts by p-code, without polygons (as load_reference_data would leave them)."""
    data = json.loads(MANTIKA_GEOJSON.read_text(encoding="utf-8"))
    regions = {code: Region.objects.create(pcode=code, name_ar=code, name_en=code) for code in ("LY01", "LY02", "LY03")}
    for feature in data["features"]:
        p = feature["properties"]
        District.objects.create(pcode=p["adm2_pcode"], region=regions[p["adm1_pcode"]], name_ar=p["adm2_name_ar"],
                                name_en=p["adm2_name_en"])
    return District.objects.all()


def test_the_ocha_mantika_file_matches_all_22_districts(all_districts, capsys):
    call_command("import_boundaries", str(MANTIKA_GEOJSON), "--level", "district")
    out = capsys.readouterr().out
    assert "22 of 22 features matched" in out
    assert District.objects.filter(area__isnull=False, area_is_official=True).count() == 22
    tripoli = District.objects.get(pcode="LY0211")
    assert tripoli.area.contains(Point(13.18, 32.88, srid=4326))
    assert tripoli.area.geom_type == "MultiPolygon"


def test_unmatched_codes_are_reported_and_a_dry_run_writes_nothing(all_districts):
    District.objects.filter(pcode="LY0101").delete()
    report = boundaries_import(path=MANTIKA_GEOJSON, level="district", dry_run=True)
    assert report.unmatched_codes == ["LY0101"]
    assert len(report.matched) == 21
    assert not District.objects.filter(area__isnull=False).exists()


def test_invalid_geometries_are_repaired(all_districts, tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[13.0, 32.0], [14.0, 33.0], [14.0, 32.0], [13.0, 33.0], [13.0, 32.0]]]}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"pcode": "LY0211"}, "geometry": bowtie}]}))
    report = boundaries_import(path=path, level="district")
    assert report.repaired == ["LY0211"]
    tripoli = District.objects.get(pcode="LY0211")
    assert tripoli.area.valid and tripoli.area.geom_type == "MultiPolygon"


def test_a_file_without_a_code_field_or_unreadable_is_refused(all_districts, tmp_path):
    path = tmp_path / "nocode.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Point", "coordinates": [13, 32]}}]}))
    with pytest.raises(CommandError, match="code-field"):
        call_command("import_boundaries", str(path), "--level", "district")
    junk = tmp_path / "junk.geojson"
    junk.write_bytes(b"\x00\x01 not a vector file")
    with pytest.raises(CommandError, match="GDAL"):
        call_command("import_boundaries", str(junk), "--level", "district")


def test_derived_areas_are_marked_approximate_and_stay_in_their_district(all_districts):
    tripoli = District.objects.get(pcode="LY0211")
    a = Municipality.objects.create(pcode="LY021104", slug="tripoli-center", name_ar="طرابلس المركز",
                                    name_en="Tripoli Center", district=tripoli, point=Point(13.18, 32.89, srid=4326))
    b = Municipality.objects.create(pcode="LY021101", slug="hay-alandalus", name_ar="حي الأندلس",
                                    name_en="Hay Alandalus", district=tripoli, point=Point(13.10, 32.86, srid=4326))
    lonely = Municipality.objects.create(slug="nowhere", name_ar="بلا موقع", name_en="Unplaced", district=tripoli)
    # Without district polygons the cells are clipped to the country outline.
    assert municipality_derive_approximate_areas() == 2
    a.refresh_from_db()
    assert a.area is not None and a.area_is_official is False and a.area_source == APPROXIMATE_SOURCE
    assert a.area.contains(a.point)
    boundaries_import(path=MANTIKA_GEOJSON, level="district")  # derives again, clipped to the district now
    a.refresh_from_db()
    b.refresh_from_db()
    tripoli.refresh_from_db()
    assert a.area.contains(a.point) and not a.area.contains(b.point)
    assert tripoli.area.buffer(1e-6).contains(a.area.union(b.area))
    assert abs(a.area.union(b.area).area - tripoli.area.area) < 1e-6  # the two cells tile the district
    lonely.refresh_from_db()
    assert lonely.area is None


def test_official_municipality_areas_are_never_overwritten_by_derivation(all_districts):
    tripoli = District.objects.get(pcode="LY0211")
    boundaries_import(path=MANTIKA_GEOJSON, level="district")
    tripoli.refresh_from_db()
    official = Municipality.objects.create(pcode="LY021104", slug="tc", name_ar="م", name_en="M", district=tripoli,
                                           point=Point(13.18, 32.89, srid=4326), area=tripoli.area,
                                           area_is_official=True, area_source="official.shp")
    Municipality.objects.create(pcode="LY021101", slug="ha", name_ar="ح", name_en="H", district=tripoli,
                                point=Point(13.10, 32.86, srid=4326))
    municipality_derive_approximate_areas()
    official.refresh_from_db()
    assert official.area_is_official and official.area_source == "official.shp"
    assert official.area.equals(tripoli.area)
