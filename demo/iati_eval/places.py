"""Places as publishers write them: OCHA's baladiyat (``lby_baladiya_ocha_reference.csv`` in the shared
data), each written in Arabic, in OCHA's English, in OCHA's own spelling (``name_en_ocha``), or in a
transliteration of the publisher's own (article dropped or assimilated, doubled letters single, ou/u,
q/g). Neighbours are the nearest baladiyat of the same mantika."""

from __future__ import annotations

import csv
import math
import os
import random
from dataclasses import dataclass
from pathlib import Path

SHARED_DATA = Path(os.environ.get("TANSIQ_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
OCHA_REFERENCE = "lby_baladiya_ocha_reference.csv"


@dataclass(frozen=True)
class Place:
    pcode: str
    name_en: str
    name_ocha: str
    name_ar: str
    district: str
    point: tuple[float, float] | None  # (lat, lon)


def places_read(data_dir: Path | None = None) -> list[Place]:
    path = (data_dir or SHARED_DATA) / OCHA_REFERENCE
    out = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            point = (float(row["lat"]), float(row["lon"])) if row["lat"] and row["lon"] else None
            out.append(Place(row["adm3_pcode"], row["name_en"], row["name_en_ocha"] or row["name_en"],
                             row["name_ar"], row["adm2_pcode"], point))
    return out


def neighbours(places: list[Place]) -> dict[str, list[Place]]:
    """Each place's neighbours: the others of its mantika with a point, nearest first."""
    out: dict[str, list[Place]] = {}
    for p in places:
        if p.point is None:
            continue
        others = [q for q in places if q.district == p.district and q.pcode != p.pcode and q.point is not None]
        others.sort(key=lambda q: math.dist(p.point, q.point))
        out[p.pcode] = others
    return out


def _own_transliteration(name: str, rng: random.Random) -> str:
    """A spelling of the publisher's own: the kind of drift real files show."""
    s = name
    for article in ("Al-", "Al ", "El-", "El ", "Ar-", "As-", "Az-", "Ash-", "An-", "Ad-"):
        if s.startswith(article):
            s = s[len(article):] if rng.random() < 0.5 else "Al" + s[len(article):].lower()
            break
    swaps = [("ou", "u"), ("ee", "i"), ("ie", "i"), ("q", "g"), ("tt", "t"), ("ss", "s"), ("rr", "r"), ("ll", "l")]
    rng.shuffle(swaps)
    for a, b in swaps[:2]:
        if a in s:
            s = s.replace(a, b)
    return s[:1].upper() + s[1:]


def place_written(place: Place, rng: random.Random, habit: str) -> str:
    """How a publisher with this habit writes the place: ``ocha`` (OCHA's spelling), ``arabic``,
    ``own`` (its own transliteration) or ``plain`` (the OCHA English name)."""
    if habit == "arabic":
        return place.name_ar
    if habit == "ocha":
        return place.name_ocha
    if habit == "own":
        return _own_transliteration(place.name_en, rng)
    return place.name_en
