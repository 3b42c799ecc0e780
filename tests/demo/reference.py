"""The small demo reference set the seed_demo, gap and delay tests share (3 regions, 3 districts,
20 municipalities, 8 sectors, 10 partners, exchange rates), as constants and written to the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.gis.geos import Point

from demo.records import Reference

TODAY = date(2025, 6, 30)
RATES = {"EUR": Decimal("1.10"), "LYD": Decimal("0.21"), "GBP": Decimal("1.27"), "CHF": Decimal("1.12")}
SECTORS = [
    ("water-sanitation", "Water and sanitation", "المياه والصرف الصحي"), ("electricity", "Electricity", "الكهرباء"),
    ("health", "Health", "الصحة"), ("education", "Education", "التعليم"),
    ("local-governance", "Local governance", "الحكم المحلي"), ("solid-waste", "Solid waste", "النفايات الصلبة"),
    ("social-cohesion", "Social cohesion", "التماسك الاجتماعي"), ("mine-action", "Mine action", "مكافحة الألغام"),
]
PARTNERS = [  # acronym, IATI organisation type, IATI ref, country
    ("UNDP", 40, "XM-DAC-41114", ""), ("UNICEF", 40, "XM-DAC-41122", ""), ("WHO", 40, "XM-DAC-928", ""),
    ("EU", 40, "XI-IATI-EC_NEAR", "EU"), ("FCDO", 10, "GB-GOV-1", "GB"), ("GIZ", 10, "DE-1", "DE"),
    ("SDC", 10, "CH-4", "CH"), ("DRC", 21, "DK-CVR-20699310", "DK"), ("ACTED", 21, None, "FR"),
    ("LRC", 22, None, "LY"),
]
DISTRICTS = [("LY01", "LY0101"), ("LY02", "LY0211"), ("LY03", "LY0312")]


def _municipality(i: int) -> dict:
    region, district = DISTRICTS[i % 3]
    return {"pcode": f"{district}{i:02d}", "name_en": f"Baladiya {i}", "name_ar": f"بلدية {i}",
            "lon": round(12.0 + i * 0.4, 4), "lat": round(32.5 - i * 0.3, 4), "population": 5000 + 9000 * i}



def demo_reference_in_db() -> None:
    """The seed_demo tests' small reference (3 regions, 3 districts, 20 municipalities, 8 sectors)."""
    from municipalities.models import District, Municipality, Region, Sector
    from projects.models import ExchangeRate, Partner

    regions = {code: Region.objects.create(pcode=code, name_ar=code, name_en=code) for code, _ in DISTRICTS}
    districts = [District.objects.create(pcode=d, region=regions[r], name_ar=d, name_en=d) for r, d in DISTRICTS]
    for i in range(20):
        m = _municipality(i)
        Municipality.objects.create(
            pcode=m["pcode"], slug=f"baladiya-{i}", district=districts[i % 3], name_en=m["name_en"],
            name_ar=m["name_ar"], point=Point(m["lon"], m["lat"], srid=4326), population=m["population"],
            population_year=2021)
    for i, (code, en, ar) in enumerate(SECTORS):
        Sector.objects.create(code=code, name_en=en, name_ar=ar, order=i)
    for acronym, org_type, ref, country in PARTNERS:
        Partner.objects.create(acronym=acronym, name_en=acronym, name_ar=acronym, org_type=org_type, iati_ref=ref,
                               country=country)
    for currency, rate in RATES.items():
        for year in range(2018, 2027):
            ExchangeRate.objects.create(currency=currency, year=year, usd_per_unit=rate)


def reference_records() -> Reference:
    """A small reference set as plain records (ids as the database would give them)."""
    return Reference.build(
        municipalities=[dict(id=i + 1, district_id=i % 3 + 1, slug=f"baladiya-{i}",
                             **{k: v for k, v in _municipality(i).items() if k != "pcode"}) for i in range(20)],
        sectors=[dict(id=i + 1, code=c, name_en=en, name_ar=ar) for i, (c, en, ar) in enumerate(SECTORS)],
        partners=[dict(id=i + 1, org_type=t, acronym=a, name_en=a, name_ar=a, iati_ref=r, country=c)
                  for i, (a, t, r, c) in enumerate(PARTNERS)],
        rates=[dict(currency=cur, year=y, usd_per_unit=rate) for cur, rate in RATES.items() for y in range(2018, 2027)],
    )
