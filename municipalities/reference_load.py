"""Load the committed reference fixture (``municipalities/reference/*.json``) into the database.

The fixture is written by ``scripts/build_reference_fixture.py`` from public sources credited in
``municipalities/reference/README.md``. Loading is idempotent: rows are keyed on p-code, slug or
code, created when missing and saved only when a fixture value differs, so a second run writes
nothing. Boundaries (``area`` and its flags) are never touched here: they come from the boundary
import or the approximate-area derivation, and an official one must survive a reload.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import Point
from django.db import models, transaction

from municipalities.gazetteer import place_keys
from municipalities.models import DacSector, District, Municipality, PlaceName, Region, Sector

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# Fields the fixture owns on each model; anything else (areas, displacement figures, ...) is left alone.
REGION_FIELDS = ("name_ar", "name_en")
DISTRICT_FIELDS = ("name_ar", "name_en", "iso_3166_2", "region_id")
MUNICIPALITY_FIELDS = (
    "pcode", "name_ar", "name_en", "district_id", "point", "point_source",
    "population", "population_year", "population_source", "in_ocha_list",
)
SECTOR_FIELDS = ("name_ar", "name_en", "order")
DAC_FIELDS = ("name_en", "sector_id")


def reference_rows(name: str) -> list[dict[str, Any]]:
    """The rows of one fixture file, e.g. ``reference_rows("municipalities")``."""
    with (REFERENCE_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, Point) or isinstance(current, Point):
        if current is None or wanted is None:
            return current is wanted
        return current.equals_exact(wanted, tolerance=1e-9)
    return current == wanted


def _apply(obj: models.Model, values: dict[str, Any], fields: Iterable[str]) -> list[str]:
    """Set the fixture's values on ``obj``; return the names of the fields that changed."""
    changed = []
    for name in fields:
        if not _same(getattr(obj, name), values[name]):
            setattr(obj, name, values[name])
            changed.append(name)
    return changed


def _upsert(
    model: type[models.Model], key: str, rows: list[dict[str, Any]], fields: tuple[str, ...]
) -> tuple[dict[str, models.Model], int, int]:
    """Create missing rows in bulk and save only those that differ. Returns (objects by key, created, updated)."""
    existing = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": [r[key] for r in rows]})}
    new, updated = [], 0
    for values in rows:
        obj = existing.get(values[key])
        if obj is None:
            new.append(model(**{key: values[key], **{f: values[f] for f in fields}}))
            continue
        changed = _apply(obj, values, fields)
        if changed:
            obj.save(update_fields=[f.removesuffix("_id") for f in changed])
            updated += 1
    model.objects.bulk_create(new)
    if new:
        existing = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": [r[key] for r in rows]})}
    return existing, len(new), updated


def _point(row: dict[str, Any]) -> Point | None:
    if row.get("lat") is None or row.get("lon") is None:
        return None
    return Point(float(row["lon"]), float(row["lat"]), srid=4326)


@transaction.atomic
def reference_load_geography() -> dict[str, int]:
    """Regions, districts and municipalities from the fixture. Returns counts (fixture totals, created, updated)."""
    region_rows = reference_rows("regions")
    regions, created, updated = _upsert(Region, "pcode", region_rows, REGION_FIELDS)

    district_rows = [{**row, "region_id": regions[row["region"]].pk} for row in reference_rows("districts")]
    districts, n_created, n_updated = _upsert(District, "pcode", district_rows, DISTRICT_FIELDS)
    created, updated = created + n_created, updated + n_updated

    municipality_rows = reference_rows("municipalities")
    by_pcode = {m.pcode: m for m in Municipality.objects.filter(pcode__isnull=False)}
    by_slug = {m.slug: m for m in Municipality.objects.all()}
    new: list[Municipality] = []
    for row in municipality_rows:
        district = districts[row["district"]]
        pcode = row["pcode"] or None
        if pcode and not pcode.startswith(district.pcode):
            raise ValueError(f"Fixture error: municipality {pcode} is not in district {district.pcode}.")
        values = {
            "pcode": pcode,
            "name_ar": row["name_ar"],
            "name_en": row["name_en"],
            "district_id": district.pk,
            "point": _point(row),
            "point_source": row.get("point_source") or "",
            "population": row.get("population"),
            "population_year": row.get("population_year"),
            "population_source": row.get("population_source") or "",
            "in_ocha_list": bool(row.get("in_ocha_list")),
        }
        obj = by_pcode.get(pcode) if pcode else None
        if obj is None:
            obj = by_slug.get(row["slug"])
            if obj is not None and obj.pcode and pcode and obj.pcode != pcode:
                raise ValueError(
                    f"Municipality '{row['slug']}' has p-code {obj.pcode} in the database but {pcode} in the fixture."
                )
            if obj is not None and obj.pcode and not pcode:
                values["pcode"] = obj.pcode  # staff gave it a p-code the fixture does not know yet
        if obj is None:
            new.append(Municipality(slug=row["slug"], **values))
            continue
        changed = _apply(obj, values, MUNICIPALITY_FIELDS)
        if changed:
            obj.save(update_fields=[f.removesuffix("_id") for f in changed])
            updated += 1
    Municipality.objects.bulk_create(new)
    created += len(new)

    return {
        "regions": len(region_rows),
        "districts": len(district_rows),
        "municipalities": len(municipality_rows),
        "municipalities_ocha": sum(1 for r in municipality_rows if r["in_ocha_list"]),
        "municipalities_with_pcode": sum(1 for r in municipality_rows if r["pcode"]),
        "municipalities_with_point": sum(1 for r in municipality_rows if r.get("lat") is not None),
        "created": created,
        "updated": updated,
    }


@transaction.atomic
def reference_load_sectors() -> dict[str, int]:
    """The national sector list, its DAC 5-digit codes and the links between related sectors.

    Links are only added: a link staff made by hand is kept.
    """
    sector_rows = reference_rows("sectors")
    sectors, created, updated = _upsert(Sector, "code", sector_rows, SECTOR_FIELDS)

    dac_rows = [
        {"code": dac["code"], "name_en": dac["name_en"], "sector_id": sectors[row["code"]].pk}
        for row in sector_rows
        for dac in row["dac_codes"]
    ]
    _, n_created, n_updated = _upsert(DacSector, "code", dac_rows, DAC_FIELDS)
    created, updated = created + n_created, updated + n_updated

    Link = Sector.related.through
    have = set(Link.objects.values_list("from_sector_id", "to_sector_id"))
    pairs = {
        tuple(sorted((sectors[row["code"]].pk, sectors[other].pk)))
        for row in sector_rows
        for other in row["related"]
    }
    missing = []
    for a, b in sorted(pairs):
        rows = [Link(from_sector_id=x, to_sector_id=y) for x, y in ((a, b), (b, a)) if (x, y) not in have]
        if rows:  # a symmetrical relation is stored both ways; count the link once
            missing.extend(rows)
            created += 1
    Link.objects.bulk_create(missing)

    return {
        "sectors": len(sector_rows),
        "dac_codes": len(dac_rows),
        "sector_links": len(pairs),
        "created": created,
        "updated": updated,
    }


def _geonames_municipality(row: dict[str, Any], munis: list[Municipality], own_keys: dict[str, set[int]]) -> int | None:
    """The municipality a GeoNames place belongs to: the one of its district with the same name (the town that
    names its municipality), else the one whose area holds its point (an official area, or a derived one of
    the place's district), else the nearest municipality point in
    its district (in the whole country when the district has none)."""
    keys = place_keys(row["name"])
    in_district = [m for m in munis if m.district.pcode == row.get("district")]
    if keys is not None:
        named = {m.pk for m in in_district} & own_keys.get(keys.variant, set())
        if len(named) == 1:
            return next(iter(named))
    point = Point(float(row["lon"]), float(row["lat"]), srid=4326)
    # a derived (approximate) area may reach over its district's line: trust it only inside the district
    holding = [m for m in munis if m.area is not None and (m.area_is_official or m.district.pcode == row.get("district"))
               and m.area.contains(point)]
    if len(holding) == 1:
        return holding[0].pk
    pool = [m for m in in_district if m.point is not None] or [m for m in munis if m.point is not None]
    if not pool:
        return None
    # planar degrees are enough to pick the nearest of a few dozen points
    return min(pool, key=lambda m: (m.point.x - point.x) ** 2 + (m.point.y - point.y) ** 2).pk


@transaction.atomic
def reference_load_place_names() -> dict[str, int]:
    """The gazetteer's names from ``place_names.json`` (after the geography and, when they are derived or
    imported, the areas). Names staff added are never touched; fixture names no longer in the fixture are
    removed; a second run writes nothing."""
    rows = reference_rows("place_names")
    munis = list(Municipality.objects.select_related("district").only(
        "id", "slug", "name_en", "name_ar", "point", "area", "area_is_official", "district__pcode"))
    by_slug = {m.slug: m.pk for m in munis}
    own_keys: dict[str, set[int]] = {}
    for row in rows:
        if row["municipality"] in by_slug:
            keys = place_keys(row["name"])
            if keys is not None:
                own_keys.setdefault(keys.variant, set()).add(by_slug[row["municipality"]])
    wanted: dict[tuple[str, str, int], dict[str, Any]] = {}
    skipped = 0
    for row in rows:
        pk = by_slug.get(row["municipality"]) if row["municipality"] else _geonames_municipality(row, munis, own_keys)
        keys = place_keys(row["name"])
        if pk is None or keys is None:
            skipped += 1
            continue
        wanted[(row["name"], row["source"], pk)] = {
            "script": PlaceName.Script.ARABIC if keys.script == "ar" else PlaceName.Script.LATIN,
            "key": keys.variant[:200],
            "kind": row.get("kind", ""),
            "point": _point(row),
            "source_ref": row.get("ref", ""),
        }
    existing = {(p.name, p.source, p.municipality_id): p
                for p in PlaceName.objects.exclude(source=PlaceName.Source.STAFF)}
    stale = [p.pk for key, p in existing.items() if key not in wanted]
    PlaceName.objects.filter(pk__in=stale).delete()
    new, updated = [], 0
    fields = ("script", "key", "kind", "point", "source_ref")
    for (name, source, pk), values in wanted.items():
        obj = existing.get((name, source, pk))
        if obj is None:
            new.append(PlaceName(name=name, source=source, municipality_id=pk, **values))
        elif _apply(obj, values, fields):
            obj.save()
            updated += 1
    PlaceName.objects.bulk_create(new, batch_size=500)
    return {"place_names": len(wanted), "created": len(new), "updated": updated, "removed": len(stale),
            "skipped": skipped}
