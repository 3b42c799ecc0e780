"""Writes to geography: official boundary import and derived (approximate) areas."""

from __future__ import annotations

import json
from ctypes import c_double, c_int
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.geos import GEOSGeometry, MultiPoint, MultiPolygon, Point, Polygon
from django.contrib.gis.geos.libgeos import GEOM_PTR
from django.contrib.gis.geos.prototypes.geom import GeomOutput
from django.core.exceptions import PermissionDenied
from django.db import transaction

from municipalities.models import DEFAULT_ALLOCATION_SOURCE, DevelopmentAllocation, District, Municipality

OUTLINE_PATH = Path(__file__).resolve().parent / "boundaries" / "libya_outline.geojson"
APPROXIMATE_SOURCE = "Tansiq: Voronoi cells of municipality points, clipped to the district (or country) outline"

# Property names that commonly carry the p-code in OCHA / geoBoundaries files, tried in order.
CODE_FIELDS = {
    "district": ["adm2_pcode", "ADM2_PCODE", "pcode", "PCODE", "admin2Pcode"],
    "municipality": ["adm3_pcode", "ADM3_PCODE", "pcode", "PCODE", "admin3Pcode"],
}


class BoundaryImportError(Exception):
    """The file cannot be imported; nothing was written."""


@dataclass
class BoundaryImportReport:
    level: str
    features: int = 0
    matched: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    unmatched_codes: list[str] = field(default_factory=list)
    missing_in_file: list[str] = field(default_factory=list)
    approximate_derived: int = 0


def _as_multipolygon(geom: GEOSGeometry) -> MultiPolygon | None:
    """Polygons only (a repaired geometry can come back as a collection with lines or points)."""
    if geom.geom_type == "Polygon":
        return MultiPolygon(geom, srid=geom.srid)
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "GeometryCollection":
        polys: list[Polygon] = []
        for part in geom:
            mp = _as_multipolygon(part)
            if mp is not None:
                polys.extend(mp)
        return MultiPolygon(*polys, srid=geom.srid) if polys else None
    return None


def _clean_geometry(geom: GEOSGeometry) -> tuple[MultiPolygon | None, bool]:
    repaired = False
    if geom.srid and geom.srid != 4326:
        geom.transform(4326)
    geom.srid = 4326
    if not geom.valid:
        geom = geom.make_valid()
        repaired = True
    return _as_multipolygon(geom), repaired


def boundaries_import(*, path: str | Path, level: str, code_field: str | None = None, dry_run: bool = False) -> BoundaryImportReport:
    """Load official polygons for districts or municipalities from any GDAL vector file.

    Geometries are reprojected to WGS 84, repaired when invalid, and stored as
    official. The whole file is one transaction: an error leaves the database as it was.
    """
    if level not in CODE_FIELDS:
        raise BoundaryImportError(f"Unknown level {level!r}; use district or municipality.")
    try:
        source = DataSource(str(path))
    except GDALException as exc:
        raise BoundaryImportError(f"GDAL cannot read {path}: {exc}") from None
    if source.layer_count < 1:
        raise BoundaryImportError(f"{path} has no layer.")
    layer = source[0]
    fields = list(layer.fields)
    if code_field is None:
        code_field = next((name for name in CODE_FIELDS[level] if name in fields), None)
        if code_field is None:
            raise BoundaryImportError(
                f"No p-code field found among {fields}; name it with --code-field."
            )
    elif code_field not in fields:
        raise BoundaryImportError(f"Field {code_field!r} is not in the file; its fields are {fields}.")

    model = District if level == "district" else Municipality
    by_code = {obj.pcode: obj for obj in model.objects.exclude(pcode__isnull=True)}
    report = BoundaryImportReport(level=level)
    to_save = []
    for feature in layer:
        report.features += 1
        code = str(feature.get(code_field) or "").strip()
        obj = by_code.get(code)
        if obj is None:
            report.unmatched_codes.append(code or f"<feature {feature.fid} without code>")
            continue
        try:
            geom, repaired = _clean_geometry(feature.geom.geos)
        except (GDALException, ValueError) as exc:
            raise BoundaryImportError(f"The geometry of {code} cannot be read: {exc}") from None
        if geom is None or geom.empty:
            raise BoundaryImportError(f"The geometry of {code} holds no polygon.")
        if repaired:
            report.repaired.append(code)
        obj.area = geom
        obj.area_is_official = True
        obj.area_source = Path(path).name
        to_save.append(obj)
        report.matched.append(code)
    seen = set(report.matched)
    report.missing_in_file = sorted(code for code in by_code if code not in seen)
    if dry_run:
        return report
    with transaction.atomic():
        model.objects.bulk_update(to_save, ["area", "area_is_official", "area_source"], batch_size=200)
        if level == "district":
            report.approximate_derived = municipality_derive_approximate_areas()
    return report


def _country_outline() -> GEOSGeometry:
    data = json.loads(OUTLINE_PATH.read_text(encoding="utf-8"))
    return GEOSGeometry(json.dumps(data["features"][0]["geometry"]), srid=4326)


# GEOS computes Voronoi diagrams but Django does not wrap the call; a one-line ctypes
# prototype keeps the whole computation on Django's own GEOS (no second GEOS library).
_geos_voronoi = GeomOutput("GEOSVoronoiDiagram", argtypes=[GEOM_PTR, GEOM_PTR, c_double, c_int])


def _voronoi_cells(points: dict[int, Point], clip: GEOSGeometry) -> dict[int, GEOSGeometry]:
    """Voronoi cell of each point, clipped; one point alone gets the whole clip area."""
    if not points:
        return {}
    if len(points) == 1:
        (key,) = points
        return {key: clip}
    sites = MultiPoint(*points.values(), srid=4326)
    envelope = clip.envelope.buffer(1.0)
    diagram = GEOSGeometry(_geos_voronoi(sites.ptr, envelope.ptr, 0.0, 0), srid=4326)
    result: dict[int, GEOSGeometry] = {}
    pending = dict(points)
    for cell in diagram:
        # Cells do not come back in input order: match each to the site it holds.
        for key, site in pending.items():
            if cell.covers(site):
                result[key] = cell.intersection(clip)
                del pending[key]
                break
    return result


@transaction.atomic
def municipality_derive_approximate_areas() -> int:
    """Give every municipality without an official boundary an approximate area.

    Cells of a Voronoi diagram of municipality points, each clipped to its own
    district's official polygon where loaded, else to the country outline. The rows
    are marked ``area_is_official=False`` so maps and reports can say "approximate".
    """
    outline = _country_outline()
    rows = list(
        Municipality.objects.filter(point__isnull=False).select_related("district").only(
            "id", "point", "area_is_official", "district__id", "district__area"
        )
    )
    district_shapes = {}
    for row in rows:
        d = row.district
        if d.id not in district_shapes:
            district_shapes[d.id] = (d.area if d.area.valid else d.area.make_valid()) if d.area else None

    cells: dict[int, object] = {}
    by_district: dict[int, dict[int, Point]] = {}
    without_district_area: dict[int, Point] = {}
    for row in rows:
        xy = row.point
        if district_shapes[row.district.id] is not None:
            by_district.setdefault(row.district.id, {})[row.id] = xy
        else:
            without_district_area[row.id] = xy
    for district_id, points in by_district.items():
        cells.update(_voronoi_cells(points, district_shapes[district_id]))
    if without_district_area:
        all_points = {row.id: row.point for row in rows}
        national = _voronoi_cells(all_points, outline)
        cells.update({key: national[key] for key in without_district_area if key in national})

    changed = []
    for row in rows:
        if row.area_is_official or row.id not in cells:
            continue
        cell = cells[row.id]
        if cell.empty:
            continue
        geom = _as_multipolygon(cell)
        if geom is None:
            continue
        row.area = geom
        row.area_is_official = False
        row.area_source = APPROXIMATE_SOURCE
        changed.append(row)
    Municipality.objects.bulk_update(changed, ["area", "area_is_official", "area_source"], batch_size=200)
    return len(changed)


# --- development allocations (مخصصات باب التنمية) ------------------------------------------------------

ALLOCATION_VALUES = ("amount", "currency", "note")


def _allocation_permission(user: Any, action: str) -> None:
    """``user`` None: a command or a job run by the operator."""
    if user is not None and not (user.is_active and user.has_perm(f"municipalities.{action}_developmentallocation")):
        raise PermissionDenied


@transaction.atomic
def allocation_save(*, municipality: Municipality, year: int, amount: Decimal, currency: str = "LYD",
                    source: str = "", note: str = "", user: Any = None) -> tuple[DevelopmentAllocation, str]:
    """Create or update the allocation of ``municipality`` for ``year`` from ``source`` (its key), checked by
    the model's rules; returns it and what happened: ``created``, ``updated`` or ``unchanged`` (then nothing
    is written, so saving the same figures twice changes nothing)."""
    source = (source or "").strip() or DEFAULT_ALLOCATION_SOURCE
    held = (DevelopmentAllocation.objects.select_for_update()
            .filter(municipality=municipality, year=year, source=source).first())
    _allocation_permission(user, "add" if held is None else "change")
    allocation = held or DevelopmentAllocation(municipality=municipality, year=year, source=source)
    values = {"amount": Decimal(str(amount)).quantize(Decimal("0.01")), "currency": (currency or "LYD").upper(),
              "note": note or ""}
    if held is not None and all(getattr(held, name) == values[name] for name in ALLOCATION_VALUES):
        return held, "unchanged"
    for name, value in values.items():
        setattr(allocation, name, value)
    allocation.updated_by = user if user is not None and user.is_authenticated else None
    allocation.full_clean(validate_unique=False)
    allocation._history_user = allocation.updated_by  # simple_history: who made this version
    allocation.save()
    return allocation, "created" if held is None else "updated"


@transaction.atomic
def allocation_delete(*, allocation: DevelopmentAllocation, user: Any = None) -> None:
    _allocation_permission(user, "delete")
    allocation._history_user = user if user is not None and user.is_authenticated else None
    allocation.delete()
