"""The evaluation's publishers: donors and the agencies that implement for them, with their IATI
organisation identifiers, and each one's habits (the language of its titles, how it writes places,
whether it records the precise or a broad DAC code, whether it gives points)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Publisher:
    ref: str
    name_en: str
    name_ar: str
    org_type: str  # IATI OrganisationType
    title_langs: tuple[str, ...]  # "en", "ar", "both": what its titles are written in, by weight
    place_habits: tuple[str, ...]  # see ``places.place_written``
    broad_codes: float  # the share of its records that carry the broad DAC code
    points: float  # the share of its locations with a point


DONORS = (
    Publisher("XI-IATI-EC_NEAR", "European Commission - Neighbourhood and Enlargement", "المفوضية الأوروبية",
              "15", ("en", "en", "en", "both"), ("ocha", "plain", "own"), 0.6, 0.5),
    Publisher("DE-1", "Federal Ministry for Economic Cooperation and Development", "الوزارة الاتحادية الألمانية للتعاون",
              "10", ("en", "en", "both"), ("plain", "ocha"), 0.5, 0.7),
    Publisher("XM-DAC-6-4", "Italian Agency for Development Cooperation", "الوكالة الإيطالية للتعاون الإنمائي",
              "10", ("en", "en", "ar"), ("own", "ocha"), 0.5, 0.6),
    Publisher("CH-4", "Swiss Agency for Development and Cooperation", "الوكالة السويسرية للتنمية والتعاون",
              "10", ("en",), ("ocha", "own"), 0.6, 0.5),
    Publisher("XM-DAC-7", "Netherlands Ministry of Foreign Affairs", "وزارة الخارجية الهولندية",
              "10", ("en", "both"), ("plain", "own"), 0.4, 0.7),
)

IMPLEMENTERS = (
    Publisher("XM-DAC-41114", "United Nations Development Programme", "برنامج الأمم المتحدة الإنمائي",
              "40", ("ar", "ar", "en", "both"), ("arabic", "ocha", "plain"), 0.0, 0.8),
    Publisher("XM-DAC-41122", "United Nations Children's Fund", "منظمة الأمم المتحدة للطفولة",
              "40", ("en", "ar", "both"), ("ocha", "arabic"), 0.0, 0.7),
    Publisher("XM-DAC-47066", "International Organization for Migration", "المنظمة الدولية للهجرة",
              "40", ("en", "ar"), ("own", "arabic", "ocha"), 0.0, 0.7),
    Publisher("XM-DAC-5-52", "Deutsche Gesellschaft fuer Internationale Zusammenarbeit", "الوكالة الألمانية للتعاون الدولي",
              "10", ("en", "ar", "both"), ("plain", "arabic"), 0.0, 0.6),
    Publisher("XM-DAC-928", "World Health Organization", "منظمة الصحة العالمية",
              "40", ("en", "ar"), ("ocha", "arabic"), 0.0, 0.7),
    Publisher("FR-RCS-410032730", "ACTED", "أكتد",
              "21", ("en", "ar"), ("own", "plain"), 0.0, 0.6),
)
