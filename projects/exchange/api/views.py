"""/api/v1/imports/ (upload, check, commit, cancel), /api/v1/exports/ (IATI XML, 3W CSV/XLSX) and
/api/v1/exports/jobs/ (large exports written in the background, with progress and a download).

An export of more than ``TANSIQ_EXPORT_BACKGROUND_PROJECTS`` projects answers 202 with an export job
(the same one again while it is queued or running) instead of the file: follow ``status`` and fetch
``download_url`` when it is done.

Thin views over ``projects.exchange``: the job services check who may do what; their ``PermissionDenied``
and ``ValidationError`` reach the client in the API's one error format (config.api_errors). A job the
user may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
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
from projects.exchange.selectors.visibility import export_jobs_visible_to, import_jobs_visible_to
from projects.exchange.services import exports, jobs
from projects.exchange.views import export_job_file, export_response
from projects.models import ExportJob, ImportJob

XML, CSV, OCTET_STREAM = "application/xml", "text/csv", "application/octet-stream"


def _file_responses(*media_types: str) -> dict:
    """A file answer for the schema: its own media types, and application/octet-stream, first, for clients
    that take any file as bytes (openapi-python-client reads only that one as bytes: it reads text/* as text,
    which then breaks a binary body, and generates nothing for application/xml)."""
    return {(200, media_type): OpenApiTypes.BINARY for media_type in (OCTET_STREAM, *media_types)}


def as_bytes_if_asked(request: Request, response: HttpResponse) -> HttpResponse:
    """The file labelled application/octet-stream when the request's Accept names that and not the file's own
    type: the same bytes, for a client that asked for bytes (what the schema documents)."""
    accept = request.META.get("HTTP_ACCEPT", "")
    own = response.get("Content-Type", "").split(";")[0].strip()
    if OCTET_STREAM in accept and own not in accept:
        response["Content-Type"] = OCTET_STREAM
    return response


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


class ExportJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "format", "status", "status_label", "parameters", "progress_done", "progress_total",
                  "percent", "filename", "size", "error", "download_url", "created_at", "started_at", "finished_at"]
        read_only_fields = fields

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return reverse("api:export-job-download", args=[job.pk])


class ExportJobRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportJob.Format.choices)
    scope = serializers.ChoiceField(choices=["mine", "all"], required=False,
                                    help_text="A focal point: all the projects they may see, not only their partner's.")
    partner = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                    help_text="IATI only: the partner's organisation identifier.")
    filters = serializers.DictField(child=serializers.CharField(max_length=200), required=False,
                                    help_text="The project list's filters (q, state, status, partner, municipality, "
                                              "sector, active_from, active_to).")


def _job_accepted(request: Request, job: ExportJob) -> Response:
    response = Response(ExportJobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = reverse("api:export-job-detail", args=[job.pk])
    return response


class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The user's own export jobs (the site's staff see all)."""

    serializer_class = ExportJobSerializer
    parser_classes = [StrictJSONParser]

    def get_queryset(self):
        return export_jobs_visible_to(self.request.user)

    @extend_schema(request=ExportJobRequestSerializer, responses={202: ExportJobSerializer},
                   description="Write an export in the background, whatever its size.")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ExportJobRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        query = dict(data.validated_data.get("filters") or {})
        query.update(scope=data.validated_data.get("scope", ""), partner=data.validated_data.get("partner", ""))
        export = downloads.export_request(data.validated_data["format"], query)
        return _job_accepted(request, exports.export_job_request(user=request.user, request=export))

    @extend_schema(responses={**_file_responses(XML, CSV, downloads.XLSX),
                              404: OpenApiResponse(description="No such job, or its file is not ready.")},
                   description="The job's file, in its own media type (IATI XML, 3W CSV or XLSX), or as "
                               "application/octet-stream when the request accepts only that.")
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponse:
        response = export_job_file(request, self.get_object())
        if response is None:
            raise exceptions.NotFound(_("The file is not ready."))
        return as_bytes_if_asked(request, response)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        # ``?format=`` would be read as a renderer's name; this API speaks JSON (and the download, a file).
        return JSONRenderer(), JSONRenderer.media_type


class _FileExportView(APIView):
    """Answers a file, or an error in the JSON error format. DRF's negotiation would read ``?format=``
    as a renderer's name; here it names the file format, so the negotiation is JSON only."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        return JSONRenderer(), JSONRenderer.media_type

    def _export(self, request: Request, export: downloads.ExportRequest) -> Any:
        projects = downloads.export_projects(request.user, export)
        if downloads.export_is_large(projects):
            return _job_accepted(request, exports.export_job_request(user=request.user, request=export))
        response = export_response(request, export, projects)
        if response is None:  # an empty activities file would not be valid IATI
            raise exceptions.NotFound(_("No project to export."))
        return as_bytes_if_asked(request, response)


class ThreeWExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")
    scope = serializers.ChoiceField(choices=["mine", "all"], required=False,
                                    help_text="A focal point: all the projects they may see, not only their partner's.")


class IatiExportQuery(serializers.Serializer):
    partner = serializers.CharField(max_length=100, required=False, allow_blank=True)
    scope = serializers.ChoiceField(choices=["mine", "all"], required=False)


class ThreeWExportView(_FileExportView):
    @extend_schema(
        operation_id="exports_3w", parameters=[ThreeWExportQuery],
        responses={**_file_responses(CSV, downloads.XLSX), 202: ExportJobSerializer},
        description="The 3W/4W sheet (one row per project × municipality × sector, HXL hashtag row) of the "
                    "accepted projects, and a focal point's own partner's in any state (a focal point gets their "
                    "own partner's projects unless scope=all). A large export answers 202 with an export job.",
    )
    def get(self, request: Request) -> Any:
        query = ThreeWExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self._export(request, downloads.export_request(query.validated_data["format"], request.query_params))


class IatiExportView(_FileExportView):
    @extend_schema(
        operation_id="exports_iati",
        parameters=[OpenApiParameter("partner", str, description="IATI organisation identifier: only the projects "
                                                                  "this partner reports or takes part in.")],
        responses={**_file_responses(XML), 202: ExportJobSerializer,
                   404: OpenApiResponse(description="No project to export (code not_found).")},
        description="IATI 2.03 activities (validate against the official schema). A large export answers 202 "
                    "with an export job.",
    )
    def get(self, request: Request) -> Any:
        query = IatiExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self._export(request, downloads.export_request("iati", request.query_params))
