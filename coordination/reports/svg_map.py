"""A map of chosen municipalities drawn as SVG on the server, for the reports (no tiles, no network).

Pure Python: it takes plain data (GeoJSON geometries, points, names) and returns SVG markup with presentation
attributes only (the DOCX picture is rasterised by CairoSVG, which reads no CSS classes). The country's
context (district outlines, else the other municipalities' points) is drawn faint, the chosen municipalities
strong, each with its number; the report's legend names the numbers. Names are not drawn on the map: neither
WeasyPrint's SVG text nor CairoSVG shapes Arabic (letters come out isolated and in reverse order), while the
legend, being text of the document, is shaped like the rest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 640, 420, 18
CONTEXT_STROKE, CONTEXT_FILL, DOT_FILL = "#9aa5b1", "#f3f5f7", "#c3cad2"
PLACE_FILL, PLACE_STROKE, MARK_FILL = "#f0b429", "#8d5b00", "#0b5394"
FONT = "Noto Naskh Arabic, Noto Sans Arabic, Noto Sans, DejaVu Sans, sans-serif"


@dataclass(frozen=True, slots=True)
class MapPlace:
    number: str  # shown on the map and in the legend ("1", "2" ...)
    name: str
    geometry: dict[str, Any] | None  # GeoJSON Polygon / MultiPolygon (or Point)
    point: tuple[float, float] | None  # (lon, lat): where the number goes


def _rings(geometry: dict[str, Any] | None) -> list[list[tuple[float, float]]]:
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for ring in coords]
    if kind == "MultiPolygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for polygon in coords for ring in polygon]
    return []


def _centre(ring_sets: list[list[tuple[float, float]]]) -> tuple[float, float] | None:
    points = [p for ring in ring_sets for p in ring]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


class _Projection:
    """Plate carrée scaled by the cosine of the middle latitude, fitted into the frame with its aspect kept."""

    def __init__(self, points: Iterable[tuple[float, float]], width: int, height: int, *, min_span: float = 1.0):
        xs, ys = zip(*points, strict=True)
        lon0, lon1, lat0, lat1 = min(xs), max(xs), min(ys), max(ys)
        grow_lon, grow_lat = max(0.0, min_span - (lon1 - lon0)) / 2, max(0.0, min_span - (lat1 - lat0)) / 2
        self.lon0, self.lon1 = lon0 - grow_lon, lon1 + grow_lon
        self.lat0, self.lat1 = lat0 - grow_lat, lat1 + grow_lat
        self.k_lon = math.cos(math.radians((self.lat0 + self.lat1) / 2))
        span_x, span_y = (self.lon1 - self.lon0) * self.k_lon, self.lat1 - self.lat0
        self.scale = min((width - 2 * PAD) / span_x, (height - 2 * PAD) / span_y)
        self.off_x = (width - span_x * self.scale) / 2
        self.off_y = (height - span_y * self.scale) / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.off_x + (lon - self.lon0) * self.k_lon * self.scale, self.off_y + (self.lat1 - lat) * self.scale)


def _path(rings: list[list[tuple[float, float]]], project: _Projection) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        xy = [project(*p) for p in ring]
        parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + " Z")
    return " ".join(parts)


def municipalities_map_svg(places: Sequence[MapPlace], *, outlines: Sequence[dict[str, Any]] = (),
                           context_points: Sequence[tuple[float, float]] = (), title: str = "", rtl: bool = False,
                           empty_text: str = "—", width: int = WIDTH,
                           height: int = HEIGHT) -> str:
    """The SVG: ``outlines`` (GeoJSON geometries, e.g. the districts) and ``context_points`` frame the map
    (the whole country when given), ``places`` are highlighted and numbered."""
    place_rings = [_rings(p.geometry) for p in places]
    outline_rings = [_rings(g) for g in outlines]
    frame = [pt for rings in outline_rings for ring in rings for pt in ring] or list(context_points)
    frame += [pt for rings in place_rings for ring in rings for pt in ring]
    frame += [p.point for p in places if p.point is not None]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" direction="{"rtl" if rtl else "ltr"}" font-family="{FONT}">'
            f'<title>{escape(title)}</title><rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" '
            f'stroke="{CONTEXT_STROKE}" stroke-width="0.8"/>')
    if not frame:
        return (head + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="14" '
                f'fill="#555555">{escape(empty_text)}</text></svg>')
    project = _Projection(frame, width, height)
    out = [head]
    for rings in outline_rings:
        d = _path(rings, project)
        if d:
            out.append(f'<path d="{d}" fill="{CONTEXT_FILL}" stroke="{CONTEXT_STROKE}" stroke-width="0.6"/>')
    for lon, lat in context_points:
        x, y = project(lon, lat)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" fill="{DOT_FILL}"/>')
    for rings in place_rings:
        d = _path(rings, project)
        if d:
            out.append(f'<path d="{d}" fill="{PLACE_FILL}" fill-opacity="0.75" stroke="{PLACE_STROKE}" '
                       f'stroke-width="1" fill-rule="evenodd"/>')
    for place, rings in zip(places, place_rings, strict=True):
        where = place.point or _centre(rings)
        if where is None:
            continue
        x, y = project(*where)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="{MARK_FILL}" stroke="#ffffff" stroke-width="1.2"/>'
                   f'<text x="{x:.1f}" y="{y + 3.6:.1f}" text-anchor="middle" font-size="10" font-weight="bold" '
                   f'fill="#ffffff" direction="ltr">{escape(place.number)}</text>')
    out.append("</svg>")
    return "".join(out)
