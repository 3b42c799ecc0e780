"""Reads of geography: map layers and lookups."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import NumPoints
from django.db.models import Count, Max, Q, QuerySet, Sum

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
                    # where a mark for the whole municipality goes (the unreached layer)
                    "center": web_geometry(m.point)["coordinates"] if m.point is not None else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def municipality_shapes_version() -> str:
    """A short tag that changes when the map's shapes change: municipalities added or removed, areas loaded,
    derived or redrawn (their vertex count or extent), points moved (their extent), official or not; and the
    same for district outlines. One aggregate query per table, no geometry sent back; the map's shape layer is
    cached under it (a redrawing that keeps every count and extent is caught by the cache's expiry)."""
    municipalities = Municipality.objects.aggregate(
        n=Count("id"), last=Max("id"), areas=Count("area"), points=Count("point"),
        official=Count("id", filter=Q(area_is_official=True, area__isnull=False)),
        vertices=Sum(NumPoints("area")), area_extent=Extent("area"), point_extent=Extent("point"),
    )
    districts = District.objects.aggregate(
        n=Count("id"), areas=Count("area"), vertices=Sum(NumPoints("area")), extent=Extent("area"),
    )
    text = repr((sorted(municipalities.items()), sorted(districts.items())))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def district_outlines_geojson(*, tolerance: float = WEB_SIMPLIFY_TOLERANCE) -> list[dict[str, Any]]:
    """The districts whose area is loaded, as GeoJSON features (outlines drawn under the municipalities)."""
    features = []
    for pcode, name_ar, name_en, area in District.objects.filter(area__isnull=False).values_list(
            "pcode", "name_ar", "name_en", "area"):
        features.append({"type": "Feature", "id": pcode, "geometry": web_geometry(area, tolerance=tolerance),
                         "properties": {"pcode": pcode, "name_ar": name_ar, "name_en": name_en}})
    return features


def district_for_point(point) -> District | None:
    """The district whose official polygon holds a point, if district polygons are loaded."""
    return District.objects.filter(area__contains=point).first()


def unresolved_place_rows(*, open_only: bool = True) -> list[dict[str, Any]]:
    """The report of names imports could not place, each with its suggestions' municipalities (two queries)."""
    from municipalities.models import UnresolvedPlace

    places = UnresolvedPlace.objects.select_related("resolved_to")
    if open_only:
        places = places.exclude(status=UnresolvedPlace.Status.RESOLVED)
    places = list(places[:2000])
    ids = {s.get("municipality_id") for p in places for s in p.suggestions}
    by_pk = {m.pk: m for m in Municipality.objects.filter(pk__in=ids)} if ids else {}
    return [{"place": p, "suggestions": [(by_pk[s["municipality_id"]], s.get("confidence"))
                                         for s in p.suggestions if s.get("municipality_id") in by_pk]}
            for p in places]
