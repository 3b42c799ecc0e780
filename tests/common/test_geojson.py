from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from common.geojson import WEB_DECIMALS, web_geometry


def _digits(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


def test_areas_are_simplified_and_every_coordinate_rounded():
    ring = [(13.0 + i * 0.0001, 32.0 + (i % 2) * 0.000123456) for i in range(200)] + [(13.02, 31.9), (13.0, 31.9)]
    ring.append(ring[0])
    area = MultiPolygon(Polygon(ring), srid=4326)
    data = web_geometry(area)
    assert data["type"] in {"Polygon", "MultiPolygon"}  # GEOS may return a single polygon
    polygons = data["coordinates"] if data["type"] == "MultiPolygon" else [data["coordinates"]]
    coordinates = [c for polygon in polygons for part in polygon for point in part for c in point]
    assert len(coordinates) < 2 * len(ring) / 4  # the zig-zag is gone
    assert max(_digits(c) for c in coordinates) <= WEB_DECIMALS


def test_points_keep_their_place_and_nothing_gives_none():
    data = web_geometry(Point(13.123456789, 32.987654321, srid=4326))
    assert data == {"type": "Point", "coordinates": [13.1235, 32.9877]}
    assert web_geometry(None) is None
