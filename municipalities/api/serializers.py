from __future__ import annotations

from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from municipalities.models import Municipality, Sector


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "code", "name_ar", "name_en", "order"]


class MunicipalitySerializer(GeoFeatureModelSerializer):
    district = serializers.CharField(source="district.pcode", read_only=True)
    region = serializers.CharField(source="district.region.pcode", read_only=True)

    class Meta:
        model = Municipality
        geo_field = "point"
        fields = ["id", "slug", "pcode", "name_ar", "name_en", "district", "region", "population", "population_year",
                  "displaced", "returnees"]


class PlaceMunicipalitySerializer(serializers.Serializer):
    slug = serializers.CharField()
    pcode = serializers.CharField(allow_null=True)
    name_ar = serializers.CharField()
    name_en = serializers.CharField()


class PlaceCandidateSerializer(serializers.Serializer):
    municipality = PlaceMunicipalitySerializer()
    confidence = serializers.FloatField()
    matched_name = serializers.CharField()


class PlaceResolutionSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["resolved", "ambiguous", "unresolved"])
    confidence = serializers.FloatField()
    step = serializers.CharField()
    municipality = PlaceMunicipalitySerializer(allow_null=True)
    candidates = PlaceCandidateSerializer(many=True)
