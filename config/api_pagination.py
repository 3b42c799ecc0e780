"""The API's pages: ``?page=`` (from 1) over lists of ``PAGE_SIZE`` rows.

A page number that is not a number, or past the last page, is the caller's mistake about a parameter, so it is
answered as one: 400 ``invalid`` with the message under ``fields.page``, not the 404 DRF gives (which a client
reads as "this list does not exist")."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination


class ApiPageNumberPagination(PageNumberPagination):
    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({self.page_query_param: [exc.detail]}) from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


def geojson_pages_as_served(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: a page of GeoJSON features (rest_framework_gis' GeoJsonPagination)
    as it is served: ``{"type": "FeatureCollection", "count", "next", "previous", "features": [Feature, ...]}``.
    Left alone, the document still requires ``results`` and nests a whole FeatureCollection under ``features``,
    which no response matches."""
    schemas = result.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        properties = schema.get("properties", {})
        ref = properties.get("features", {}).get("$ref", "")
        if not ref.startswith("#/components/schemas/") or "count" not in properties:
            continue
        collection = schemas.get(ref.rsplit("/", 1)[1], {})
        features = collection.get("properties", {}).get("features")
        if features is None:
            continue
        properties["features"] = features
        schema["required"] = ["type", "count", "features"]
    return result
