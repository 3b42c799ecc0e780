"""The committed reference fixture and ``manage.py load_reference_data``."""

from __future__ import annotations

import importlib.util
import json
import sys
from decimal import Decimal
from io import StringIO

import pytest
from defusedxml import ElementTree
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.management import call_command

from municipalities.models import DacSector, District, Municipality, Region, Sector
from municipalities.reference_load import REFERENCE_DIR, reference_load_geography, reference_load_sectors
from projects.models import ExchangeRate, Partner
from projects.reference_load import reference_load_exchange_rates, reference_load_partners
from tests.shared_data import SHARED_DATA

CODELISTS = SHARED_DATA / "iati-2.03" / "codelists"
LIBYA_BBOX = (9.29, 19.50, 25.16, 33.18)  # west, south, east, north


def _codelist(name: str) -> dict[str, str]:
    path = CODELISTS / f"{name}.xml"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    root = ElementTree.parse(path).getroot()
    return {item.findtext("code"): item.get("status", "active") for item in root.iter("codelist-item")}


def _load(**kwargs) -> str:
    out = StringIO()
    call_command("load_reference_data", stdout=out, **kwargs)
    return out.getvalue()


def _snapshot() -> dict[str, list]:
    """Everything the loader owns, as plain values (areas are compared separately)."""
    return {
        "regions": list(Region.objects.order_by("pcode").values_list("pcode", "name_ar", "name_en")),
        "districts": list(District.objects.order_by("pcode").values_list("pcode", "name_ar", "name_en", "iso_3166_2",
                                                                          "region__pcode")),
        "municipalities": [
            (m.slug, m.pcode, m.name_ar, m.name_en, m.district.pcode, m.point.wkt if m.point else None, m.point_source,
             m.population, m.population_year, m.population_source, m.in_ocha_list)
            for m in Municipality.objects.select_related("district").order_by("slug")
        ],
        "sectors": list(Sector.objects.order_by("code").values_list("code", "name_ar", "name_en", "order")),
        "dac": list(DacSector.objects.order_by("code").values_list("code", "name_en", "sector__code")),
        "links": sorted(Sector.related.through.objects.values_list("from_sector__code", "to_sector__code")),
        "partners": list(Partner.objects.order_by("acronym").values_list("acronym", "iati_ref", "name_ar", "name_en",
                                                                          "org_type", "country")),
        "rates": list(ExchangeRate.objects.order_by("currency", "year").values_list("currency", "year", "usd_per_unit",
                                                                                     "source")),
    }


@pytest.fixture
def loaded(db):
    reference_load_geography()
    reference_load_sectors()
    reference_load_partners()
    reference_load_exchange_rates()


# --- geography ----------------------------------------------------------------------------------


def test_regions_districts_and_municipalities_are_loaded(loaded):
    assert sorted(Region.objects.values_list("pcode", flat=True)) == ["LY01", "LY02", "LY03"]
    assert District.objects.count() == 22
    assert District.objects.get(pcode="LY0211").name_ar == "طرابلس"
    assert District.objects.get(pcode="LY0104").iso_3166_2 == "LY-BU"
    assert Municipality.objects.filter(pcode__isnull=False).count() >= 100
    assert Municipality.objects.filter(in_ocha_list=True).count() == 100
    tripoli_center = Municipality.objects.get(pcode="LY021104")
    assert (tripoli_center.name_ar, tripoli_center.district.pcode) == ("طرابلس المركز", "LY0211")
    assert tripoli_center.population == 124740 and tripoli_center.population_year == 2021
    assert tripoli_center.population_source == "OCHA HNO 2021"


def test_every_pcode_sits_under_its_district_and_region(loaded):
    for m in Municipality.objects.filter(pcode__isnull=False).select_related("district__region"):
        assert len(m.pcode) == 8
        assert m.pcode.startswith(m.district.pcode), m.pcode
        m.full_clean()
    for d in District.objects.select_related("region"):
        assert d.pcode.startswith(d.region.pcode)


def test_every_point_is_in_libya_and_has_a_source(loaded):
    west, south, east, north = LIBYA_BBOX
    points = Municipality.objects.filter(point__isnull=False)
    assert points.count() >= 73
    for m in points:
        assert west <= m.point.x <= east and south <= m.point.y <= north, (m.slug, m.point.coords)
        assert m.point_source, m.slug


def test_ministry_only_municipalities_have_a_slug_a_point_and_no_pcode(loaded):
    extra = Municipality.objects.filter(in_ocha_list=False)
    assert extra.exists()
    assert not extra.filter(pcode__isnull=False).exists()
    assert not extra.filter(point__isnull=True).exists()
    assert not extra.filter(population__isnull=False).exists()
    slugs = list(Municipality.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) and all(slugs)


def test_the_fixture_names_each_ministry_municipality_once():
    rows = json.loads((REFERENCE_DIR / "municipalities.json").read_text(encoding="utf-8"))
    keys = [r["name_ar"] for r in rows]
    assert len(keys) == len(set(keys))


# --- sectors ------------------------------------------------------------------------------------


def test_every_sector_has_dac_codes_from_the_iati_sector_codelist(loaded):
    codelist = _codelist("Sector")
    assert Sector.objects.count() >= 17
    for sector in Sector.objects.prefetch_related("dac_codes"):
        assert sector.name_ar and sector.name_en
        assert sector.dac_codes.exists(), sector.code
    for dac in DacSector.objects.all():
        assert codelist.get(dac.code) == "active", dac.code
    assert DacSector.objects.get(code="14050").sector.code == "solid-waste"
    assert Sector.objects.get(code="electricity-energy").name_ar == "الكهرباء والطاقة"


def test_related_sectors_are_linked_both_ways(loaded):
    water = Sector.objects.get(code="water-sanitation")
    waste = Sector.objects.get(code="solid-waste")
    assert waste in water.related.all() and water in waste.related.all()
    livelihoods = Sector.objects.get(code="livelihoods")
    assert livelihoods.related.filter(code="agriculture").exists()


# --- partners and rates -------------------------------------------------------------------------


def test_partners_have_unique_identifiers_and_valid_types(loaded):
    org_types = _codelist("OrganisationType")
    refs = [r for r in Partner.objects.values_list("iati_ref", flat=True) if r]
    assert len(refs) == len(set(refs))
    assert Partner.objects.get(iati_ref="XM-DAC-41114").acronym == "UNDP"
    for partner in Partner.objects.all():
        assert str(partner.org_type) in org_types, partner
        assert partner.name_ar and partner.name_en and partner.acronym
    assert Partner.objects.get(acronym="SDC").iati_ref == "CH-4"


def test_exchange_rates_cover_every_currency_and_year(loaded):
    currencies = {"USD", "EUR", "LYD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK"}
    for currency in currencies:
        years = set(ExchangeRate.objects.filter(currency=currency).values_list("year", flat=True))
        assert set(range(2015, 2027)) <= years, currency
    assert ExchangeRate.objects.get(currency="USD", year=2020).usd_per_unit == Decimal("1")
    assert Decimal("0.9") < ExchangeRate.objects.get(currency="EUR", year=2022).usd_per_unit < Decimal("1.3")


# --- the command --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_prints_counts_and_a_second_run_changes_nothing():
    first = _load()
    assert "regions 3, districts 22" in first
    assert "(100 OCHA" in first
    before = _snapshot()
    history = (Partner.history.count(), ExchangeRate.history.count())

    second = _load()
    assert "created 0, updated 0" in second
    assert _snapshot() == before
    assert (Partner.history.count(), ExchangeRate.history.count()) == history


@pytest.mark.django_db
def test_a_staff_edit_to_an_exchange_rate_survives_a_reload():
    _load()
    rate = ExchangeRate.objects.get(currency="LYD", year=2023)
    rate.usd_per_unit = Decimal("0.20500000")
    rate.source = "Central Bank of Libya, checked by staff"
    rate.save()
    ExchangeRate.objects.filter(currency="NOK", year=2016).delete()

    result = reference_load_exchange_rates()

    rate.refresh_from_db()
    assert rate.usd_per_unit == Decimal("0.20500000")
    assert rate.source == "Central Bank of Libya, checked by staff"
    assert result["created"] == 1  # only the missing pair comes back
    assert ExchangeRate.objects.filter(currency="NOK", year=2016).exists()


@pytest.mark.django_db
def test_a_reload_restores_fixture_facts_but_keeps_an_official_area():
    _load()
    square = MultiPolygon(Polygon(((13.1, 32.8), (13.3, 32.8), (13.3, 32.95), (13.1, 32.95), (13.1, 32.8))), srid=4326)
    Municipality.objects.filter(pcode="LY021104").update(
        area=square, area_is_official=True, area_source="ministry survey", population=1, name_en="changed"
    )
    District.objects.filter(pcode="LY0211").update(area=square, area_is_official=True, area_source="COD-AB")

    result = reference_load_geography()

    m = Municipality.objects.get(pcode="LY021104")
    assert (m.name_en, m.population) == ("Tripoli Center", 124740)
    assert m.area_is_official and m.area_source == "ministry survey" and m.area.equals(square)
    d = District.objects.get(pcode="LY0211")
    assert d.area_is_official and d.area.equals(square)
    assert result["updated"] == 1 and result["created"] == 0


@pytest.mark.django_db
def test_a_pcode_given_by_staff_to_a_ministry_municipality_is_kept():
    reference_load_geography()
    germa = Municipality.objects.get(slug="germa")
    germa.pcode = germa.district.pcode + "99"
    germa.save()
    assert reference_load_geography()["updated"] == 0
    germa.refresh_from_db()
    assert germa.pcode.endswith("99")


@pytest.mark.django_db
def test_a_partner_entered_by_hand_is_completed_not_duplicated():
    Partner.objects.create(name_en="GIZ", name_ar="جي آي زد", acronym="giz", org_type=Partner.OrgType.GOVERNMENT)
    reference_load_partners()
    giz = Partner.objects.get(acronym="GIZ")
    assert giz.iati_ref == "XM-DAC-5-52"
    assert Partner.objects.filter(acronym__iexact="giz").count() == 1


@pytest.mark.django_db
def test_municipality_points_lie_in_their_district_once_polygons_are_loaded():
    mantika = SHARED_DATA / "lby_adm2_mantika.geojson"
    if not mantika.exists():
        pytest.skip("shared mantika polygons are not available")
    reference_load_geography()
    call_command("import_boundaries", str(mantika), "--level", "district", stdout=StringIO())

    for m in Municipality.objects.filter(point__isnull=False).select_related("district"):
        # The simplified polygons may cut a coastal town off by a few hundred metres.
        assert m.district.area.buffer(0.05).contains(m.point), m.slug
    assert Point(13.18, 32.88, srid=4326).within(District.objects.get(pcode="LY0211").area)


def test_the_committed_fixture_is_what_the_build_script_writes(monkeypatch):
    pytest.importorskip("shapely")
    if not (SHARED_DATA / "lby_baladiya_ocha_reference.csv").exists():
        pytest.skip("shared data is not available")
    script = REFERENCE_DIR.parents[1] / "scripts" / "build_reference_fixture.py"
    spec = importlib.util.spec_from_file_location("build_reference_fixture", script)
    build = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, build)  # dataclasses look their module up there
    spec.loader.exec_module(build)

    regions, districts, municipalities, stats = build.build_geography(SHARED_DATA)
    sectors = build.build_sectors(SHARED_DATA)
    for name, rows in (("regions", regions), ("districts", districts), ("municipalities", municipalities),
                       ("sectors", sectors)):
        committed = json.loads((REFERENCE_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert committed == rows, f"{name}.json is out of date: run scripts/build_reference_fixture.py"
    assert stats["ocha_without_point"] == 27 and stats["ocha_placed"] >= 10
