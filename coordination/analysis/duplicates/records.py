"""Records in, findings out: the engine's plain data (``ProjectRecord``, ``Finding`` and its
``Reason``), the participant roles and link kinds, the finding kinds and the ``Settings``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# --- records and findings ---------------------------------------------------------------

FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = 1, 2, 3, 4
REL_PARENT, REL_CHILD, REL_SIBLING, REL_COFUNDED, REL_THIRD = 1, 2, 3, 4, 5

REPORTED_TWICE, OVERLAP, RELATED_PHASE = "reported_twice", "overlap", "related_phase"

# DAC codes a funder records for a whole programme where its implementer records the precise code.
BROAD_DAC_CODES = frozenset({"43010", "43081", "73010", "72050", "15110", "99810"})


def identifier_publisher(identifier: str | None) -> str | None:
    """The organisation identifier an IATI activity identifier begins with (IATI: the reporting organisation's
    identifier, a hyphen, its own code for the activity), or None when the identifier does not show one.

    Organisation identifiers are a registration agency and the organisation's number there: a country or XM/XI
    and the list's code, then the number ("XM-DAC-41114", "GB-GOV-1", "NL-KVK-41198677", "XI-IATI-EC_NEAR"), or,
    in older files, a country and a number ("DE-1", "CH-4") or a bare five-digit DAC code of a multilateral
    agency ("41114", the same publisher as "XM-DAC-41114"). Other leading numbers ("2024-LBY-001") say nothing."""
    parts = (identifier or "").strip().split("-")
    if len(parts) < 2 or not all(parts):
        return None
    first, second = parts[0].upper(), parts[1].upper()
    if first.isdigit():
        return f"XM-DAC-{first}" if len(first) == 5 else None
    if len(first) != 2 or not first.isalpha():
        return None
    if second.isdigit():
        return f"{first}-{second}" if len(parts) > 2 else None
    if second.isalpha() and len(parts) > 3:
        return f"{first}-{second}-{parts[2].upper()}"
    return None


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    id: int
    title_ar: str = ""
    title_en: str = ""
    reporting_partner: int | None = None
    participants: tuple[tuple[int, int], ...] = ()  # (partner id, IATI role)
    sectors: frozenset[int] = frozenset()
    municipalities: frozenset[int] = frozenset()
    sites: tuple[tuple[float, float], ...] = ()  # (lon, lat)
    start: date | None = None
    end: date | None = None
    budget_usd: float | None = None
    iati_identifier: str | None = None
    # identifiers of *other* activities this record points to, with how:
    # ("provider" | "receiver" | "participant" | "parent" | "child" | "sibling" | "cofunded" | "third")
    links: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    # The record's sectors that a broad DAC code can land on (43010 multisector, 73010 reconstruction,
    # 15110 public sector policy): a funder's umbrella code, compatible with any precise sector.
    broad_sectors: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finding:
    a: int
    b: int
    score: float
    kind: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    threshold: float = 0.55
    max_gap_days: int = 730  # projects further apart in time are never compared
    site_cell_degrees: float = 0.02  # no longer used: sites do not form blocks (municipalities do)
    near_site_km: float = 0.5  # sites this close are one site, whatever municipality each record names
    # A pair whose dates overlap by less than this share of the shorter period, or not at all,
    # is read as successive phases rather than one project.
    sequential_overlap: float = 0.15
