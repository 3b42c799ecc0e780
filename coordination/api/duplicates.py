"""/api/v1/duplicates/: list, filter and review the flagged pairs of projects.

Filters: ``status``, ``kind``, ``min_score``, ``project`` (id, either side), ``municipality`` (id),
``resolved`` (false by default; true or all). ``POST duplicates/<id>/review/`` with
``{"status": "confirmed" | "related" | "dismissed" | "open", "note": "...", "counted_project": id}``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.urls import include, path
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coordination.api.reviews import CanReviewFlags, CommitteeNotesMixin, parse_resolved
from coordination.models import DuplicateFlag, FlagStatus
from coordination.reasons import reason_text
from coordination.selectors.duplicates import duplicate_flag_list, duplicate_flags_visible_to
from coordination.services.duplicates import duplicate_flag_review
from projects.models import Project


class ProjectBriefSerializer(serializers.ModelSerializer):
    reporting_partner = serializers.CharField(source="reporting_partner.__str__", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "iati_identifier", "title_ar", "title_en", "reporting_partner", "status", "planned_start",
                  "planned_end", "budget", "currency"]


class DuplicateFlagSerializer(CommitteeNotesMixin, serializers.ModelSerializer):
    project_a = ProjectBriefSerializer(read_only=True)
    project_b = ProjectBriefSerializer(read_only=True)
    reason_texts = serializers.SerializerMethodField()
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, default=None)

    class Meta:
        model = DuplicateFlag
        fields = ["id", "project_a", "project_b", "score", "kind", "status", "reasons", "reason_texts",
                  "counted_project", "decided_by", "decided_at", "decision_note", "resolved_at", "created_at",
                  "updated_at"]

    def get_reason_texts(self, flag: DuplicateFlag) -> list[str]:
        return [reason_text(r) for r in flag.reasons]


class DuplicateFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FlagStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=DuplicateFlag.Kind.choices, required=False)
    min_score = serializers.FloatField(required=False, min_value=0, max_value=1)
    project = serializers.IntegerField(required=False, min_value=1)
    municipality = serializers.IntegerField(required=False, min_value=1)
    resolved = serializers.CharField(required=False)


class DuplicateReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FlagStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    counted_project = serializers.IntegerField(required=False, allow_null=True, default=None)


class DuplicateFlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DuplicateFlagSerializer
    permission_classes = [CanReviewFlags]

    def get_queryset(self) -> QuerySet[DuplicateFlag]:
        qs = duplicate_flags_visible_to(self.request.user, duplicate_flag_list()).order_by("-score", "pk")
        if self.action != "list":
            return qs
        params = DuplicateFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        resolved = parse_resolved(p.get("resolved"))
        if resolved is not None:
            qs = qs.filter(resolved_at__isnull=not resolved)
        if "status" in p:
            qs = qs.filter(status=p["status"])
        if "kind" in p:
            qs = qs.filter(kind=p["kind"])
        if "min_score" in p:
            qs = qs.filter(score__gte=p["min_score"])
        if "project" in p:
            qs = qs.filter(Q(project_a_id=p["project"]) | Q(project_b_id=p["project"]))
        if "municipality" in p:
            m = p["municipality"]
            qs = qs.filter(Q(project_a__locations__municipality_id=m) | Q(project_b__locations__municipality_id=m))
            qs = qs.distinct()
        return qs

    @action(detail=True, methods=["post"], url_path="review")
    def review(self, request: Request, pk: str | None = None) -> Response:
        flag = self.get_object()
        data = DuplicateReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            flag = duplicate_flag_review(
                flag=flag, user=request.user, decision=data.validated_data["status"],
                note=data.validated_data["note"], counted_project_id=data.validated_data["counted_project"],
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=flag.pk)).data, status=status.HTTP_200_OK)


router = SimpleRouter()
router.register("duplicates", DuplicateFlagViewSet, basename="duplicate")
urlpatterns = [path("", include(router.urls))]
