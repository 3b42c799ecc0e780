"""Gap and delay engine records from the demo generator's plain records, and scoring against its truth.

Used by ``bench_analysis`` and the tests: the generator's records go straight into the engines,
without a database, with the same conversions the selectors make (money to USD at the planned
start year's rate, start = actual start else planned start, latest accepted update).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from coordination.analysis.delays import DelayFinding, DelayIn
from coordination.analysis.gaps import GapAnalysis, MunicipalityIn, NeedIn, ProjectIn
from demo.records import Portfolio, Reference
from projects.money import RateTable, to_usd

ACCEPTED = "accepted"


def rate_table(reference: Reference) -> RateTable:
    rates: RateTable = {}
    for r in reference.rates:
        rates.setdefault(r.currency, {})[r.year] = Decimal(r.usd_per_unit)
    return rates


def gap_records(portfolio: Portfolio, reference: Reference, region_of_district: Mapping[int, int],
                ids: Mapping[str, int] | None = None,
                ) -> tuple[list[MunicipalityIn], list[int], list[ProjectIn], list[NeedIn]]:
    """(municipalities, sector ids, projects, needs) for ``gap_analysis``; project ids from ``ids``
    (key -> id) when given, else the number in the key."""
    rates = rate_table(reference)
    munis = [MunicipalityIn(m.id, m.district_id, region_of_district.get(m.district_id, 0), m.population)
             for m in reference.municipalities]
    projects = []
    for p in portfolio.projects:
        usd = None
        if p.budget is not None:
            converted = to_usd(p.budget, p.currency, (p.planned_start or portfolio.today).year, rates)
            usd = float(converted) if converted is not None else None
        partners = {x.partner_id for x in p.participations} | {p.reporting_partner_id}
        projects.append(ProjectIn(
            id=ids[p.key] if ids else int(p.key[1:]), status=p.status, start=p.actual_start or p.planned_start,
            end=p.actual_end, budget_usd=usd, partner_ids=tuple(sorted(partners)),
            locations=tuple((m, float(s) if s is not None else None) for m, s in p.locations),
            sectors=tuple((s, float(pct)) for s, pct in p.sectors),
        ))
    needs = [NeedIn(n.municipality_id, n.sector_id, n.severity, n.people_in_need, n.assessed_on, n.displaced,
                    n.returnees) for n in portfolio.needs]
    return munis, [s.id for s in reference.sectors], projects, needs


def delay_records(portfolio: Portfolio, ids: Mapping[str, int] | None = None) -> list[DelayIn]:
    out = []
    for p in portfolio.projects:
        last = max((u.period_end for u in p.updates if u.state == ACCEPTED), default=None)
        out.append(DelayIn(ids[p.key] if ids else int(p.key[1:]), p.status, p.planned_start, p.planned_end,
                           p.actual_start, float(p.progress_percent), last))
    return out


def _recall_precision(found: set[Any], expected: set[Any]) -> dict[str, Any]:
    hits = len(found & expected)
    return {
        "expected": len(expected), "found": len(found), "missed": len(expected - found),
        "extra": len(found - expected),
        "recall": round(hits / len(expected), 4) if expected else 1.0,
        "precision": round(hits / len(found), 4) if found else 1.0,
    }


def gap_truth_score(analysis: GapAnalysis, truth: Mapping[str, Any]) -> dict[str, Any]:
    unreached = truth["unreached"]
    return {
        "municipalities": _recall_precision(analysis.unreached_municipality_ids(),
                                            {e["id"] for e in unreached["municipalities"]}),
        "municipality_sectors": _recall_precision(
            analysis.unreached_cells(), {(e["municipality_id"], e["sector_id"]) for e in unreached["municipality_sectors"]}),
        "sectors_without_active_project": sorted(analysis.sectors_without_active_project)
        == sorted(unreached["sectors_without_active_project"]),
    }


def delay_truth_score(findings: Iterable[DelayFinding], truth: Mapping[str, Any],
                      ids: Mapping[str, int] | None = None) -> dict[str, Any]:
    def pid(key: str) -> int:
        return ids[key] if ids else int(key[1:])

    found = {(f.project_id, f.rule) for f in findings}
    expected = {(pid(e["key"]), rule) for e in truth["delayed"] for rule in e["rules"]}
    return {
        "project_rules": _recall_precision(found, expected),
        "projects": _recall_precision({p for p, _ in found}, {p for p, _ in expected}),
        "on_time_flagged": len({p for p, _ in found} & {pid(e["key"]) for e in truth["on_time"]}),
    }


def truth_date(truth: Mapping[str, Any]) -> date:
    return date.fromisoformat(truth["today"])


_SECTOR_CODES = (
    "electricity-energy", "water-sanitation", "health", "education", "local-governance", "solid-waste",
    "social-cohesion", "mine-action", "roads-transport", "housing", "agriculture", "livelihoods", "protection",
    "food-security", "shelter", "telecommunications", "public-finance", "rule-of-law", "environment",
    "culture", "youth-sport", "gender", "migration", "private-sector", "statistics",
)
_PARTNERS = (  # acronym, IATI organisation type, IATI ref, country
    ("UNDP", 40, "XM-DAC-41114", ""), ("UNICEF", 40, "XM-DAC-41122", ""), ("WHO", 40, "XM-DAC-928", ""),
    ("UNHCR", 40, "XM-DAC-41121", ""), ("WFP", 40, "XM-DAC-41140", ""), ("IOM", 40, "XM-DAC-47066", ""),
    ("UNFPA", 40, "XM-DAC-41119", ""), ("UN-Habitat", 40, "XM-DAC-41120", ""), ("WB", 40, "44000", ""),
    ("EU", 40, "XI-IATI-EC_NEAR", "EU"), ("FCDO", 10, "GB-GOV-1", "GB"), ("GIZ", 10, "DE-1", "DE"),
    ("SDC", 10, "CH-4", "CH"), ("AICS", 10, "IT-1", "IT"), ("AFD", 10, "FR-6", "FR"), ("NL-MFA", 10, "XM-DAC-7", "NL"),
    ("JICA", 10, "XJ-JICA", "JP"), ("USAID", 10, "US-GOV-1", "US"), ("DRC", 21, "DK-CVR-20699310", "DK"),
    ("ACTED", 21, None, "FR"), ("NRC", 21, "NO-BRC-977538319", "NO"), ("IRC", 21, None, "US"),
    ("Mercy Corps", 21, None, "US"), ("CESVI", 21, None, "IT"), ("Handicap Int.", 21, None, "FR"),
    ("LRC", 22, None, "LY"), ("Tamkeen", 22, None, "LY"), ("STACO", 22, None, "LY"), ("Expertise France", 15, None, "FR"),
    ("Enabel", 15, None, "BE"),
)
_RATES = {"EUR": "1.09", "LYD": "0.207", "GBP": "1.27", "CHF": "1.12", "JPY": "0.0068", "NOK": "0.094",
          "DKK": "0.146"}


def synthetic_reference(municipalities: int = 120, districts: int = 22) -> tuple[Reference, dict[int, int]]:
    """A country-sized reference (no database): municipalities spread over districts in three regions,
    populations from a few thousand to a million (every 15th unknown), 25 sectors, 30 partners.
    Returns the reference and each district's region id."""
    import random

    rng = random.Random(20250630)
    region_of_district = {d: 1 + (d - 1) * 3 // districts for d in range(1, districts + 1)}
    munis = []
    for i in range(1, municipalities + 1):
        district = 1 + (i - 1) % districts
        population = None if i % 15 == 0 else int(10 ** rng.uniform(3.5, 6.05))
        munis.append({"id": i, "district_id": district, "name_en": f"Baladiya {i}", "name_ar": f"بلدية {i}",
                      "lon": round(10 + rng.uniform(0, 14), 4), "lat": round(24 + rng.uniform(0, 9), 4),
                      "population": population, "slug": f"baladiya-{i}"})
    sectors = [{"id": i, "code": code, "name_en": code.replace("-", " ").capitalize(), "name_ar": code}
               for i, code in enumerate(_SECTOR_CODES, start=1)]
    partners = [{"id": i, "org_type": t, "acronym": a, "name_en": a, "name_ar": a, "iati_ref": r, "country": c}
                for i, (a, t, r, c) in enumerate(_PARTNERS, start=1)]
    rates = [{"currency": cur, "year": y, "usd_per_unit": Decimal(rate)}
             for cur, rate in _RATES.items() for y in range(2015, 2031)]
    return Reference.build(municipalities=munis, sectors=sectors, partners=partners, rates=rates), region_of_district
