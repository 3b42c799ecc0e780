"""Serializers of the projects API: explicit fields; writes go through projects.services."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from municipalities.models import Municipality, Sector
from projects.codelists import sdg_tags_clean
from projects.models import (
    Participation,
    Partner,
    Programme,
    Project,
    ProjectLocation,
    ProjectSector,
    ProjectUpdate,
    RelatedActivity,
    Site,
    Transaction,
    UpdateSite,
)
from projects.permissions import (
    project_review_notes_visible,
    update_review_notes_visible,
    user_manages,
    user_partner_id,
)
from projects.selectors.government import projects_with_government_flag
from projects.selectors.projects import projects_visible_to
from projects.services import Decision

# The most items each nested list may carry, checked on the count before any item is (each item costs lookups):
# the page forms' maxima (projects.forms) where they have one, and room for the largest real projects otherwise.
MAX_ITEMS = {"sectors": 30, "locations": 200, "participations": 50, "sites": 500, "transactions": 1000,
             "related_activities": 200, "new_sites": 100}


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "name_ar", "name_en", "acronym", "org_type", "iati_ref", "country", "website"]


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


class ReviewNotesPrivateMixin:
    """Who submitted and reviewed a record, when, and the reviewer's comment are between the ministry and
    the partner they were written for: another partner's focal point reading an accepted record, or the new
    partner of a moved one, gets them blank. Who may read them is the record's rule in projects.permissions
    (``notes_visible``), the same the pages and the history use."""

    REVIEW_FIELDS = ("submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_comment")

    @staticmethod
    def notes_visible(user: Any, instance: Any) -> bool:
        raise NotImplementedError

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if not self.notes_visible(user, instance):
            for name in self.REVIEW_FIELDS:
                if name in data:
                    data[name] = "" if name == "review_comment" else None
        return data


class ProjectSerializer(ReviewNotesPrivateMixin, serializers.ModelSerializer):
    """A project with its sector split, municipalities and participating partners (written as whole lists:
    a list sent replaces the current one, a list left out stays as it is)."""

    sectors = SectorShareSerializer(source="sector_shares", many=True, required=False,
                                    max_length=MAX_ITEMS["sectors"])
    locations = LocationSerializer(many=True, required=False, max_length=MAX_ITEMS["locations"])
    participations = ParticipationSerializer(many=True, required=False, max_length=MAX_ITEMS["participations"])
    reporting_partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False,
        help_text=_("A focal point's projects are reported by their partner; leave it out."))
    sdg_tags = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=50,
        help_text=_("SDG goals, targets or indicators of the UNSDG codelists, e.g. [\"6\", \"6.1\", \"6.1.1\"]; "
                    "the alignment suggestions read them."))
    is_government = serializers.SerializerMethodField(
        help_text=_("A government project: every funder is a ministry or a municipal council (without funders: "
                    "a government body keeps the record)."))

    class Meta:
        model = Project
        fields = [
            "id", "reporting_partner", "is_government", "programme", "iati_identifier", "partner_code", "title_ar", "title_en",
            "description_ar", "description_en", "status", "planned_start", "planned_end", "actual_start",
            "actual_end", "budget", "currency", "spend_to_date", "beneficiaries_targeted", "beneficiaries_reached",
            "progress_percent", "sdg_tags", "sectors", "locations", "participations", "state", "submitted_at", "reviewed_at",
            "review_comment", "created_at", "updated_at",
        ]
        read_only_fields = ["state", "submitted_at", "reviewed_at", "review_comment", "created_at", "updated_at"]
        # Uniqueness and the model's own rules are checked by the service (full_clean), in one place.
        validators: list = []
        extra_kwargs = {"iati_identifier": {"validators": []}}

    notes_visible = staticmethod(project_review_notes_visible)

    @extend_schema_field(serializers.BooleanField())
    def get_is_government(self, project: Project) -> bool:
        if hasattr(project, "is_government"):  # annotated by the view's queryset
            return bool(project.is_government)
        return projects_with_government_flag(Project.objects.filter(pk=project.pk)).values_list(
            "is_government", flat=True).first() or False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        writing = getattr(request, "method", "GET") not in ("GET", "HEAD", "OPTIONS")
        if writing and not user_manages(user):
            # A focal point names only their partner's programmes (the service checks it again); the one
            # already attached stays valid so that sending the record back unchanged is not refused.
            allowed = Q(partner_id=user_partner_id(user))
            attached = getattr(self.instance, "programme_id", None)
            if attached is not None:
                allowed |= Q(pk=attached)
            self.fields["programme"].queryset = Programme.objects.filter(allowed)

    def validate_sdg_tags(self, value: list[str]) -> list[str]:
        kept, unknown = sdg_tags_clean(value)
        if unknown:
            raise serializers.ValidationError(_("Not an SDG goal, target or indicator: %(codes)s.")
                                              % {"codes": ", ".join(unknown)})
        return kept

    def split(self) -> dict[str, Any]:
        """validated_data as the service's keyword arguments."""
        data = dict(self.validated_data)
        return {
            "sectors": data.pop("sector_shares", None),
            "locations": data.pop("locations", None),
            "participations": data.pop("participations", None),
            "fields": data,
        }


@extend_schema_field({"type": "object", "description": "GeoJSON Point", "required": ["type", "coordinates"],
                      "properties": {"type": {"type": "string", "enum": ["Point"]},
                                     "coordinates": {"type": "array", "items": {"type": "number"},
                                                     "minItems": 2, "maxItems": 2}}})
class PointField(GeometryField):
    """A GeoJSON Point (longitude, latitude), documented as such."""


class SiteSerializer(serializers.Serializer):
    """A site: its point as ``lat`` and ``lon`` or as a GeoJSON ``point``; its municipality, when left out,
    is the one whose area holds the point."""

    id = serializers.IntegerField(read_only=True)
    name_ar = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    name_en = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False)
    point = PointField(required=False, help_text=_("A GeoJSON Point (longitude, latitude); or give lat and lon."))
    municipality = serializers.SlugRelatedField(slug_field="slug", queryset=Municipality.objects.all(),
                                                required=False, allow_null=True,
                                                help_text=_("The municipality's key (slug); found from the point "
                                                            "when left out."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.contrib.gis.geos import Point

        lat, lon, point = attrs.pop("lat", None), attrs.pop("lon", None), attrs.pop("point", None)
        if point is not None:
            if point.geom_type != "Point":
                raise serializers.ValidationError({"point": _("Give a GeoJSON Point.")})
            if (lat is not None or lon is not None):
                raise serializers.ValidationError({"point": _("Give either a point or lat and lon, not both.")})
            point.srid = point.srid or 4326
            if not (-180 <= point.x <= 180 and -90 <= point.y <= 90):
                raise serializers.ValidationError({"point": _("The point is not a longitude and latitude.")})
        elif lat is not None and lon is not None:
            point = Point(lon, lat, srid=4326)
        else:
            raise serializers.ValidationError({"point": _("Give the site's location: lat and lon, or a point.")})
        attrs["point"] = point
        return attrs

    def to_representation(self, site: Site) -> dict[str, Any]:
        return {
            "id": site.pk, "name_ar": site.name_ar, "name_en": site.name_en, "lat": site.point.y,
            "lon": site.point.x, "point": {"type": "Point", "coordinates": [site.point.x, site.point.y]},
            "municipality": site.municipality.slug if site.municipality_id else None,
        }


class TransactionSerializer(serializers.ModelSerializer):
    # Checked by the service (after upper-casing), so "usd" is read as USD.
    currency = serializers.CharField(max_length=10, required=False,
                                     help_text=_("ISO 4217 code; the project's currency when left out."))

    class Meta:
        model = Transaction
        fields = ["id", "type", "date", "value", "currency", "provider_org", "provider_activity_id", "receiver_org",
                  "receiver_activity_id"]
        read_only_fields = ["id"]
        extra_kwargs = {"provider_activity_id": {"required": False}, "receiver_activity_id": {"required": False}}


class RelatedActivityListSerializer(serializers.ListSerializer):
    """Names a related project only when the reader may see it: the link is made on the IATI identifier
    whoever owns the target, and its id must not tell a focal point that another partner's draft exists."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        rows = list(data.all() if hasattr(data, "all") else data)
        targets = {row.related_project_id for row in rows if row.related_project_id is not None}
        user = getattr(self.context.get("request"), "user", None)
        visible = set(projects_visible_to(user).filter(pk__in=targets).values_list("pk", flat=True)) \
            if targets else set()
        answer = super().to_representation(rows)
        for row, item in zip(rows, answer, strict=True):
            if row.related_project_id not in visible:
                item["related_project"] = None
        return answer


class RelatedActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = RelatedActivity
        fields = ["relation", "iati_identifier", "related_project"]
        read_only_fields = ["related_project"]
        validators: list = []
        list_serializer_class = RelatedActivityListSerializer


class ProjectDetailSerializer(ProjectSerializer):
    """A project with everything the list leaves out: its sites, transactions and related activities (each a
    whole list when written, like the sectors)."""

    sites = SiteSerializer(many=True, required=False, max_length=MAX_ITEMS["sites"])
    transactions = TransactionSerializer(many=True, required=False, max_length=MAX_ITEMS["transactions"])
    related_activities = RelatedActivitySerializer(many=True, required=False,
                                                   max_length=MAX_ITEMS["related_activities"])

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "sites", "transactions", "related_activities"]

    def split(self) -> dict[str, Any]:
        parts = super().split()
        fields = parts["fields"]
        for name in ("sites", "transactions", "related_activities"):
            parts[name] = fields.pop(name, None)
        return parts


class UpdateSiteSerializer(SiteSerializer):
    """A new site reported in an update (a name is required, the point must be in Libya); ``site`` is the
    project's site made from it once the ministry accepted the update."""

    site = serializers.IntegerField(read_only=True, allow_null=True,
                                    help_text=_("The project's site made from this one, once the update is "
                                                "accepted."))
    added_to_project = serializers.BooleanField(read_only=True)

    def to_representation(self, row: UpdateSite) -> dict[str, Any]:
        return {**super().to_representation(row), "site": row.site_id, "added_to_project": row.site_id is not None}


class ProjectUpdateSerializer(ReviewNotesPrivateMixin, serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    submitted_by = serializers.CharField(source="submitted_by.get_username", read_only=True, default=None,
                                         allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.get_username", read_only=True, default=None,
                                        allow_null=True)
    new_sites = UpdateSiteSerializer(many=True, required=False, max_length=MAX_ITEMS["new_sites"],
                                     help_text=_("New sites reported in this update (a whole list: sent, it "
                                                 "replaces the current one). They become the project's sites "
                                                 "when the ministry accepts the update."))

    notes_visible = staticmethod(update_review_notes_visible)

    class Meta:
        model = ProjectUpdate
        fields = [
            "id", "project", "period_start", "period_end", "progress_percent", "status", "spend_to_date",
            "beneficiaries_reached", "narrative", "problems", "new_sites", "state", "submitted_by", "submitted_at",
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
