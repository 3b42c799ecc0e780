"""Reads of geography: map layers and lookups."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from municipalities.models import District, Municipality

WEB_SIMPLIFY_TOLERANCE = 0.005  # degrees, about 500 m: plenty for a country map


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
        geom = m.area.simplify(tolerance, preserve_topology=True) if m.area else m.point
        if geom is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": m.slug,
                "geometry": _rounded_geometry(geom),
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


def _rounded_geometry(geom) -> dict[str, Any]:
    import json

    # Five decimals is about a metre: enough for a web map and it halves the payload.
    def rnd(value):
        if isinstance(value, (list, tuple)):
            return [rnd(v) for v in value]
        return round(value, 5)

    data = json.loads(geom.json)
    data["coordinates"] = rnd(data["coordinates"])
    return data


def district_for_point(point) -> District | None:
    """The district whose official polygon holds a point, if district polygons are loaded."""
    return District.objects.filter(area__contains=point).first()
