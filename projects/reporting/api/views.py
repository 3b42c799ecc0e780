"""/api/v1/ for project reporting: files attached to updates, and partner scorecards.

Thin: the update is looked up in the user's scope (``updates_visible_to``: another partner's draft answers
404), writes go through ``projects.reporting.services.attachments``, which checks that the user may edit the update.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.models import ProjectUpdate
from projects.models.reporting import UpdateAttachment
from projects.permissions import user_oversees, user_partner_id
from projects.reporting.selectors.attachments import attachments_visible_to, update_attachment_visible
from projects.reporting.selectors.scorecard import partner_scorecard, partner_scorecards
from projects.reporting.services.attachments import update_attachment_add, update_attachment_remove
from projects.reporting.views import attachment_response
from projects.selectors.projects import updates_visible_to

# --- attachments -----------------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.get_username", read_only=True, default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = UpdateAttachment
        fields = ["id", "update", "original_name", "content_type", "size", "sha256", "description", "uploaded_by",
                  "uploaded_at", "download_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_download_url(self, attachment: UpdateAttachment) -> str:
        path = reverse("api:update-attachment-download", args=[attachment.update_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, PNG, JPEG, GIF, WebP, Word, Excel, PowerPoint or OpenDocument; "
                                             "the content decides, and the name's extension must agree."))
    description = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class UpdateAttachmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The files of one update: list, upload (multipart), delete, download."""

    serializer_class = AttachmentSerializer
    filter_backends: list = []
    pagination_class = None  # at most TANSIQ_ATTACHMENT_MAX_PER_UPDATE files
    parser_classes = [MultiPartParser, FormParser]

    def _update(self) -> ProjectUpdate:
        pk = self.kwargs["update_pk"]
        return get_object_or_404(updates_visible_to(self.request.user).select_related("project"), pk=pk)

    def get_queryset(self) -> QuerySet[UpdateAttachment]:
        if getattr(self, "swagger_fake_view", False):
            return UpdateAttachment.objects.none()
        return (attachments_visible_to(self.request.user).filter(update=self._update()).select_related("uploaded_by")
                .order_by("uploaded_at", "pk"))

    def _attachment(self) -> UpdateAttachment:
        attachment = update_attachment_visible(self.request.user, update_id=self.kwargs["update_pk"],
                                               pk=self.kwargs["pk"])
        if attachment is None:
            raise exceptions.NotFound()
        return attachment

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        update = self._update()
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = update_attachment_add(update=update, user=request.user, upload=data.validated_data["file"],
                                           description=data.validated_data["description"])
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        update_attachment_remove(attachment=self._attachment(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description=_("The file, as a download."))})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, *args: Any, **kwargs: Any):
        return attachment_response(request, self._attachment())


# --- scorecards ------------------------------------------------------------------------------------


class ReportTallySerializer(serializers.Serializer):
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text=_("On time ÷ due; null when nothing is due."))


class ReturnedSerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    updates = serializers.IntegerField()
    total = serializers.IntegerField()


class ScorecardSerializer(serializers.Serializer):
    partner = serializers.IntegerField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    acronym = serializers.CharField()
    projects = serializers.IntegerField()
    reports = ReportTallySerializer()
    project_completeness = serializers.FloatField(allow_null=True,
                                                  help_text=_("Share (0–1) of the key fields filled in its projects."))
    project_fields = serializers.DictField(child=serializers.FloatField(allow_null=True))
    updates = serializers.IntegerField(help_text=_("Submitted updates."))
    update_completeness = serializers.FloatField(allow_null=True)
    update_fields = serializers.DictField(child=serializers.FloatField(allow_null=True))
    returned = ReturnedSerializer()


def _scope(user: Any) -> list[int] | None:
    if user_oversees(user):
        return None
    partner_id = user_partner_id(user)
    if partner_id is None:
        raise exceptions.PermissionDenied(_("Scorecards are for the ministry and partners' focal points."))
    return [partner_id]


class ScorecardListView(GenericAPIView):
    """Every reporting partner's scorecard (the ministry); a focal point gets only their own partner's. Paged as
    every list of the API (the document says so: a generated client reads ``results``)."""

    serializer_class = ScorecardSerializer
    filter_backends: list = []

    @extend_schema(responses=ScorecardSerializer(many=True))
    def get(self, request: Request) -> Response:
        cards = [card.as_dict() for card in partner_scorecards(partner_ids=_scope(request.user))]
        page = self.paginate_queryset(cards)
        return self.get_paginated_response(ScorecardSerializer(page, many=True).data)


class PartnerScorecardView(APIView):
    serializer_class = ScorecardSerializer

    @extend_schema(responses=ScorecardSerializer)
    def get(self, request: Request, pk: int) -> Response:
        scope = _scope(request.user)
        if scope is not None and pk not in scope:
            raise exceptions.NotFound()
        card = partner_scorecard(partner_id=pk)
        if card is None:
            raise exceptions.NotFound()
        return Response(ScorecardSerializer(card.as_dict()).data)
