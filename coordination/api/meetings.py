"""/api/v1/ meetings, agenda items, decisions and follow-up actions, with the pages' scoping
(``coordination.meeting_rules``): what a reader may not see is a 404.

* ``meetings/`` list (``series``, ``status``) and detail; POST creates a meeting (``series`` id and its fields);
  ``POST meetings/<id>/finalise/``.
* ``meeting-agenda-items/``, ``meeting-decisions/``: list (``meeting`` id) and detail, read-only here.
* ``meeting-actions/``: list (``status``, ``owner_partner``, ``series``, ``overdue``: overdue first anyway) and
  detail; ``POST meeting-actions/<id>/status/`` with ``{"status": ..., "note": ...}``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coordination.meeting_rules import meetings_visible_to
from coordination.models import (
    ActionStatus,
    AgendaItem,
    Decision,
    FollowUpAction,
    Meeting,
    MeetingLink,
    MeetingSeries,
    MeetingStatus,
)
from coordination.selectors.meeting_lists import action_list
from coordination.services import meeting_actions as action_services
from coordination.services import meetings as services


def _refusal(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class LinkSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="target_id", read_only=True)

    class Meta:
        model = MeetingLink
        fields = ["kind", "id"]


class MeetingSerializer(serializers.ModelSerializer):
    series_title = serializers.CharField(source="series.__str__", read_only=True)
    rapporteur = serializers.CharField(source="rapporteur.get_username", read_only=True, default=None)

    class Meta:
        model = Meeting
        fields = ["id", "series", "series_title", "number", "title_ar", "title_en", "date", "start_time", "end_time",
                  "place", "online_link", "chair", "rapporteur", "notes_ar", "notes_en", "status", "finalised_at",
                  "distributed_at", "reopened_count", "created_at"]
        read_only_fields = ["number", "status", "finalised_at", "distributed_at", "reopened_count", "created_at"]


class MeetingCreateSerializer(serializers.Serializer):
    series = serializers.PrimaryKeyRelatedField(queryset=MeetingSeries.objects.all())
    title_ar = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    title_en = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    date = serializers.DateField()
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    end_time = serializers.TimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    online_link = serializers.URLField(required=False, allow_blank=True, max_length=500, default="")
    chair = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class AgendaItemSerializer(serializers.ModelSerializer):
    links = LinkSerializer(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "order", "title_ar", "title_en", "notes_ar", "notes_en", "source", "source_key",
                  "links"]


class DecisionSerializer(serializers.ModelSerializer):
    links = LinkSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "meeting", "agenda_item", "order", "text_ar", "text_en", "flag_kind", "flag_id",
                  "flag_status", "links", "created_at"]


class ActionSerializer(serializers.ModelSerializer):
    links = LinkSerializer(many=True, read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpAction
        fields = ["id", "meeting", "decision", "order", "text_ar", "text_en", "owner_partner", "owner_unit",
                  "owner_person", "owner_email", "due", "status", "is_overdue", "carried_over_from", "links", "created_at"]

    def get_is_overdue(self, obj: FollowUpAction) -> bool:
        return bool(getattr(obj, "is_overdue", 0))


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MeetingFilterSerializer(serializers.Serializer):
    series = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=MeetingStatus.choices, required=False)


class ItemFilterSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(required=False, min_value=1)


class ActionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    owner_partner = serializers.IntegerField(required=False, min_value=1)
    series = serializers.IntegerField(required=False, min_value=1)
    municipality = serializers.IntegerField(required=False, min_value=1)


def _params(serializer_class, request: Request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        qs = meetings_visible_to(self.request.user).select_related("series", "rapporteur").order_by("-date", "-pk")
        if self.action == "list":
            p = _params(MeetingFilterSerializer, self.request)
            if "series" in p:
                qs = qs.filter(series_id=p["series"])
            if "status" in p:
                qs = qs.filter(status=p["status"])
        return qs

    @extend_schema(request=MeetingCreateSerializer, responses=MeetingSerializer)
    def create(self, request: Request) -> Response:
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        series = values.pop("series")
        try:
            meeting = services.meeting_create(user=request.user, series=series, **values)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise _refusal(exc) from None
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="finalise")
    def finalise(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        try:
            meeting = services.meeting_finalise(user=request.user, meeting=meeting)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise _refusal(exc) from None
        return Response(MeetingSerializer(meeting).data)


class _MeetingPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model: type = AgendaItem

    def get_queryset(self) -> QuerySet:
        qs = (self.model.objects.filter(meeting__in=meetings_visible_to(self.request.user).values("pk"))
              .prefetch_related("links").order_by("meeting_id", "order", "pk"))
        if self.action == "list":
            p = _params(ItemFilterSerializer, self.request)
            if "meeting" in p:
                qs = qs.filter(meeting_id=p["meeting"])
        return qs


class AgendaItemViewSet(_MeetingPartViewSet):
    serializer_class = AgendaItemSerializer
    model = AgendaItem


class DecisionViewSet(_MeetingPartViewSet):
    serializer_class = DecisionSerializer
    model = Decision


class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ActionSerializer

    def get_queryset(self) -> QuerySet[FollowUpAction]:
        filters = _params(ActionFilterSerializer, self.request) if self.action == "list" else {}
        qs = action_list(self.request.user, filters=filters).prefetch_related("links")
        return qs if self.action == "list" else qs.model.objects.filter(pk__in=qs.values("pk")).prefetch_related(
            "links")

    @extend_schema(request=ActionStatusSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        target = get_object_or_404(self.get_queryset(), pk=pk)
        data = ActionStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            changed = action_services.action_status_change(user=request.user, action=target, **data.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise _refusal(exc) from None
        return Response(ActionSerializer(changed).data)


router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("meeting-agenda-items", AgendaItemViewSet, basename="meeting-agenda-item")
router.register("meeting-decisions", DecisionViewSet, basename="meeting-decision")
router.register("meeting-actions", ActionViewSet, basename="meeting-action")
urlpatterns = [path("", include(router.urls))]
