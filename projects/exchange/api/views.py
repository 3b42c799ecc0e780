"""/api/v1/imports/ (upload, check, commit, cancel) and /api/v1/exports/ (IATI XML, 3W CSV/XLSX).

Thin views over ``projects.exchange``: the job services check who may do what; their ``PermissionDenied``
and ``ValidationError`` reach the client in the API's one error format (config.api_errors). A job the
user may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_parsers import StrictJSONParser
from projects.exchange.selectors import downloads
from projects.exchange.selectors.visibility import import_jobs_visible_to
from projects.exchange.services import jobs
from projects.exchange.views import export_recorded
from projects.models import ImportJob


class ImportJobSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_username", read_only=True, default=None)
    partner = serializers.CharField(source="partner.__str__", read_only=True, default=None)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "status", "status_label", "partner", "original_name", "size", "sha256", "language",
                  "progress_done", "progress_total", "preview", "result", "error", "created_by", "created_at",
                  "started_at", "finished_at"]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices)
    file = serializers.FileField(allow_empty_file=True)


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Import jobs within the user's scope: the ministry sees all, a focal point their partner's."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, StrictJSONParser]

    def get_queryset(self):
        return import_jobs_visible_to(self.request.user)

    def _answer(self, job: ImportJob, code: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=job.pk)).data, status=code)

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses={202: ImportJobSerializer},
                   description="Upload a 3W sheet (CSV or XLSX) or an IATI XML file. The job is checked at once "
                               "(small files) or by the worker (large ones): follow its status.")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = jobs.import_job_create(user=request.user, kind=data.validated_data["kind"],
                                     upload=data.validated_data["file"])
        return self._answer(job, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ImportJobSerializer},
                   description="Import a checked job without errors, all or nothing.")
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, pk: str | None = None) -> Response:
        job = jobs.import_job_commit(job=self.get_object(), user=request.user)
        return self._answer(job, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        job = jobs.import_job_cancel(job=self.get_object(), user=request.user)
        return self._answer(job, status.HTTP_200_OK)


class _FileExportView(APIView):
    """Answers a file, or an error in the JSON error format. DRF's negotiation would read ``?format=``
    as a renderer's name; here it names the file format, so the negotiation is JSON only."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        return JSONRenderer(), JSONRenderer.media_type

    @staticmethod
    def _file(download: downloads.Download) -> HttpResponse:
        response = HttpResponse(download.content, content_type=download.content_type)
        response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
        return response


class ThreeWExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")


class IatiExportQuery(serializers.Serializer):
    partner = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ThreeWExportView(_FileExportView):
    @extend_schema(
        operation_id="exports_3w", parameters=[ThreeWExportQuery],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, downloads.XLSX): OpenApiTypes.BINARY},
        description="The 3W/4W sheet (one row per project × municipality × sector, HXL hashtag row) of the "
                    "accepted projects, and a focal point's own partner's in any state.",
    )
    def get(self, request: Request) -> HttpResponse:
        query = ThreeWExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        download = downloads.threew_download(request.user, query.validated_data["format"])
        export_recorded(request, download, f"format={query.validated_data['format']}")
        return self._file(download)


class IatiExportView(_FileExportView):
    @extend_schema(
        operation_id="exports_iati",
        parameters=[OpenApiParameter("partner", str, description="IATI organisation identifier: only the projects "
                                                                  "this partner reports or takes part in.")],
        responses={(200, "application/xml"): OpenApiTypes.BINARY,
                   404: OpenApiResponse(description="No project to export (code not_found).")},
        description="IATI 2.03 activities (validate against the official schema).",
    )
    def get(self, request: Request) -> HttpResponse:
        query = IatiExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = downloads.iati_download(request.user, query.validated_data.get("partner"))
        if not result.exported:  # an empty activities file would not be valid IATI
            raise exceptions.NotFound(_("No project to export."))
        download = downloads.Download(result.xml, "application/xml", "tansiq-iati.xml")
        export_recorded(request, download,
                        f"partner={query.validated_data.get('partner') or '*'}; activities={result.exported}")
        return self._file(download)
