"""Geometries for web maps: simplified and rounded once, the same way for every layer.

A country map needs neither survey-grade vertices nor survey-grade digits: 0.005° (about 500 m) of
simplification and 4 decimals (about 11 m) keep every municipality recognisable and the whole country's
layer far under a megabyte.
"""

from __future__ import annotations

import json
from typing import Any

WEB_SIMPLIFY_TOLERANCE = 0.005  # degrees
WEB_DECIMALS = 4


def _rounded(value: Any, decimals: int) -> Any:
    if isinstance(value, (list, tuple)):
        return [_rounded(v, decimals) for v in value]
    return round(value, decimals)


def web_geometry(geom: Any, *, tolerance: float = WEB_SIMPLIFY_TOLERANCE,
                 decimals: int = WEB_DECIMALS) -> dict[str, Any] | None:
    """A GEOS geometry as a GeoJSON geometry for the web: areas simplified (topology kept), points as
    they are, coordinates rounded. None for no geometry."""
    if geom is None:
        return None
    if geom.geom_type == "Point":  # directly: through GDAL's JSON writer a point costs a millisecond
        return {"type": "Point", "coordinates": [round(geom.x, decimals), round(geom.y, decimals)]}
    if tolerance:
        geom = geom.simplify(tolerance, preserve_topology=True)
    data = json.loads(geom.json)
    data["coordinates"] = _rounded(data["coordinates"], decimals)
    return data
