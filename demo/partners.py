"""How the partners of the demo portfolio share the work, as in Libya's real aid portfolio: who funds and who
implements how much, and in which sectors each implementer works (UNMAS clears mines, WHO runs health
projects, UNICEF water, schools and child protection...). No ORM here.

A partner not listed (tests bring their own) gets the default weight and works in every sector.
"""

from __future__ import annotations

DEFAULT_WEIGHT = 1.0

# Relative weight as a funder of projects (the money's source).
FUNDER_WEIGHTS: dict[str, float] = {
    "EUTF": 8, "DG NEAR": 6, "DG ECHO": 6, "EUD Libya": 3, "DG DEVCO": 2,
    "BMZ": 5, "AA": 3, "KfW": 2.5, "AICS": 5, "IT-MOI": 2, "FCDO": 4, "USAID": 6, "AFD": 2, "MEAE": 2,
    "NL MFA": 3, "SDC": 2, "JICA": 2, "Sida": 1.5, "Norad": 1.5, "Danida": 1.5, "GAC": 1.5,
    # UN agencies' own core and pooled money (OCHA: the Libya Humanitarian Fund), the World Bank's trust funds.
    "UNDP": 3, "UNICEF": 3, "WFP": 2, "UNHCR": 2, "WHO": 1.5, "IOM": 1.5, "OCHA": 1, "World Bank": 2.5,
    "UNFPA": 0.5, "UN-Habitat": 0.5, "FAO": 0.5, "UNMAS": 0.3, "UNOPS": 0.2, "GIZ": 0.2,
}

# Relative weight as an implementer, and the sectors (codes of municipalities/reference/sectors.json) it works in.
IMPLEMENTERS: dict[str, tuple[float, tuple[str, ...]]] = {
    "UNDP": (4, ("local-governance", "electricity-energy", "infrastructure-transport", "public-administration",
                 "rule-of-law", "livelihoods", "peacebuilding", "public-finance", "civil-society", "environment",
                 "solid-waste", "disaster-risk", "communications-ict")),
    "UNICEF": (5, ("water-sanitation", "education", "health", "social-protection", "protection-migration",
                   "youth-culture-sport")),
    "IOM": (6, ("protection-migration", "livelihoods", "health", "housing-shelter", "peacebuilding", "multisector")),
    "UNHCR": (4, ("protection-migration", "housing-shelter", "social-protection", "multisector")),
    "WFP": (4, ("food-security", "social-protection", "livelihoods", "communications-ict")),
    "WHO": (4, ("health",)),
    "UNOPS": (3.5, ("infrastructure-transport", "health", "electricity-energy", "water-sanitation", "education",
                    "solid-waste", "communications-ict")),
    "UN-Habitat": (2.5, ("housing-shelter", "local-governance", "infrastructure-transport", "solid-waste",
                         "environment")),
    "FAO": (2, ("agriculture", "food-security", "environment")),
    "UNFPA": (2, ("health", "gender-equality", "youth-culture-sport")),
    "UN Women": (1.2, ("gender-equality", "peacebuilding", "civil-society")),
    "ILO": (1.2, ("livelihoods", "social-protection")),
    "UNESCO": (1.2, ("education", "youth-culture-sport", "communications-ict")),
    "UNIDO": (0.8, ("livelihoods", "environment", "electricity-energy")),
    "UNMAS": (1.2, ("mine-action",)),
    "UNODC": (1, ("rule-of-law", "protection-migration")),
    "World Bank": (1.5, ("public-finance", "electricity-energy", "local-governance", "public-administration")),
    "ICMPD": (0.8, ("protection-migration",)),
    "OCHA": (0.4, ("multisector", "disaster-risk")),
    "GIZ": (3, ("local-governance", "livelihoods", "water-sanitation", "electricity-energy", "health", "education",
                "public-administration")),
    "Expertise France": (1.5, ("health", "public-administration", "rule-of-law", "civil-society", "public-finance",
                               "local-governance")),
    "AICS": (1, ("health", "agriculture", "water-sanitation")),
    "KfW": (0.8, ("electricity-energy", "water-sanitation", "infrastructure-transport")),
    "DRC": (1.8, ("protection-migration", "livelihoods", "housing-shelter", "mine-action")),
    "IRC": (1.5, ("health", "protection-migration", "livelihoods")),
    "NRC": (1.5, ("housing-shelter", "education", "protection-migration", "water-sanitation")),
    "ACTED": (1.5, ("water-sanitation", "livelihoods", "solid-waste", "multisector")),
    "CESVI": (1, ("health", "protection-migration", "education")),
    "IMC": (1.5, ("health",)),
    "Mercy Corps": (1.2, ("livelihoods", "peacebuilding", "youth-culture-sport")),
    "HI": (1.2, ("mine-action", "health", "protection-migration")),
    "ACF": (1.2, ("food-security", "water-sanitation", "health")),
    "WeWorld-GVC": (1, ("water-sanitation", "education", "protection-migration")),
    "INTERSOS": (1, ("protection-migration", "health", "education")),
    "STC": (1.2, ("education", "protection-migration", "health")),
    "MdM": (1, ("health",)),
    "MAG": (0.8, ("mine-action",)),
    "GI-TOC": (0.4, ("rule-of-law", "peacebuilding")),
}


def funder_weight(acronym: str) -> float:
    return FUNDER_WEIGHTS.get(acronym, DEFAULT_WEIGHT)


def implementer_weight(acronym: str) -> float:
    return IMPLEMENTERS.get(acronym, (DEFAULT_WEIGHT, ()))[0]


def works_in(acronym: str, sector_code: str) -> bool:
    """Whether the implementer works in the sector (an unknown partner works in every sector)."""
    sectors = IMPLEMENTERS.get(acronym, (DEFAULT_WEIGHT, ()))[1]
    return not sectors or sector_code in sectors
