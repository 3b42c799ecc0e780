"""/api/v1/ routes for coverage gaps and delays.

* ``gaps/`` — municipality × sector figures for a date (computed on request; ``?level=municipality``
  for whole municipalities), filters ``municipality`` (id, key or p-code), ``sector`` (code or id),
  ``district`` (p-code), ``unreached``, ``date``, ``ordering``;
* ``gaps/summary/`` — roll-ups by region and district, and funding concentration;
* ``gaps/flags/`` — gap flags, with ``POST gaps/flags/<id>/review/``: the stored flags for ministry staff,
  the gaps found over the reader's own projects for anyone else (``gap_flags_stored_for``);
* ``delays/`` — delay flags, with ``POST delays/<id>/review/`` (``coordination.api.delays``);
* ``municipalities/coverage.geojson`` — each municipality's coverage and gap score, for a map.

``gaps/``, ``gaps/summary/`` and the coverage layer read the figures the gap runs stored
(``coordination.selectors.coverage``) and say when they were found in ``as_of``; ``as_of`` is null when the
answer was computed on request (another ``date``, no run yet today, or a reader's own roll-ups that the stored
ones cannot give), which is then current.

Every figure, flag and layer is computed from the projects the reader's derived data may draw on
(``projects.selectors.projects.projects_counted_for``): another partner's draft never shows through.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coordination.analysis.gaps import GapAnalysis, gap_reason_text
from coordination.api.delays import DelayFlagViewSet
from coordination.api.reviews import (
    AnalysisPagination,
    CanReviewFlags,
    CommitteeNotesMixin,
    ReviewActionMixin,
    parse_bool,
    parse_resolved,
)
from coordination.models import FlagStatus, GapFlag
from coordination.selectors.coverage import (
    StoredCoverage,
    StoredPage,
    stored_coverage_for,
    stored_coverage_page_for,
    stored_row_shaped,
    stored_summary_for,
    web_geometries,
)
from coordination.selectors.flags import gap_flags_stored_for
from coordination.selectors.gaps import GapInputs, gap_flag_list, gap_rows, municipality_lookup
from coordination.services.gaps import gap_analysis_on, gap_flag_review, gap_flags_found_for
from municipalities.models import Sector
from projects.selectors.projects import projects_counted_for


class GapQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    municipality = serializers.CharField(required=False, max_length=80)
    sector = serializers.CharField(required=False, max_length=40)
    district = serializers.CharField(required=False, max_length=6)
    unreached = serializers.CharField(required=False)
    level = serializers.ChoiceField(choices=[("sector", _("Municipality × sector")),
                                             ("municipality", _("Whole municipality"))], required=False,
                                    default="sector")
    ordering = serializers.ChoiceField(choices=["-gap_score", "gap_score", "municipality", "-budget_usd",
                                                "budget_usd"], required=False, default="-gap_score")

    def validate_unreached(self, value: str) -> bool | None:
        return parse_bool(value, name="unreached")


def _sector_id(value: str | None, inputs: GapInputs) -> int | None:
    if not value:
        return None
    for s_id, (code, _ar, _en) in inputs.sector_info.items():
        if code == value or str(s_id) == value:
            return s_id
    raise serializers.ValidationError({"sector": _("No sector has this code.")})


def _analyse(params: dict[str, Any], user: Any) -> tuple[GapInputs, GapAnalysis]:
    municipality_ids = None
    if params.get("municipality"):
        found = municipality_lookup(params["municipality"])
        if found is None:
            raise serializers.ValidationError({"municipality": _("No municipality has this id, key or p-code.")})
        municipality_ids = [found]
    return gap_analysis_on(on=params.get("date") or timezone.localdate(), municipality_ids=municipality_ids,
                           projects=projects_counted_for(user))


# What a stored row carries beyond ``gap_rows``' fields (the map's money, the web geometry).
STORED_ONLY = ("need_assessed_on", "usd_attributed", "usd_unconverted", "web_geometry", "area_is_official")


def _stored_sector_id(value: str | None) -> int | None:
    if not value:
        return None
    found = Sector.objects.filter(Q(code=value) | (Q(pk=int(value)) if value.isdigit() else Q(pk__in=[]))).values_list(
        "pk", flat=True).first()
    if found is None:
        raise serializers.ValidationError({"sector": _("No sector has this code.")})
    return found


def _stored_lookups(params: dict[str, Any]) -> dict[str, Any]:
    """The query with its municipality and sector looked up once (ids), for the stored reads."""
    municipality_ids = None
    if params.get("municipality"):
        found = municipality_lookup(params["municipality"])
        if found is None:
            raise serializers.ValidationError({"municipality": _("No municipality has this id, key or p-code.")})
        municipality_ids = [found]
    return {**params, "municipality_ids": municipality_ids, "sector_id": _stored_sector_id(params.get("sector"))}


def _stored(params: dict[str, Any], user: Any, *, geometry: bool = False,
            pending: list[int] | None = None) -> StoredCoverage | None:
    """The reader's stored figures for the query (``coordination.selectors.coverage``), None when they do not hold."""
    if params.get("date") not in (None, timezone.localdate()):
        return None
    if "sector_id" not in params:
        params = _stored_lookups(params)
    return stored_coverage_for(user, level=params.get("level", "sector"), sector_id=params["sector_id"],
                               municipality_ids=params["municipality_ids"], district=params.get("district"),
                               unreached=params.get("unreached"), geometry=geometry, pending=pending)


def _stored_page(params: dict[str, Any], user: Any) -> StoredPage | None:
    """The reader's stored figures for the query as rows still to be read in order, None when they do not
    hold (``coordination.selectors.coverage.stored_coverage_page_for``)."""
    if params.get("date") not in (None, timezone.localdate()):
        return None
    return stored_coverage_page_for(user, level=params.get("level", "sector"), sector_id=params["sector_id"],
                                    municipality_ids=params["municipality_ids"], district=params.get("district"),
                                    unreached=params.get("unreached"), ordering=params["ordering"])


def _stored_summary(params: dict[str, Any], body: dict[str, Any], as_of: Any) -> dict[str, Any]:
    """The stored roll-ups narrowed to the query's sector, shaped as the computed summary."""
    sector_id = _stored_sector_id(params.get("sector"))
    return {
        "date": timezone.localdate(), "sector": params.get("sector"), "counts": body["counts"],
        "settings": body["settings"],
        **{level: [a for a in body[level] if a["sector_id"] == sector_id] for level in ("country", "regions",
                                                                                       "districts")},
        "concentration": next(c for c in body["concentration"] if c["sector_id"] == sector_id),
        "sectors_without_active_project": body["sectors_without_active_project"],
        "unconverted_budgets": body["unconverted_budgets"], "as_of": as_of,
    }


class GapFigureSerializer(serializers.Serializer):
    municipality_id = serializers.IntegerField()
    municipality_slug = serializers.CharField()
    municipality_pcode = serializers.CharField(allow_null=True)
    municipality_name_ar = serializers.CharField()
    municipality_name_en = serializers.CharField()
    district_pcode = serializers.CharField()
    sector_id = serializers.IntegerField(allow_null=True)
    sector_code = serializers.CharField(allow_null=True)
    sector_name_ar = serializers.CharField()
    sector_name_en = serializers.CharField()
    active_projects = serializers.IntegerField()
    partners = serializers.IntegerField()
    budget_usd = serializers.FloatField()
    projects_without_budget = serializers.IntegerField()
    population = serializers.IntegerField(allow_null=True)
    budget_per_capita = serializers.FloatField(allow_null=True)
    budget_per_person_in_need = serializers.FloatField(allow_null=True)
    severity = serializers.IntegerField(allow_null=True)
    people_in_need = serializers.IntegerField(allow_null=True)
    displaced = serializers.IntegerField(allow_null=True)
    returnees = serializers.IntegerField(allow_null=True)
    need_assessed_on = serializers.DateField(allow_null=True)
    gap_score = serializers.FloatField()
    unreached = serializers.BooleanField()


class GapListView(generics.GenericAPIView):
    """Coverage figures for a date, one row per municipality × sector (or per municipality)."""

    serializer_class = GapFigureSerializer
    pagination_class = AnalysisPagination
    # The rows are computed on request, not read from a queryset: no filter backend, and nothing for
    # the browsable API's filter form to ask for (it calls ``get_queryset`` and answered 500).
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[GapFlag]:
        return GapFlag.objects.none()

    @extend_schema(parameters=[GapQuerySerializer], responses=GapFigureSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = GapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        looked_up = _stored_lookups(params) if params.get("date") in (None, timezone.localdate()) else None
        stored_page = _stored_page(looked_up, request.user) if looked_up is not None else None
        if stored_page is not None and stored_page.rows is not None:
            # the common case: the page is read from the stored rows in the database
            page = [stored_row_shaped(row) for row in self.paginate_queryset(stored_page.rows)]
            response = self.get_paginated_response(self.get_serializer(page, many=True).data)
            response.data["as_of"] = stored_page.as_of
            return response
        stored = None if stored_page is None else _stored(looked_up, request.user, pending=stored_page.pending)
        if stored is not None:
            rows, as_of = stored.rows, stored.as_of
        else:
            inputs, analysis = _analyse(params, request.user)
            sector_id = _sector_id(params.get("sector"), inputs)
            figures = analysis.municipalities if params["level"] == "municipality" else analysis.cells
            if sector_id is not None:
                figures = [c for c in analysis.cells if c.sector_id == sector_id]
            if params.get("unreached") is not None:
                figures = [f for f in figures if f.unreached == params["unreached"]]
            rows = gap_rows(inputs, figures)
            if params.get("district"):
                rows = [r for r in rows if r["district_pcode"] == params["district"].upper()]
            as_of = None  # computed on request: current
        key, reverse = params["ordering"].lstrip("-"), params["ordering"].startswith("-")
        if key == "municipality":
            rows.sort(key=lambda r: (r["municipality_slug"], r["sector_code"] or ""))
        else:
            rows.sort(key=lambda r: (-r[key] if reverse else r[key], r["municipality_slug"], r["sector_code"] or ""))
        page = self.paginate_queryset(rows)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data["as_of"] = as_of
        return response


class GapSummaryView(generics.GenericAPIView):
    """Roll-ups by region and district (for the whole, or a ``sector``), concentration, and counts."""

    @extend_schema(parameters=[GapQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = GapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        stored = stored_summary_for(request.user, on=query.validated_data.get("date"))
        if stored is not None:
            return Response(_stored_summary(query.validated_data, *stored))
        inputs, analysis = _analyse({k: v for k, v in query.validated_data.items() if k != "municipality"},
                                    request.user)
        sector_id = _sector_id(query.validated_data.get("sector"), inputs)
        concentration = next(c for c in analysis.concentration if c.sector_id == sector_id)
        return Response({
            "date": analysis.on, "sector": query.validated_data.get("sector"), "counts": analysis.counts,
            "settings": asdict(analysis.settings),
            "country": [asdict(a) for a in analysis.country if a.sector_id == sector_id],
            "regions": [asdict(a) for a in analysis.regions if a.sector_id == sector_id],
            "districts": [asdict(a) for a in analysis.districts if a.sector_id == sector_id],
            "concentration": asdict(concentration),
            "sectors_without_active_project": [inputs.sector_info[s][0] for s in analysis.sectors_without_active_project],
            "unconverted_budgets": inputs.unconverted, "as_of": None,
        })


class GapFlagSerializer(CommitteeNotesMixin, serializers.ModelSerializer):
    # Null in a row found for a reader who is not served the stored flags (``GapFindingSerializer``).
    id = serializers.IntegerField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=FlagStatus.choices, read_only=True, allow_null=True)
    decision_note = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    municipality_slug = serializers.CharField(source="municipality.slug", read_only=True)
    municipality_pcode = serializers.CharField(source="municipality.pcode", read_only=True)
    municipality_name_ar = serializers.CharField(source="municipality.name_ar", read_only=True)
    municipality_name_en = serializers.CharField(source="municipality.name_en", read_only=True)
    district_pcode = serializers.CharField(source="municipality.district.pcode", read_only=True)
    sector_code = serializers.CharField(source="sector.code", read_only=True, default=None)
    status_label = serializers.CharField(source="get_status_display", read_only=True, allow_null=True)
    reason_texts = serializers.SerializerMethodField()
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, default=None,
                                       allow_null=True)

    class Meta:
        model = GapFlag
        fields = [
            "id", "municipality", "municipality_slug", "municipality_pcode", "municipality_name_ar",
            "municipality_name_en", "district_pcode", "sector", "sector_code", "severity", "people_in_need",
            "score", "reasons", "reason_texts", "status", "status_label", "decided_by", "decided_at",
            "decision_note", "resolved_at", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_reason_texts(self, flag: GapFlag) -> list[str]:
        return [gap_reason_text(r) for r in flag.reasons or []]


class GapFindingSerializer(serializers.Serializer):
    """A gap found for a reader who is not served the stored flags (``gap_finding_rows``): the fields of
    ``GapFlagSerializer``, its review life (id, status, decision, dates) null, as no stored flag stands behind it."""

    id = serializers.IntegerField(allow_null=True)
    municipality = serializers.IntegerField()
    municipality_slug = serializers.CharField()
    municipality_pcode = serializers.CharField(allow_null=True)
    municipality_name_ar = serializers.CharField()
    municipality_name_en = serializers.CharField()
    district_pcode = serializers.CharField()
    sector = serializers.IntegerField(allow_null=True)
    sector_code = serializers.CharField(allow_null=True)
    severity = serializers.IntegerField(allow_null=True)
    people_in_need = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField()
    reasons = serializers.JSONField()
    reason_texts = serializers.SerializerMethodField()
    status = serializers.CharField(allow_null=True)
    status_label = serializers.CharField(allow_null=True)
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)

    def get_reason_texts(self, row: dict[str, Any]) -> list[str]:
        return [gap_reason_text(r) for r in row["reasons"]]


class GapFlagFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FlagStatus.choices, required=False)
    municipality = serializers.CharField(required=False, max_length=80)
    sector = serializers.CharField(required=False, max_length=40, help_text=_("A sector code; 'none' for "
                                                                              "whole-municipality flags"))
    district = serializers.CharField(required=False, max_length=6)


class GapFlagViewSet(ReviewActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Gap flags (unreached municipalities and sectors), highest score first. Filters: ``status``,
    ``municipality``, ``sector``, ``district``, ``resolved`` (false by default, true, all).

    Ministry staff read the stored flags, the ministry's review queue computed over every project. Anyone
    else reads the gaps found today over the projects they may see, the ones their coverage figures call
    unreached: ``id``, ``status`` and the rest of a flag's review life are null there, and no stored flag
    is served to them by its id."""

    serializer_class = GapFlagSerializer
    permission_classes = [CanReviewFlags]
    pagination_class = AnalysisPagination
    review_service = staticmethod(gap_flag_review)

    def _filters(self) -> dict[str, Any]:
        params = GapFlagFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        filters["resolved"] = parse_resolved(self.request.query_params.get("resolved"))
        return filters

    def get_queryset(self) -> QuerySet[GapFlag]:
        if not gap_flags_stored_for(self.request.user):
            return GapFlag.objects.none()
        if self.action != "list":
            return gap_flag_list(filters={"resolved": None})
        return gap_flag_list(filters=self._filters())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if gap_flags_stored_for(request.user):
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(gap_flags_found_for(user=request.user, filters=self._filters()))
        rows = GapFindingSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(rows)


class CoverageGeoJSONView(generics.GenericAPIView):
    """A GeoJSON FeatureCollection: each municipality's area (simplified; its point when no area is
    known) with its coverage figures and gap score, for the whole or for one ``sector``, on ``date``."""

    @extend_schema(parameters=[GapQuerySerializer], responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    def get(self, request: Request) -> HttpResponse:
        query = GapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = {k: v for k, v in query.validated_data.items() if k != "municipality"}
        stored = _stored({**params, "level": "municipality"}, request.user, geometry=True)
        features = []
        if stored is not None:
            on, as_of = stored.on, stored.as_of
            for row in stored.rows:
                props = {k: v for k, v in row.items() if k not in STORED_ONLY}
                props["need_assessed_on"] = row["need_assessed_on"].isoformat() if row["need_assessed_on"] else None
                props["area_is_official"] = row["area_is_official"]
                features.append({"type": "Feature", "id": row["municipality_slug"], "geometry": row["web_geometry"],
                                 "properties": props})
        else:
            inputs, analysis = _analyse(params, request.user)
            on, as_of = analysis.on, None
            sector_id = _sector_id(params.get("sector"), inputs)
            figures = analysis.municipalities if sector_id is None else [
                c for c in analysis.cells if c.sector_id == sector_id]
            shapes = web_geometries()  # simplified once by the runs, not per request
            for row in gap_rows(inputs, figures):
                geometry, official = shapes.get(row["municipality_id"], (None, None))
                props = {k: v for k, v in row.items() if k not in ("need_assessed_on",)}
                props["need_assessed_on"] = row["need_assessed_on"].isoformat() if row["need_assessed_on"] else None
                props["area_is_official"] = official
                features.append({"type": "Feature", "id": row["municipality_slug"], "geometry": geometry,
                                 "properties": props})
        body = {"type": "FeatureCollection", "date": on.isoformat(), "as_of": as_of.isoformat() if as_of else None,
                "sector": params.get("sector"), "features": features}
        return HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                            content_type="application/geo+json; charset=utf-8")


router = SimpleRouter()
router.register("gaps/flags", GapFlagViewSet, basename="gap-flag")
router.register("delays", DelayFlagViewSet, basename="delay-flag")

urlpatterns = [
    path("gaps/", GapListView.as_view(), name="gaps"),
    path("gaps/summary/", GapSummaryView.as_view(), name="gaps-summary"),
    path("municipalities/coverage.geojson", CoverageGeoJSONView.as_view(), name="municipality-coverage"),
    path("", include(router.urls)),
]
