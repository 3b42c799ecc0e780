"""Reads for the reports' maps: the chosen municipalities' areas or points, and the country around them
(district outlines, else every municipality's point), as plain data for ``coordination.reports.svg_map``.
Geography is public reference data: no permission scoping here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.bilingual import bilingual_text
from common.geojson import web_geometry
from municipalities.models import Municipality
from municipalities.selectors import district_outlines_geojson

REPORT_TOLERANCE = 0.01  # degrees (about 1 km): a page-wide map of the country needs no more


def report_map_places(pcodes: Sequence[str], *, language: str | None = None) -> list[dict[str, Any]]:
    """The municipalities of ``pcodes`` in that order (unknown codes left out): name, pcode, geometry
    (simplified GeoJSON of the area, or None), point [lon, lat], official (whether the area is an official
    boundary, not a derived one) (one query)."""
    wanted = [p for p in dict.fromkeys(pcodes) if p]
    found = {m.pcode: m for m in Municipality.objects.filter(pcode__in=wanted).only(
        "pcode", "name_ar", "name_en", "area", "area_is_official", "point")}
    return [{"pcode": code, "name": bilingual_text(m.name_ar, m.name_en, language),
             "geometry": web_geometry(m.area, tolerance=REPORT_TOLERANCE) if m.area is not None else None,
             "point": [m.point.x, m.point.y] if m.point is not None else None,
             "official": bool(m.area is not None and m.area_is_official)}
            for code in wanted if (m := found.get(code)) is not None]


def report_map_context() -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
    """(district outlines as GeoJSON geometries, municipality points) to frame a report's map (two queries)."""
    outlines = [f["geometry"] for f in district_outlines_geojson(tolerance=REPORT_TOLERANCE) if f["geometry"]]
    points = [(p.x, p.y) for p in Municipality.objects.filter(point__isnull=False).values_list("point", flat=True)]
    return outlines, points
