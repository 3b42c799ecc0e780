"""/api/v1/delays/: delay flags, filters, and the review action (routed from ``coordination.api.gaps``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets

from coordination.analysis.delays import delay_reason_text
from coordination.api.reviews import (
    AnalysisPagination,
    CanReviewFlags,
    CommitteeNotesMixin,
    ReviewActionMixin,
    parse_resolved,
)
from coordination.models import DelayFlag, FlagStatus
from coordination.selectors.delays import delay_flag_list, delay_flags_visible_to
from coordination.services.delays import delay_flag_review


class DelayFlagSerializer(CommitteeNotesMixin, serializers.ModelSerializer):
    project_title_ar = serializers.CharField(source="project.title_ar", read_only=True)
    project_title_en = serializers.CharField(source="project.title_en", read_only=True)
    project_status = serializers.IntegerField(source="project.status", read_only=True)
    reporting_partner = serializers.CharField(source="project.reporting_partner.acronym", read_only=True)
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reason_texts = serializers.SerializerMethodField()
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, default=None)

    class Meta:
        model = DelayFlag
        fields = [
            "id", "project", "project_title_ar", "project_title_en", "project_status", "reporting_partner",
            "rule", "rule_label", "severity", "severity_label", "score", "reasons", "reason_texts", "status",
            "status_label", "decided_by", "decided_at", "decision_note", "resolved_at", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_reason_texts(self, flag: DelayFlag) -> list[str]:
        today = timezone.localdate()
        return [delay_reason_text(r, today) for r in flag.reasons or []]


class DelayFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FlagStatus.choices, required=False)
    rule = serializers.ChoiceField(choices=DelayFlag.Rule.choices, required=False)
    severity = serializers.ChoiceField(choices=DelayFlag.Severity.choices, required=False)
    min_severity = serializers.ChoiceField(choices=DelayFlag.Severity.choices, required=False)
    project = serializers.IntegerField(required=False, min_value=1)
    partner = serializers.IntegerField(required=False, min_value=1, help_text=_("Reporting partner id"))
    municipality = serializers.IntegerField(required=False, min_value=1)


class DelayFlagViewSet(ReviewActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """Delay flags, highest score first. Filters: ``status``, ``rule``, ``severity``, ``min_severity``,
    ``project``, ``partner``, ``municipality`` (ids), ``resolved`` (false by default, true, all)."""

    serializer_class = DelayFlagSerializer
    permission_classes = [CanReviewFlags]
    pagination_class = AnalysisPagination
    review_service = staticmethod(delay_flag_review)

    def get_queryset(self) -> QuerySet[DelayFlag]:
        if self.action != "list":
            return delay_flags_visible_to(self.request.user, delay_flag_list(filters={"resolved": None}))
        params = DelayFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        filters["resolved"] = parse_resolved(self.request.query_params.get("resolved"))
        return delay_flags_visible_to(self.request.user, delay_flag_list(filters=filters))
