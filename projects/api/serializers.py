"""Serializers of the projects API: explicit fields; writes go through projects.services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from municipalities.models import Municipality, Sector
from projects.models import Participation, Partner, Project, ProjectLocation, ProjectSector, ProjectUpdate
from projects.selectors import projects_visible_to
from projects.services import Decision


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "name_ar", "name_en", "acronym", "org_type", "iati_ref", "country", "website"]


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


class SectorShareSerializer(serializers.ModelSerializer):
    sector = serializers.SlugRelatedField(slug_field="code", queryset=Sector.objects.all())

    class Meta:
        model = ProjectSector
        fields = ["sector", "percentage"]


class LocationSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", queryset=Municipality.objects.all(),
                                                help_text=_("The municipality's key (slug)."))
    pcode = serializers.CharField(source="municipality.pcode", read_only=True, allow_null=True)

    class Meta:
        model = ProjectLocation
        fields = ["municipality", "pcode", "share"]
        extra_kwargs = {"share": {"required": False}}


class ParticipationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participation
        fields = ["partner", "role", "activity_id"]
        extra_kwargs = {"activity_id": {"required": False}}


class ProjectSerializer(serializers.ModelSerializer):
    """A project with its sector split, municipalities and participating partners (written as whole lists:
    a list sent replaces the current one, a list left out stays as it is)."""

    sectors = SectorShareSerializer(source="sector_shares", many=True, required=False)
    locations = LocationSerializer(many=True, required=False)
    participations = ParticipationSerializer(many=True, required=False)
    reporting_partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False,
        help_text=_("A focal point's projects are reported by their partner; leave it out."))

    class Meta:
        model = Project
        fields = [
            "id", "reporting_partner", "programme", "iati_identifier", "partner_code", "title_ar", "title_en",
            "description_ar", "description_en", "status", "planned_start", "planned_end", "actual_start",
            "actual_end", "budget", "currency", "spend_to_date", "beneficiaries_targeted", "beneficiaries_reached",
            "progress_percent", "sectors", "locations", "participations", "state", "submitted_at", "reviewed_at",
            "review_comment", "created_at", "updated_at",
        ]
        read_only_fields = ["state", "submitted_at", "reviewed_at", "review_comment", "created_at", "updated_at"]
        # Uniqueness and the model's own rules are checked by the service (full_clean), in one place.
        validators: list = []
        extra_kwargs = {"iati_identifier": {"validators": []}}

    def split(self) -> dict[str, Any]:
        """validated_data as the service's keyword arguments."""
        data = dict(self.validated_data)
        return {
            "sectors": data.pop("sector_shares", None),
            "locations": data.pop("locations", None),
            "participations": data.pop("participations", None),
            "fields": data,
        }


class ProjectUpdateSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    submitted_by = serializers.CharField(source="submitted_by.get_username", read_only=True, default=None)
    reviewed_by = serializers.CharField(source="reviewed_by.get_username", read_only=True, default=None)

    class Meta:
        model = ProjectUpdate
        fields = [
            "id", "project", "period_start", "period_end", "progress_percent", "status", "spend_to_date",
            "beneficiaries_reached", "narrative", "problems", "state", "submitted_by", "submitted_at",
            "reviewed_by", "reviewed_at", "review_comment",
        ]
        read_only_fields = ["state", "submitted_at", "reviewed_at", "review_comment"]
        validators: list = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only projects the user can see can be named: another partner's draft does not even "exist".
        self.fields["project"].queryset = projects_visible_to(getattr(request, "user", None))
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["project"].read_only = True

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("period_start", getattr(self.instance, "period_start", None))
        end = attrs.get("period_end", getattr(self.instance, "period_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"period_end": _("The period cannot end before it starts.")})
        return attrs


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[(Decision.ACCEPT, _("Accept")), (Decision.RETURN, _("Return"))])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="",
                                    help_text=_("Required when returning: what to fix."))


class ReviewQueueItemSerializer(serializers.Serializer):
    """One item waiting for review: a submitted project or a submitted update."""

    kind = serializers.ChoiceField(choices=[("project", _("Project")), ("update", _("Project update"))])
    id = serializers.IntegerField()
    project = serializers.IntegerField()
    title_ar = serializers.CharField()
    title_en = serializers.CharField()
    reporting_partner = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.CharField(allow_null=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_url(self, item: dict[str, Any]) -> str:
        from django.urls import reverse

        name = "api:project-detail" if item["kind"] == "project" else "api:update-detail"
        path = reverse(name, args=[item["id"]])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TokenSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, write_only=True)
    password = serializers.CharField(required=False, write_only=True, style={"input_type": "password"},
                                     trim_whitespace=False)
    token = serializers.CharField(source="key", read_only=True)
    created = serializers.DateTimeField(read_only=True)
