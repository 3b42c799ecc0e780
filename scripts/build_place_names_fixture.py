"""Write ``municipalities/reference/place_names.json``, the gazetteer's names, from the offline public sources.

Run from the project root: ``python scripts/build_place_names_fixture.py [../shared/data]``. Only facts are
taken (names, spellings, points, the district a point falls in); the sources are credited in
``municipalities/reference/README.md``. Each row names its municipality by slug (the fixture's stable key) or,
for a GeoNames place, gives its point and district: the loader ties it to a municipality.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "municipalities" / "reference"


def main(data_dir: Path) -> None:
    munis = json.loads((FIXTURE / "municipalities.json").read_text(encoding="utf-8"))
    by_pcode = {m["pcode"]: m["slug"] for m in munis if m["pcode"]}
    slugs = {m["slug"] for m in munis}
    rows: list[dict] = []
    seen: set[tuple[str, str, str]] = set()

    def add(name: str, source: str, slug: str | None = None, **extra) -> None:
        name = " ".join((name or "").split())
        if not name:
            return
        key = (name, source, slug or extra.get("ref", ""))
        if key in seen:
            return
        seen.add(key)
        rows.append({"name": name, "source": source, "municipality": slug, **extra})

    with (data_dir / "lby_baladiya_ocha_reference.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            slug = by_pcode.get(row["adm3_pcode"])
            if slug is None:
                continue
            add(row["name_en"], "ocha", slug)
            add(row["name_ar"], "ocha", slug)
            if row["name_en_ocha"] and row["name_en_ocha"] != row["name_en"]:
                add(row["name_en_ocha"], "ocha_alt", slug)
    with (data_dir / "molg_municipalities_points.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["slug"] in slugs:  # the ministry's municipalities the fixture can place
                add(row["name_en"], "ministry", row["slug"])
                add(row["name_ar"], "ministry", row["slug"])
    with (data_dir / "geonames_ly_places_pop500.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            point = {"lat": float(row["latitude"]), "lon": float(row["longitude"]),
                     "district": row["adm2_pcode_by_polygon"], "kind": "town", "ref": row["geonameid"]}
            add(row["name"], "geonames", None, **point)
            # GeoNames' first Arabic alternate name is sometimes not Arabic ("msratہ"): keep real Arabic only
            ar = row["name_ar"]
            if ar and all("\u0600" <= c <= "\u06ff" or c == " " for c in ar):
                add(ar, "geonames", None, **point)
    rows.sort(key=lambda r: (r["source"], r["municipality"] or "", r.get("ref", ""), r["name"]))
    with (FIXTURE / "place_names.json").open("w", encoding="utf-8") as fh:
        fh.write("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n")
    print(f"{len(rows)} names written")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
