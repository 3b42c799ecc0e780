"""Plain records the demo generator reads and returns: no Django, no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

DEMO_NEED_SOURCE = "Tansiq demo"


@dataclass(frozen=True, slots=True)
class MunicipalityRef:
    id: int
    district_id: int
    name_en: str = ""
    name_ar: str = ""
    lon: float | None = None
    lat: float | None = None
    population: int | None = None
    slug: str = ""


@dataclass(frozen=True, slots=True)
class SectorRef:
    id: int
    code: str
    name_en: str = ""
    name_ar: str = ""


@dataclass(frozen=True, slots=True)
class PartnerRef:
    id: int
    org_type: int
    acronym: str = ""
    name_en: str = ""
    name_ar: str = ""
    iati_ref: str | None = None
    country: str = ""


@dataclass(frozen=True, slots=True)
class RateRef:
    currency: str
    year: int
    usd_per_unit: Decimal


@dataclass(frozen=True, slots=True)
class Reference:
    """The reference data a portfolio is generated against, each list sorted by id."""

    municipalities: tuple[MunicipalityRef, ...]
    sectors: tuple[SectorRef, ...]
    partners: tuple[PartnerRef, ...]
    rates: tuple[RateRef, ...] = ()

    @classmethod
    def build(cls, *, municipalities: list[Any], sectors: list[Any], partners: list[Any],
              rates: list[Any] = ()) -> Reference:
        """Accepts dataclasses or dicts with the same keys; sorts them so input order never matters."""

        def coerce(items: list[Any], kind: type) -> list[Any]:
            return [item if isinstance(item, kind) else kind(**item) for item in items]

        return cls(
            municipalities=tuple(sorted(coerce(municipalities, MunicipalityRef), key=lambda m: m.id)),
            sectors=tuple(sorted(coerce(sectors, SectorRef), key=lambda s: s.id)),
            partners=tuple(sorted(coerce(partners, PartnerRef), key=lambda p: p.id)),
            rates=tuple(sorted(coerce(list(rates), RateRef), key=lambda r: (r.currency, r.year))),
        )


@dataclass(slots=True)
class SiteRec:
    name_en: str
    name_ar: str
    lon: float
    lat: float
    municipality_id: int


@dataclass(slots=True)
class ParticipationRec:
    partner_id: int
    role: int
    activity_id: str = ""


@dataclass(slots=True)
class UpdateRec:
    period_start: date
    period_end: date
    progress_percent: Decimal
    status: int
    spend_to_date: Decimal
    beneficiaries_reached: int | None
    narrative: str
    problems: str
    state: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str = ""


@dataclass(slots=True)
class TransactionRec:
    type: int
    date: date
    value: Decimal
    currency: str
    provider_org_id: int | None
    receiver_org_id: int | None
    provider_activity_id: str = ""
    receiver_activity_id: str = ""


@dataclass(slots=True)
class RelatedRec:
    relation: int
    iati_identifier: str = ""
    related_key: str | None = None


@dataclass(slots=True)
class ProjectRec:
    key: str
    programme_key: str | None
    reporting_partner_id: int
    iati_identifier: str | None
    partner_code: str
    title_ar: str
    title_en: str
    description_ar: str
    description_en: str
    status: int
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    budget: Decimal | None
    currency: str
    spend_to_date: Decimal
    beneficiaries_targeted: int | None
    beneficiaries_reached: int | None
    progress_percent: Decimal
    state: str
    sectors: list[tuple[int, Decimal]] = field(default_factory=list)
    locations: list[tuple[int, Decimal | None]] = field(default_factory=list)
    participations: list[ParticipationRec] = field(default_factory=list)
    sites: list[SiteRec] = field(default_factory=list)
    updates: list[UpdateRec] = field(default_factory=list)
    transactions: list[TransactionRec] = field(default_factory=list)
    related: list[RelatedRec] = field(default_factory=list)
    reporting_frequency: int = 3  # months between reports


@dataclass(slots=True)
class ProgrammeRec:
    key: str
    partner_id: int
    code: str
    title_en: str
    title_ar: str
    description: str
    start_date: date | None = None
    end_date: date | None = None


@dataclass(slots=True)
class NeedRec:
    municipality_id: int
    sector_id: int
    severity: int
    people_in_need: int
    displaced: int | None
    returnees: int | None
    assessed_on: date
    source: str = DEMO_NEED_SOURCE


@dataclass(slots=True)
class Portfolio:
    seed: int
    today: date
    programmes: list[ProgrammeRec]
    projects: list[ProjectRec]
    needs: list[NeedRec]
    truth: dict[str, Any]

    def row_counts(self) -> dict[str, int]:
        projects = self.projects
        return {
            "programmes": len(self.programmes),
            "projects": len(projects),
            "participations": sum(len(p.participations) for p in projects),
            "project_sectors": sum(len(p.sectors) for p in projects),
            "project_locations": sum(len(p.locations) for p in projects),
            "sites": sum(len(p.sites) for p in projects),
            "project_updates": sum(len(p.updates) for p in projects),
            "transactions": sum(len(p.transactions) for p in projects),
            "related_activities": sum(len(p.related) for p in projects),
            "needs": len(self.needs),
        }
