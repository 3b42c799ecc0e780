"""Reads of geography: map layers and lookups."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from common.geojson import WEB_SIMPLIFY_TOLERANCE, web_geometry
from municipalities.models import District, Municipality


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("district__region")


def municipality_geojson(*, tolerance: float = WEB_SIMPLIFY_TOLERANCE) -> dict[str, Any]:
    """All municipalities as a GeoJSON FeatureCollection: the area where known, else the point."""
    features = []
    rows = Municipality.objects.select_related("district").only(
        "pcode", "slug", "name_ar", "name_en", "point", "area", "area_is_official", "population",
        "district__pcode",
    )
    for m in rows:
        geometry = web_geometry(m.area if m.area is not None else m.point, tolerance=tolerance)
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": m.slug,
                "geometry": geometry,
                "properties": {
                    "pcode": m.pcode,
                    "slug": m.slug,
                    "name_ar": m.name_ar,
                    "name_en": m.name_en,
                    "district": m.district.pcode,
                    "population": m.population,
                    "area_is_official": m.area_is_official if m.area else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def district_for_point(point) -> District | None:
    """The district whose official polygon holds a point, if district polygons are loaded."""
    return District.objects.filter(area__contains=point).first()
