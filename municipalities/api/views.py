"""/api/v1/ for geography: read-only, for every signed-in user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.pagination import GeoJsonPagination

from config.api_pagination import ApiPageNumberPagination
from municipalities.api import serializers as s
from municipalities.gazetteer import ACCEPT, UNRESOLVED, gazetteer
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


class PlaceResolveView(APIView):
    """``GET /api/v1/places/resolve/?name=…`` (the parameter may repeat, up to 100 names): where the gazetteer
    places each name — its municipality when it is sure, else ``ambiguous`` or ``unresolved``, with the
    candidates and their confidence. Reference data, for every signed-in user."""

    @extend_schema(operation_id="v1_places_resolve", parameters=[OpenApiParameter("name", str, many=True, required=True)],
                   responses=s.PlaceResolutionSerializer(many=True))
    def get(self, request: Request) -> Response:
        names = [n for n in request.query_params.getlist("name") if n.strip()][:100]
        if not names:
            raise ValidationError({"name": [_("Give at least one place name.")]})
        index = gazetteer()
        resolutions = [index.resolve(n) for n in names]
        ids = {c.municipality_id for r in resolutions for c in r.candidates}
        by_pk = {m.pk: m for m in Municipality.objects.filter(pk__in=ids).only("id", "slug", "pcode", "name_ar",
                                                                              "name_en")}
        rows = []
        for r in resolutions:
            accepted = r.resolved and r.confidence >= ACCEPT
            rows.append({
                "name": r.name, "status": r.status if accepted or not r.resolved else UNRESOLVED,
                "confidence": r.confidence, "step": r.step,
                "municipality": by_pk.get(r.municipality_id) if accepted else None,
                "candidates": [{"municipality": by_pk[c.municipality_id], "confidence": c.confidence,
                                "matched_name": c.name} for c in r.candidates if c.municipality_id in by_pk],
            })
        return Response(s.PlaceResolutionSerializer(rows, many=True).data)
