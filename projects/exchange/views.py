"""The data exchange pages: upload a 3W sheet or an IATI file, follow its check, import it; download the files.

Thin: the services in ``projects.exchange.services.jobs`` decide who may do what and do it; these views show
their answers. A job someone may not see answers 404, as if it did not exist.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import SecurityEvent
from accounts.services import security_event_record
from common.downloads import file_download, stream_download
from projects.exchange.forms import ExportFormatForm, GovernmentUploadForm, ImportUploadForm
from projects.exchange.selectors import downloads
from projects.exchange.selectors.export_writers import CONTENT_TYPES
from projects.exchange.selectors.visibility import export_jobs_visible_to, import_job_can_act, import_jobs_visible_to
from projects.exchange.services import exports, jobs
from projects.exchange.services.government_import import (
    GovernmentImportError,
    government_import,
    government_import_allowed,
)
from projects.exchange.services.spreadsheet_import import SpreadsheetError
from projects.models import ExportJob, ImportJob

RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING)
JOBS_PER_PAGE = 20
ERRORS_PER_PAGE = 50


def _file(download: downloads.Download) -> HttpResponse:
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


def export_recorded(request, download: downloads.Download | str, detail: str) -> None:
    """An export of data (3W, IATI) into the security log: who took which file, with which filters."""
    filename = download if isinstance(download, str) else download.filename
    security_event_record(kind=SecurityEvent.Kind.EXPORT, request=request, object_ref=filename, detail=detail)


@login_required
@require_http_methods(["GET", "POST"])
def exchange_home(request: HttpRequest) -> HttpResponse:
    """The upload form, the downloads, and the jobs the user may see (newest first)."""
    can_import = jobs.import_can_create(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied(_("You may not import projects."))
        if form.is_valid():
            try:
                job = jobs.import_job_create(user=request.user, kind=form.cleaned_data["kind"],
                                             upload=form.cleaned_data["file"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                return redirect("import_job_detail", pk=job.pk)
    page = Paginator(import_jobs_visible_to(request.user), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/exchange/home.html", {
        "form": form, "can_import": can_import, "page": page,
        "size_limit": jobs.import_size_limit(ImportJob.Kind.IATI),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def government_upload(request: HttpRequest) -> HttpResponse:
    """Development allocations and government projects from one sheet: checked whole, then all or nothing."""
    if not government_import_allowed(request.user):
        raise PermissionDenied(_("Only the ministry and government bodies import allocations and government "
                                 "projects."))
    form = GovernmentUploadForm(request.POST or None, request.FILES or None)
    report, errors, status = None, [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = government_import(data=upload.read(), name=upload.name, user=request.user,
                                           dry_run=form.cleaned_data["dry_run"])
                status = 200
            except GovernmentImportError as exc:
                errors = [str(e) for e in exc.errors]
            except SpreadsheetError as exc:
                errors = [str(exc)]
    return render(request, "projects/exchange/government.html", {
        "form": form, "report": report, "errors": errors}, status=status)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(import_jobs_visible_to(request.user), pk=pk)


def _progress_context(job: ImportJob) -> dict:
    percent = round(100 * job.progress_done / job.progress_total) if job.progress_total else 0
    return {"job": job, "running": job.status in RUNNING, "percent": percent,
            "progress_url": reverse("import_job_progress", args=[job.pk])}


@login_required
@require_GET
def import_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    errors = Paginator(job.preview.get("errors") or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/exchange/job.html", {
        **_progress_context(job), "errors": errors, "preview": job.preview,
        "warnings": (job.preview.get("warnings") or [])[:ERRORS_PER_PAGE],
        "can_act": import_job_can_act(request.user, job),
    })


@login_required
@require_GET
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status and progress bar alone, polled by htmx while the job runs; once it has finished the
    whole page reloads to show the preview or the result."""
    job = _job(request, pk)
    response = render(request, "projects/exchange/_progress.html", _progress_context(job))
    if job.status not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _job_action(request: HttpRequest, pk: int, action, done_message: str) -> HttpResponse:
    job = _job(request, pk)
    try:
        action(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message)
    return redirect("import_job_detail", pk=job.pk)


@login_required
@require_POST
def import_job_commit(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(request, pk, jobs.import_job_commit, _("The import has started."))


@login_required
@require_POST
def import_job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(request, pk, jobs.import_job_cancel, _("The job was cancelled; nothing was imported."))


@login_required
@require_GET
def threew_template(request: HttpRequest) -> HttpResponse:
    return _file(downloads.threew_template())


def export_response(request: HttpRequest, export: downloads.ExportRequest, projects) -> HttpResponse | None:
    """A small export written during the request: the CSV streamed row by row, the XLSX through a temporary
    file. Recorded in the security log. None for an IATI file without activities (it would not be valid IATI)."""
    filename = downloads.export_filename(export.format)
    if export.format == "iati":
        result = downloads.iati_download(request.user, export)
        if not result.exported:
            return None
        export_recorded(request, filename, f"{export.describe()}; activities={result.exported}")
        return file_download(io.BytesIO(result.xml), filename=filename, content_type=CONTENT_TYPES["iati"])
    export_recorded(request, filename, export.describe())
    if export.format == "csv":
        return stream_download(downloads.threew_csv_bytes(projects), filename=filename,
                               content_type=CONTENT_TYPES["csv"])
    return file_download(downloads.export_to_temporary_file(projects, export.format), filename=filename,
                         content_type=CONTENT_TYPES[export.format])


def _export(request: HttpRequest, export: downloads.ExportRequest) -> HttpResponse:
    projects = downloads.export_projects(request.user, export)
    if downloads.export_is_large(projects):  # a job's work: the page offers to start it
        return render(request, "projects/exchange/export_large.html", {
            "count": projects.order_by().count(), "limit": settings.TANSIQ_EXPORT_BACKGROUND_PROJECTS,
            "format": export.format, "query": request.GET.urlencode()})
    response = export_response(request, export, projects)
    if response is None:
        messages.warning(request, _("No project to export."))
        return redirect("exchange_home")
    return response


@login_required
@require_GET
def threew_download(request: HttpRequest) -> HttpResponse:
    """The 3W sheet; the project list's filters when the download comes from that page (invalid ones are left
    out); a focal point's own partner's projects unless ``scope=all``."""
    form = ExportFormatForm(request.GET)
    if not form.is_valid():
        return HttpResponse(_("Choose the format: csv or xlsx."), status=400, content_type="text/plain; charset=utf-8")
    return _export(request, downloads.export_request(form.cleaned_data["format"] or "csv", request.GET))


@login_required
@require_GET
def iati_download(request: HttpRequest) -> HttpResponse:
    return _export(request, downloads.export_request("iati", request.GET))


@login_required
@require_POST
def import_job_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(request, pk, jobs.import_job_recheck, _("The file is being checked again."))


@login_required
@require_POST
def export_job_request(request: HttpRequest) -> HttpResponse:
    """Start a large export in the background (the page of ``_export`` posts here)."""
    fmt = request.POST.get("format", "")
    if fmt not in downloads.FORMATS:
        return HttpResponse(_("Choose the format: csv, xlsx or iati."), status=400,
                            content_type="text/plain; charset=utf-8")
    query = QueryDict(request.POST.get("query", "")[:4000])
    job = exports.export_job_request(user=request.user, request=downloads.export_request(fmt, query))
    return redirect("export_job_detail", pk=job.pk)


def _export_job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(export_jobs_visible_to(request.user), pk=pk)


def _export_context(job: ExportJob) -> dict:
    return {"job": job, "percent": job.percent,
            "running": job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
            "progress_url": reverse("export_job_progress", args=[job.pk])}


@login_required
@require_GET
def export_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "projects/exchange/export_job.html", _export_context(_export_job(request, pk)))


@login_required
@require_GET
def export_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job(request, pk)
    context = _export_context(job)
    response = render(request, "projects/exchange/_progress.html", context)
    if not context["running"] and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def export_job_file(request: HttpRequest, job: ExportJob) -> HttpResponse | None:
    """The file of a finished job (shared with the API), recorded in the security log; None when not ready."""
    if job.status != ExportJob.Status.DONE or not job.file:
        return None
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, OSError):
        return None
    export_recorded(request, job.filename, f"export job {job.pk}: {urlencode(job.parameters.get('filters') or {})}")
    return file_download(handle, filename=job.filename, content_type=CONTENT_TYPES[job.format])


@login_required
@require_GET
def export_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job(request, pk)
    response = export_job_file(request, job)
    if response is None:
        messages.error(request, _("The file is not ready."))
        return redirect("export_job_detail", pk=job.pk)
    return response
