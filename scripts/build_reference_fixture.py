#!/usr/bin/env python
"""Build the committed reference fixture from the offline copies in ../shared/data.

Run it by hand when the sources change; the application never runs it (the JSON it writes is
committed and read by ``municipalities.reference_load`` at load time). Needs ``shapely`` for the
point-in-polygon checks; the runtime does not.

    .venv/bin/python scripts/build_reference_fixture.py [--data ../shared/data]

Writes ``municipalities/reference/{regions,districts,municipalities,sectors}.json`` and prints
what it matched, so that a reviewer can see every name match and every placed point.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.prepared import prep

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "municipalities" / "reference"

REGION_NAMES_EN = {"LY01": "East", "LY02": "West", "LY03": "South"}

# A name match must reach this similarity (0..1) and the matched point must lie in the right
# district polygon; within one district there are only a handful of candidate places.
FUZZY_THRESHOLD = 0.8

# Matches no spelling rule can find, each checked by hand (and still polygon-checked below).
# Emsaed (امساعد, the Musaid border town) is GeoNames' "Umm Sa'ad", 31.61 N 25.05 E.
CURATED_PLACEMENTS: dict[str, tuple[str, str]] = {
    "LY010401": ("geonames", "12687307"),
}

# Ministry entries without a point whose GeoNames place has a different spelling; checked by hand.
# Barkat (بركت) is GeoNames' "Al Barakat" (البركات), just south of Ghat.
CURATED_MOLG_POINTS: dict[str, str] = {"barkat": "2220109"}

# OCHA baladiya -> ministry entry where the two lists name the same place differently
# ("Gharb Azzawya" / "الزاوية الغرب", "Idri" / "إدري الشاطئ"); checked by hand.
CURATED_MOLG: dict[str, str] = {
    "LY020801": "gulf-of-sidra",  # OCHA calls Ben Jawad "Khaleej Assidra", the Gulf of Sidra
    "LY021201": "al-sayeh",
    "LY021303": "zawiya-west",
    "LY021304": "zawiya-south",
    "LY031802": "idri-al-shati",
    "LY031902": "wadi-al-bawanis",
}

# ---------------------------------------------------------------------------------------------
# Names


_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200e\u200f]")
_AR_MAP = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ء": "",
        "ی": "ي", "ک": "ك", "ہ": "ه", "ھ": "ه",
    }
)
_AR_GENERIC = {"المركز", "مركز", "مدينه", "شعبيه", "بلديه", "قريه"}


def norm_ar(text: str) -> str:
    """Arabic key: no diacritics, one alef, ta marbuta as ha, alef maqsura as ya, no article, no spaces."""
    text = _AR_DIACRITICS.sub("", text or "").translate(_AR_MAP)
    words = []
    for word in re.split(r"[\s\-_/،,()]+", text):
        if not word or word in _AR_GENERIC:
            continue
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        words.append(word)
    return "".join(words)


_EN_ARTICLES = {"al", "el", "ar", "as", "az", "an", "at", "ad", "ash", "ath", "adh", "ed", "es", "er"}
_EN_GENERIC = {"center", "centre", "city", "baladiya", "municipality", "qaryat", "madinat"}
_SUN_ARTICLE = re.compile(r"^a(sh|th|dh|[rsztdnl])\1")


def norm_en(text: str) -> str:
    """A loose skeleton of a transliterated name: no article, vowels and doubled letters folded."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’‘`ʼʻʿʾ]", "", text)
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t and t not in _EN_GENERIC]
    out = []
    for i, token in enumerate(tokens):
        if token in _EN_ARTICLES and i + 1 < len(tokens):
            continue
        if token.startswith("al") and len(token) > 4:
            token = token[2:]
        elif (m := _SUN_ARTICLE.match(token)) and len(token) > 4:
            token = token[1 + len(m.group(1)):]
        out.append(token)
    key = "".join(out)
    for src, dst in (("ou", "u"), ("oo", "u"), ("ee", "i"), ("e", "i"), ("o", "u"), ("y", "i"), ("q", "g"), ("w", "u")):
        key = key.replace(src, dst)
    key = re.sub(r"(.)\1+", r"\1", key)
    return key[:-1] if key.endswith("h") and len(key) > 3 else key


def similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# ---------------------------------------------------------------------------------------------
# Sources


@dataclass
class Place:
    """A named point from one of the sources (ministry list or GeoNames)."""

    source: str  # "molg" or "geonames"
    ident: str
    name_ar: str
    name_en: str
    lat: float
    lon: float
    point_source: str
    names_ar: set[str] = field(default_factory=set)
    names_en: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.names_ar = {k for k in {norm_ar(self.name_ar)} if k}
        self.names_en = {k for k in {norm_en(self.name_en)} if k}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def describe_coord_source(code: str) -> str:
    """Turn the OCHA table's coord_source (e.g. molg-points:geonames:81071) into a readable credit."""
    parts = code.split(":")
    via = ""
    if parts[0] == "molg-points":
        via = " (via MoLG municipality points, libyancityseeds)"
        parts = parts[1:]
    elif parts[0].startswith("geonames-"):
        parts = ["geonames", *parts[1:]]
    kind, ident = parts[0], ":".join(parts[1:])
    label = {
        "geonames": f"GeoNames {ident}",
        "openstreetmap-geofabrik": f"OpenStreetMap {ident}",
        "iom-ocha-hubs-2016": f"IOM/OCHA 2016 hub point {ident}",
    }.get(kind, f"{kind} {ident}")
    return label + via


def molg_point_source(row: dict[str, str]) -> str:
    return describe_coord_source(f"molg-points:{row['coordinate_source']}:{row['coordinate_source_id']}")


# ---------------------------------------------------------------------------------------------
# Build


def build_geography(data: Path) -> tuple[list[dict], list[dict], list[dict], dict[str, int]]:
    admin = read_csv(data / "lby_admin_pcodes_adm1_adm2.csv")
    regions = [
        {"pcode": r["pcode"], "name_en": REGION_NAMES_EN[r["pcode"]], "name_ar": r["name_ar"]}
        for r in admin
        if r["admin_level"] == "1"
    ]
    districts = [
        {
            "pcode": r["pcode"],
            "name_en": r["name_en_ocha"],
            "name_ar": r["name_ar"],
            "iso_3166_2": r["iso_3166_2"],
            "region": r["parent_pcode"],
        }
        for r in admin
        if r["admin_level"] == "2"
    ]
    assert len(regions) == 3 and len(districts) == 22, (len(regions), len(districts))

    polygons = {}
    with (data / "lby_adm2_mantika.geojson").open(encoding="utf-8") as fh:
        for feature in json.load(fh)["features"]:
            geom = shape(feature["geometry"])
            polygons[feature["properties"]["adm2_pcode"]] = (geom, prep(geom))
    assert set(polygons) == {d["pcode"] for d in districts}

    def district_of(lat: float, lon: float) -> tuple[str | None, str]:
        pt = Point(lon, lat)
        for pcode, (_, prepared) in polygons.items():
            if prepared.covers(pt):
                return pcode, "inside"
        # The simplified polygons cut some coastal towns off; accept the nearest within ~5 km.
        pcode, (geom, _) = min(polygons.items(), key=lambda item: item[1][0].distance(pt))
        if geom.distance(pt) < 0.05:
            return pcode, "nearest"
        return None, "outside"

    def inside(pcode: str, lat: float, lon: float) -> bool:
        found, _ = district_of(lat, lon)
        return found == pcode

    ocha = read_csv(data / "lby_baladiya_ocha_reference.csv")
    molg = read_csv(data / "molg_municipalities_points.csv")
    geonames = read_csv(data / "geonames_ly_places_pop500.csv")
    assert len(ocha) == 100, len(ocha)

    molg_by_slug = {r["slug"]: r for r in molg}
    places: list[Place] = []
    for r in molg:
        if r["latitude"]:
            places.append(
                Place("molg", r["slug"], r["name_ar"], r["name_en"], float(r["latitude"]), float(r["longitude"]),
                      molg_point_source(r))
            )
    for r in geonames:
        places.append(
            Place("geonames", r["geonameid"], r["name_ar"], r["name"], float(r["latitude"]), float(r["longitude"]),
                  f"GeoNames {r['geonameid']} (matched by name at build time)")
        )
    places_by_id = {(p.source, p.ident): p for p in places}

    # --- 1. OCHA baladiya <-> ministry entry (for the slug, and so none is loaded twice)
    molg_for_ocha: dict[str, str] = {}
    for r in ocha:
        if r["molg_slug"]:
            molg_for_ocha[r["adm3_pcode"]] = r["molg_slug"]
    for pcode, slug in CURATED_MOLG.items():
        assert pcode not in molg_for_ocha and slug in molg_by_slug, (pcode, slug)
        molg_for_ocha[pcode] = slug
    taken = set(molg_for_ocha.values())
    report: list[str] = []
    for r in ocha:
        if r["adm3_pcode"] in molg_for_ocha:
            continue
        keys_ar = {norm_ar(r["name_ar"])}
        keys_en = {norm_en(r["name_en"]), norm_en(r["name_en_ocha"])} - {""}
        best: tuple[float, str] | None = None
        for m in molg:
            if m["slug"] in taken:
                continue
            score = max(
                [similarity(k, norm_ar(m["name_ar"])) for k in keys_ar]
                + [similarity(k, norm_en(m["name_en"])) for k in keys_en]
            )
            if m["latitude"] and not inside(r["adm2_pcode"], float(m["latitude"]), float(m["longitude"])):
                continue  # same name elsewhere in the country
            if best is None or score > best[0]:
                best = (score, m["slug"])
        exact = best and best[0] == 1.0
        if best and (exact or best[0] >= 0.85):
            molg_for_ocha[r["adm3_pcode"]] = best[1]
            taken.add(best[1])
            report.append(f"  OCHA {r['adm3_pcode']} {r['name_en']} / {r['name_ar']} = MoLG {best[1]} "
                          f"/ {molg_by_slug[best[1]]['name_ar']} (score {best[0]:.2f})")

    # --- 2. Place OCHA baladiyat that have no point
    placed: list[str] = []
    used_geonames: set[str] = set()
    points: dict[str, tuple[float, float, str]] = {}
    for r in ocha:
        pcode, district = r["adm3_pcode"], r["adm2_pcode"]
        if r["lat"]:
            lat, lon = float(r["lat"]), float(r["lon"])
            assert inside(district, lat, lon), (pcode, "given point outside its district")
            points[pcode] = (lat, lon, describe_coord_source(r["coord_source"]))
            continue
        chosen: tuple[float, Place] | None = None
        if pcode in CURATED_PLACEMENTS:
            place = places_by_id[CURATED_PLACEMENTS[pcode]]
            chosen = (1.0, place)
            how = "curated"
        else:
            keys_ar = {norm_ar(r["name_ar"])} - {""}
            keys_en = {norm_en(r["name_en"]), norm_en(r["name_en_ocha"])} - {""}
            molg_slug = molg_for_ocha.get(pcode)
            if molg_slug:
                keys_ar.add(norm_ar(molg_by_slug[molg_slug]["name_ar"]))
                keys_en.add(norm_en(molg_by_slug[molg_slug]["name_en"]))
            scored = []
            for place in places:
                if place.source == "molg" and place.ident in taken and place.ident != molg_slug:
                    continue  # that ministry point belongs to another OCHA baladiya
                if not inside(district, place.lat, place.lon):
                    continue
                score = max(
                    [similarity(a, b) for a in keys_ar for b in place.names_ar]
                    + [similarity(a, b) for a in keys_en for b in place.names_en]
                    + [0.0]
                )
                scored.append((score, place))
            scored.sort(key=lambda item: -item[0])
            if scored and scored[0][0] >= FUZZY_THRESHOLD:
                chosen = scored[0]
            how = "name"
        if chosen is None:
            continue
        score, place = chosen
        if not inside(district, place.lat, place.lon):
            print(f"!! {pcode}: {how} match {place.ident} is outside {district}", file=sys.stderr)
            continue
        points[pcode] = (place.lat, place.lon, place.point_source.replace(
            "(matched by name at build time)", f"(matched by name to OCHA {pcode} at build time)"
        ) if place.source == "geonames" else place.point_source + " (matched by name at build time)")
        if place.source == "geonames":
            used_geonames.add(place.ident)
        if place.source == "molg" and pcode not in molg_for_ocha:
            molg_for_ocha[pcode] = place.ident
            taken.add(place.ident)
        placed.append(f"  {pcode} {r['name_en']} / {r['name_ar']} -> {place.source} {place.ident} "
                      f"{place.name_en} / {place.name_ar} ({place.lat}, {place.lon}) [{how}, {score:.2f}]")

    # --- 3. Rows
    municipalities: list[dict] = []
    slugs: set[str] = set()

    def unique_slug(base: str) -> str:
        slug, n = base[:80], 2
        while slug in slugs:
            slug = f"{base[:76]}-{n}"
            n += 1
        slugs.add(slug)
        return slug

    for r in ocha:
        pcode = r["adm3_pcode"]
        assert pcode.startswith(r["adm2_pcode"]) and pcode[:6] == r["adm2_pcode"]
        row = {
            "pcode": pcode,
            "slug": unique_slug(molg_for_ocha.get(pcode) or slugify(r["name_en"])),
            "name_en": r["name_en"],
            "name_ar": r["name_ar"],
            "name_en_ocha": r["name_en_ocha"] or r["name_en"],
            "district": pcode[:6],
            "in_ocha_list": True,
            "population": int(r["population_hno2021"]),
            "population_year": 2021,
            "population_source": "OCHA HNO 2021",
            "lat": None,
            "lon": None,
            "point_source": "",
        }
        if pcode in points:
            row["lat"], row["lon"], row["point_source"] = points[pcode]
        municipalities.append(row)

    extra_report: list[str] = []
    geonames_places = [p for p in places if p.source == "geonames"]
    for m in molg:
        if m["slug"] in taken:
            continue
        if m["latitude"]:
            lat, lon, point_source = float(m["latitude"]), float(m["longitude"]), molg_point_source(m)
        else:
            # No point in the ministry's list: take a GeoNames place only on an exact name key.
            key_ar, key_en = norm_ar(m["name_ar"]), norm_en(m["name_en"])
            hits = [p for p in geonames_places if p.ident not in used_geonames
                    and ((key_ar and key_ar in p.names_ar) or (key_en and key_en in p.names_en)
                         or CURATED_MOLG_POINTS.get(m["slug"]) == p.ident)]
            if len(hits) != 1:
                continue
            place = hits[0]
            lat, lon, point_source = place.lat, place.lon, place.point_source
            extra_report.append(f"  {m['slug']} {m['name_en']} / {m['name_ar']} -> GeoNames {place.ident} "
                                f"{place.name_en} / {place.name_ar}")
        district, how = district_of(lat, lon)
        if district is None:
            print(f"!! MoLG {m['slug']} ({lat}, {lon}) lies in no district", file=sys.stderr)
            continue
        if how == "nearest":
            extra_report.append(f"  {m['slug']}: point just outside the simplified polygons, nearest {district}")
        municipalities.append(
            {
                "pcode": None,
                "slug": unique_slug(m["slug"]),
                "name_en": m["name_en"],
                "name_ar": m["name_ar"],
                "district": district,
                "in_ocha_list": False,
                "population": None,
                "population_year": None,
                "population_source": "",
                "lat": lat,
                "lon": lon,
                "point_source": point_source,
            }
        )

    municipalities.sort(key=lambda row: (row["district"], row["pcode"] or "~", row["slug"]))
    print("OCHA baladiyat matched to a MoLG entry by name:")
    print("\n".join(report) or "  none")
    missing_before = sum(1 for r in ocha if not r["lat"])
    print(f"OCHA baladiyat without a point in the table: {missing_before}; placed here: {len(placed)}")
    print("\n".join(placed))
    print("Unplaced:", ", ".join(f"{r['adm3_pcode']} {r['name_en']}" for r in ocha if r["adm3_pcode"] not in points))
    print("MoLG entries left out (no point, not an OCHA baladiya):",
          ", ".join(m["slug"] for m in molg if m["slug"] not in taken and m["slug"] not in slugs))
    print("MoLG municipalities given a GeoNames point / notes:")
    print("\n".join(extra_report) or "  none")
    stats = {
        "ocha_without_point": missing_before,
        "ocha_placed": len(placed),
        "non_ocha": sum(1 for m in municipalities if not m["in_ocha_list"]),
    }
    return regions, districts, municipalities, stats


# ---------------------------------------------------------------------------------------------
# Sectors: the national list, each with its DAC 5-digit codes (names taken from the IATI codelist).

SECTORS: list[dict] = [
    {"code": "electricity-energy", "name_en": "Electricity and energy", "name_ar": "الكهرباء والطاقة",
     "dac": ["23110", "23111", "23112", "23181", "23183", "23210", "23230", "23231", "23240", "23310", "23330",
             "23340", "23410", "23630", "23631"]},
    {"code": "water-sanitation", "name_en": "Water and sanitation", "name_ar": "المياه والصرف الصحي",
     "dac": ["14010", "14015", "14020", "14021", "14022", "14030", "14031", "14032", "14040", "14081"]},
    {"code": "solid-waste", "name_en": "Solid waste management", "name_ar": "إدارة النفايات الصلبة",
     "dac": ["14050"]},
    {"code": "health", "name_en": "Health", "name_ar": "الصحة",
     "dac": ["12110", "12181", "12191", "12196", "12220", "12230", "12240", "12250", "12261", "12264", "12281",
             "12310", "12340", "12350", "13020", "13030", "13040", "72011"]},
    {"code": "education", "name_en": "Education", "name_ar": "التعليم",
     "dac": ["11110", "11120", "11130", "11220", "11231", "11240", "11250", "11260", "11320", "11330", "11420",
             "11430", "72012"]},
    {"code": "local-governance", "name_en": "Local governance and decentralisation",
     "name_ar": "الحكم المحلي واللامركزية",
     "dac": ["15112", "15128", "15185"]},
    {"code": "public-finance", "name_en": "Public finance management", "name_ar": "إدارة المالية العامة",
     "dac": ["15111", "15113", "15114", "15116", "15117", "15118", "15119", "15125", "15155", "15156"]},
    {"code": "public-administration", "name_en": "Public administration and institutional capacity",
     "name_ar": "الإدارة العامة وبناء القدرات المؤسسية",
     "dac": ["15110", "15124", "15126", "15127", "15154", "15196", "16062", "13096"]},
    {"code": "infrastructure-transport", "name_en": "Infrastructure, roads and transport",
     "name_ar": "البنية التحتية والطرق والنقل",
     "dac": ["21010", "21011", "21012", "21013", "21020", "21021", "21022", "21023", "21024", "21030", "21040",
             "21050", "21061", "32310", "43030", "43031", "43032", "73010"]},
    {"code": "housing-shelter", "name_en": "Housing and shelter", "name_ar": "الإسكان والإيواء",
     "dac": ["16030", "16040", "72010"]},
    {"code": "social-protection", "name_en": "Social protection", "name_ar": "الحماية الاجتماعية",
     "dac": ["16010", "16011", "16012", "16015", "16050"]},
    {"code": "livelihoods", "name_en": "Livelihoods and economic recovery", "name_ar": "سبل العيش والتعافي الاقتصادي",
     "dac": ["16020", "16070", "24030", "24040", "24050", "25010", "25030", "32120", "32130", "32140", "33120",
             "43040", "43042"]},
    {"code": "agriculture", "name_en": "Agriculture, livestock and fisheries", "name_ar": "الزراعة والثروة الحيوانية والسمكية",
     "dac": ["31110", "31120", "31130", "31140", "31150", "31161", "31163", "31166", "31191", "31192", "31194",
             "31195", "31310", "31320", "32161"]},
    {"code": "food-security", "name_en": "Food security", "name_ar": "الأمن الغذائي",
     "dac": ["43071", "43072", "43073", "52010", "72040"]},
    {"code": "protection-migration", "name_en": "Protection (including migration)",
     "name_ar": "الحماية (بما في ذلك الهجرة)",
     "dac": ["15136", "15160", "15190", "15261"]},
    {"code": "gender-equality", "name_en": "Gender equality and women's empowerment",
     "name_ar": "المساواة بين الجنسين وتمكين المرأة",
     "dac": ["15170", "15180"]},
    {"code": "peacebuilding", "name_en": "Peacebuilding and social cohesion", "name_ar": "بناء السلام والتماسك الاجتماعي",
     "dac": ["15220", "15240"]},
    {"code": "mine-action", "name_en": "Demining and explosive hazards",
     "name_ar": "إزالة الألغام ومخلفات الحرب القابلة للانفجار",
     "dac": ["15250"]},
    {"code": "rule-of-law", "name_en": "Rule of law, justice and security", "name_ar": "سيادة القانون والعدالة والأمن",
     "dac": ["15130", "15131", "15132", "15134", "15135", "15137", "15210"]},
    {"code": "civil-society", "name_en": "Civil society, elections and media",
     "name_ar": "المجتمع المدني والانتخابات والإعلام",
     "dac": ["15150", "15151", "15152", "15153"]},
    {"code": "communications-ict", "name_en": "Communications and digital services",
     "name_ar": "الاتصالات والخدمات الرقمية",
     "dac": ["22010", "22011", "22013", "22020", "22040"]},
    {"code": "environment", "name_en": "Environment and climate", "name_ar": "البيئة والمناخ",
     "dac": ["41010", "41020", "41030", "41081"]},
    {"code": "disaster-risk", "name_en": "Disaster risk reduction and emergency preparedness",
     "name_ar": "الحد من مخاطر الكوارث والتأهب للطوارئ",
     "dac": ["43060", "74020", "15133"]},
    {"code": "youth-culture-sport", "name_en": "Youth, culture and sport", "name_ar": "الشباب والثقافة والرياضة",
     "dac": ["16061", "16065", "16066"]},
    {"code": "multisector", "name_en": "Multi-sector and coordination", "name_ar": "متعدد القطاعات والتنسيق",
     "dac": ["43010", "72050", "91010", "99810"]},
]

# Pairs of sectors whose projects may do the same work (symmetric); used to block duplicate search.
SECTOR_LINKS: list[tuple[str, str]] = [
    ("water-sanitation", "solid-waste"),
    ("water-sanitation", "health"),
    ("water-sanitation", "infrastructure-transport"),
    ("solid-waste", "environment"),
    ("electricity-energy", "infrastructure-transport"),
    ("housing-shelter", "infrastructure-transport"),
    ("housing-shelter", "disaster-risk"),
    ("livelihoods", "agriculture"),
    ("livelihoods", "social-protection"),
    ("livelihoods", "food-security"),
    ("agriculture", "food-security"),
    ("food-security", "social-protection"),
    ("food-security", "health"),
    ("protection-migration", "gender-equality"),
    ("protection-migration", "social-protection"),
    ("protection-migration", "peacebuilding"),
    ("protection-migration", "rule-of-law"),
    ("peacebuilding", "local-governance"),
    ("peacebuilding", "rule-of-law"),
    ("peacebuilding", "mine-action"),
    ("peacebuilding", "civil-society"),
    ("local-governance", "public-finance"),
    ("local-governance", "public-administration"),
    ("local-governance", "civil-society"),
    ("public-finance", "public-administration"),
    ("public-administration", "communications-ict"),
    ("education", "youth-culture-sport"),
    ("education", "livelihoods"),
    ("disaster-risk", "environment"),
    ("disaster-risk", "infrastructure-transport"),
]


def build_sectors(data: Path) -> list[dict]:
    root = ET.parse(data / "iati-2.03" / "codelists" / "Sector.xml").getroot()
    dac = {}
    for item in root.iter("codelist-item"):
        if item.get("status", "active") != "active":
            continue
        dac[item.findtext("code")] = item.find("name/narrative").text.strip()
    seen: set[str] = set()
    codes = {s["code"] for s in SECTORS}
    related: dict[str, list[str]] = {code: [] for code in codes}
    for a, b in SECTOR_LINKS:
        assert a in codes and b in codes and a != b, (a, b)
        related[a].append(b)
    out = []
    for order, sector in enumerate(SECTORS, start=1):
        for code in sector["dac"]:
            assert code in dac, f"{code} is not an active DAC 5-digit code in Sector.xml"
            assert code not in seen, f"{code} is given to two sectors"
            seen.add(code)
        out.append(
            {
                "code": sector["code"],
                "order": order * 10,
                "name_en": sector["name_en"],
                "name_ar": sector["name_ar"],
                "dac_codes": [{"code": c, "name_en": dac[c]} for c in sector["dac"]],
                "related": sorted(related[sector["code"]]),
            }
        )
    return out


# ---------------------------------------------------------------------------------------------


def write_json(path: Path, rows: list[dict]) -> None:
    """One object per line: readable and gives small diffs."""
    lines = [json.dumps(row, ensure_ascii=False, sort_keys=False) for row in rows]
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=BASE_DIR.parent / "shared" / "data")
    args = parser.parse_args()
    regions, districts, municipalities, stats = build_geography(args.data)
    sectors = build_sectors(args.data)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_json(OUT_DIR / "regions.json", regions)
    write_json(OUT_DIR / "districts.json", districts)
    write_json(OUT_DIR / "municipalities.json", municipalities)
    write_json(OUT_DIR / "sectors.json", sectors)
    with_point = sum(1 for m in municipalities if m["lat"] is not None)
    print(
        f"wrote {len(regions)} regions, {len(districts)} districts, {len(municipalities)} municipalities "
        f"({sum(1 for m in municipalities if m['pcode'])} with p-code, {with_point} with a point, "
        f"{stats['non_ocha']} from the ministry list only), {len(sectors)} sectors, "
        f"{sum(len(s['dac_codes']) for s in sectors)} DAC codes; "
        f"placed {stats['ocha_placed']} of {stats['ocha_without_point']} OCHA baladiyat without a point"
    )


if __name__ == "__main__":
    main()
