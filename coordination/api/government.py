"""/api/v1/allocations/: the municipalities' development allocations (مخصصات باب التنمية), read only.

The ministry reads every allocation, a municipality account its own municipality's, anyone else none
(``coordination.selectors.government.allocations_visible_to``). Written in the admin, the upload page or
``import_government``."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from coordination.api.reviews import AnalysisPagination
from coordination.selectors.government import allocations_visible_to
from municipalities.models import DevelopmentAllocation


class AllocationSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    municipality_pcode = serializers.CharField(source="municipality.pcode", read_only=True, allow_null=True)
    municipality_name_ar = serializers.CharField(source="municipality.name_ar", read_only=True)
    municipality_name_en = serializers.CharField(source="municipality.name_en", read_only=True)

    class Meta:
        model = DevelopmentAllocation
        fields = ["id", "municipality", "municipality_pcode", "municipality_name_ar", "municipality_name_en",
                  "year", "amount", "currency", "source", "note", "updated_at"]
        read_only_fields = fields


class AllocationFilter(django_filters.FilterSet):
    municipality = django_filters.CharFilter(field_name="municipality__slug", label=_("Municipality key"))
    year = django_filters.NumberFilter(min_value=1990, max_value=2100)

    class Meta:
        model = DevelopmentAllocation
        fields = ["municipality", "year"]


class AllocationViewSet(viewsets.ReadOnlyModelViewSet):
    """Development allocations by municipality and year, newest first. Filters: ``municipality`` (key),
    ``year``."""

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    pagination_class = AnalysisPagination

    def get_queryset(self) -> QuerySet[DevelopmentAllocation]:
        return allocations_visible_to(self.request.user).order_by("-year", "municipality__slug", "source", "pk")


router = SimpleRouter()
router.register("allocations", AllocationViewSet, basename="allocation")
urlpatterns = [path("", include(router.urls))]
