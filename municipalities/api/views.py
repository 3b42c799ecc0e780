"""/api/v1/ for geography: read-only, for every signed-in user."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework_gis.pagination import GeoJsonPagination

from config.api_pagination import ApiPageNumberPagination
from municipalities.api import serializers as s
from municipalities.models import Municipality, Sector
from municipalities.selectors import municipality_list


class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.SectorSerializer
    queryset = Sector.objects.order_by("order", "code")


class MunicipalityPagination(ApiPageNumberPagination, GeoJsonPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    """Municipalities as GeoJSON features (their points), paginated."""

    serializer_class = s.MunicipalitySerializer
    pagination_class = MunicipalityPagination
    filterset_fields = {"district__pcode": ["exact"], "district__region__pcode": ["exact"]}

    def get_queryset(self) -> QuerySet[Municipality]:
        return municipality_list().order_by("pcode", "slug")
