"""Engine records from the demo generator's plain records (for the benchmark and tests)."""

from __future__ import annotations

from decimal import Decimal

from coordination.analysis.duplicates import ProjectRecord
from demo.records import Portfolio, Reference
from projects.money import to_usd

_TX_LINK = "provider"
_RELATION = {1: "parent", 2: "child", 3: "sibling", 4: "cofunded", 5: "third"}


def engine_records(portfolio: Portfolio, reference: Reference, ids: dict[str, int] | None = None) -> list[ProjectRecord]:
    """One ``ProjectRecord`` per generated project; ``ids`` maps keys to database ids when written."""
    rates: dict[str, dict[int, Decimal]] = {}
    for r in reference.rates:
        rates.setdefault(r.currency, {})[r.year] = r.usd_per_unit
    key_id = ids or {p.key: n for n, p in enumerate(portfolio.projects, start=1)}
    iati_of_key = {p.key: p.iati_identifier for p in portfolio.projects}
    out = []
    for p in portfolio.projects:
        year = (p.planned_start or portfolio.today).year
        usd = to_usd(p.budget, p.currency, year, rates) if p.budget is not None else None
        links: list[tuple[str, str]] = []
        for part in p.participations:
            if part.activity_id:
                links.append(("participant", part.activity_id))
        for t in p.transactions:
            if t.provider_activity_id and t.provider_activity_id != p.iati_identifier:
                links.append(("provider", t.provider_activity_id))
            if t.receiver_activity_id and t.receiver_activity_id != p.iati_identifier:
                links.append(("receiver", t.receiver_activity_id))
        for rel in p.related:
            ident = rel.iati_identifier or (iati_of_key.get(rel.related_key) if rel.related_key else None)
            if ident:
                links.append((_RELATION.get(rel.relation, "sibling"), ident))
        out.append(ProjectRecord(
            id=key_id[p.key], title_ar=p.title_ar, title_en=p.title_en, reporting_partner=p.reporting_partner_id,
            participants=tuple((x.partner_id, x.role) for x in p.participations),
            sectors=frozenset(s for s, _ in p.sectors), municipalities=frozenset(m for m, _ in p.locations),
            sites=tuple((s.lon, s.lat) for s in p.sites),
            start=p.actual_start or p.planned_start, end=p.actual_end or p.planned_end,
            budget_usd=float(usd) if usd is not None else None, iati_identifier=p.iati_identifier,
            links=tuple(links), status=p.status,
        ))
    return out


def place_names(reference: Reference) -> dict[int, list[str]]:
    return {m.id: [m.name_en, m.name_ar] for m in reference.municipalities}
