"""The demo generator's reference records straight from the shipped fixture files (no database).

Benchmarks build portfolios in memory with this; ids are the fixture's row order (1-based).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from demo.records import MunicipalityRef, PartnerRef, RateRef, Reference, SectorRef

ROOT = Path(__file__).resolve().parents[1]


def _load(path: str) -> list[dict]:
    data = json.loads((ROOT / path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = next(v for v in data.values() if isinstance(v, list))
    return data


def fixture_reference() -> Reference:
    districts = {d["pcode"]: n for n, d in enumerate(_load("municipalities/reference/districts.json"), start=1)}
    munis = [
        MunicipalityRef(id=n, district_id=districts[m["district"]], name_en=m["name_en"], name_ar=m["name_ar"],
                        lon=m.get("lon"), lat=m.get("lat"), population=m.get("population"), slug=m["slug"])
        for n, m in enumerate(_load("municipalities/reference/municipalities.json"), start=1)
    ]
    sectors = [SectorRef(id=n, code=s["code"], name_en=s["name_en"], name_ar=s["name_ar"])
               for n, s in enumerate(_load("municipalities/reference/sectors.json"), start=1)]
    partners = [PartnerRef(id=n, org_type=p["org_type"], acronym=p.get("acronym", ""), name_en=p["name_en"],
                           name_ar=p["name_ar"], iati_ref=p.get("iati_ref"), country=p.get("country", ""))
                for n, p in enumerate(_load("projects/reference/partners.json"), start=1)]
    rates = [RateRef(r["currency"], int(r["year"]), Decimal(str(r["usd_per_unit"])))
             for r in _load("projects/reference/exchange_rates.json")]
    return Reference.build(municipalities=munis, sectors=sectors, partners=partners, rates=rates)
