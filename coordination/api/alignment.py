"""/api/v1/ alignment: plans and their objectives, a project's objectives (and people's decisions on
them), the alignment figures, and the alignment flags with their review. Scoped like the pages:
plans are reference data for every signed-in reader; a project's objectives follow who may see the
project; figures are computed over the reader's projects; the stored flags are the ministry's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import (
    GenericAPIView,
    get_object_or_404,  # a malformed id is a 404, not a 500
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coordination.api.reviews import (
    AnalysisPagination,
    CanReviewFlags,
    CommitteeNotesMixin,
    ReviewActionMixin,
    parse_resolved,
)
from coordination.models import AlignmentFlag, FlagStatus, ObjectiveLink
from coordination.selectors import alignment as selectors
from coordination.services.alignment import alignment_flag_review, objective_link_decide
from municipalities.models import DevelopmentPlan, PlanObjective
from projects.selectors.projects import projects_visible_to


class ObjectiveSerializer(serializers.ModelSerializer):
    sectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    municipalities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PlanObjective
        fields = ["id", "plan", "parent", "code", "title_ar", "title_en", "description_ar", "description_en",
                  "sector", "sectors", "sdg_targets", "municipalities", "cost_estimate", "currency", "indicators",
                  "priority_rank"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = DevelopmentPlan
        fields = ["id", "code", "level", "municipality", "sector", "title_ar", "title_en", "owner_body",
                  "start_year", "end_year", "status", "source", "uri", "is_demo", "objectives"]
        read_only_fields = fields


class PlanFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=DevelopmentPlan.Level.choices, required=False)
    status = serializers.ChoiceField(choices=DevelopmentPlan.Status.choices, required=False)


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Development plans with their objectives. Filters: ``level``, ``status``."""

    serializer_class = PlanSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = AnalysisPagination

    def get_queryset(self) -> QuerySet[DevelopmentPlan]:
        filters = {}
        if self.action == "list":
            params = PlanFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            filters = dict(params.validated_data)
        return selectors.plan_list(self.request.user, filters).prefetch_related(
            "objectives__sectors", "objectives__municipalities")


class ObjectiveLinkSerializer(serializers.ModelSerializer):
    objective_code = serializers.CharField(source="objective.code", read_only=True)
    objective_title_ar = serializers.CharField(source="objective.title_ar", read_only=True)
    objective_title_en = serializers.CharField(source="objective.title_en", read_only=True)
    plan = serializers.IntegerField(source="objective.plan_id", read_only=True)
    plan_status = serializers.CharField(source="objective.plan.status", read_only=True)

    class Meta:
        model = ObjectiveLink
        fields = ["id", "project", "objective", "objective_code", "objective_title_ar", "objective_title_en", "plan",
                  "plan_status", "score", "reasons", "status", "decided_at", "updated_at"]
        read_only_fields = fields


class LinkDecisionSerializer(serializers.Serializer):
    objective = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=ObjectiveLink.Status.choices)


class ProjectAlignmentView(GenericAPIView):
    """GET: a project's suggested and decided objectives. POST {"objective", "status"}: confirm, reject,
    or take a decision back (``suggested``) — the ministry's analysts and the project's own partner."""

    serializer_class = ObjectiveLinkSerializer
    permission_classes = [permissions.IsAuthenticated]

    def _project(self, pk: int):
        return get_object_or_404(projects_visible_to(self.request.user), pk=pk)

    def get(self, request: Request, pk: int) -> Response:
        project = self._project(pk)
        return Response(self.get_serializer(selectors.project_objective_links(request.user, project), many=True).data)

    @extend_schema(request=LinkDecisionSerializer, responses=ObjectiveLinkSerializer)
    def post(self, request: Request, pk: int) -> Response:
        project = self._project(pk)
        data = LinkDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objective = get_object_or_404(PlanObjective, pk=data.validated_data["objective"])
        try:
            link = objective_link_decide(user=request.user, project=project, objective=objective,
                                         status=data.validated_data["status"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return Response(self.get_serializer(link).data)


class ShareSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    usd = serializers.FloatField()
    usd_aligned = serializers.FloatField()
    projects = serializers.IntegerField()
    projects_aligned = serializers.IntegerField()
    money_share = serializers.FloatField(allow_null=True)
    project_share = serializers.FloatField(allow_null=True)


class SharesSerializer(serializers.Serializer):
    all = ShareSerializer(many=True)
    partner = ShareSerializer(many=True)
    sector = ShareSerializer(many=True)
    region = ShareSerializer(many=True)


class AlignmentFiguresView(GenericAPIView):
    """Shares of active money and projects aligned with an approved plan: overall and by partner, sector
    and region, over the projects the reader may see."""

    serializer_class = SharesSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(SharesSerializer(selectors.alignment_shares(request.user)).data)


class AlignmentFlagSerializer(CommitteeNotesMixin, serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, default=None)

    class Meta:
        model = AlignmentFlag
        fields = ["id", "kind", "kind_label", "project", "objective", "municipality", "share_outside", "score",
                  "reasons", "status", "status_label", "decided_by", "decided_at", "decision_note", "resolved_at",
                  "created_at", "updated_at"]
        read_only_fields = fields


class AlignmentFlagFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AlignmentFlag.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=FlagStatus.choices, required=False)


class AlignmentFlagViewSet(ReviewActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Alignment flags (the ministry's staff), highest score first. Filters: ``kind``, ``status``,
    ``resolved`` (false by default, true, all)."""

    serializer_class = AlignmentFlagSerializer
    permission_classes = [CanReviewFlags]
    pagination_class = AnalysisPagination
    review_service = staticmethod(alignment_flag_review)

    def get_queryset(self) -> QuerySet[AlignmentFlag]:
        if self.action != "list":
            return selectors.alignment_flag_list(self.request.user, {"resolved": None})
        params = AlignmentFlagFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        filters["resolved"] = parse_resolved(self.request.query_params.get("resolved"))
        return selectors.alignment_flag_list(self.request.user, filters)


router = SimpleRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("alignment/flags", AlignmentFlagViewSet, basename="alignment-flag")

urlpatterns = [
    path("alignment/figures/", AlignmentFiguresView.as_view(), name="alignment-figures"),
    path("projects/<int:pk>/alignment/", ProjectAlignmentView.as_view(), name="project-alignment"),
    path("", include(router.urls)),
]
