"""Report pages: ask for a report (the buttons on the municipality file and the partner page), follow its
job (htmx polls the progress), download the file when it is ready.

Thin: ``coordination.services.reports`` renders, ``coordination.selectors.reports`` decides who sees which
job. A job someone may not see, or whose subject they may no longer see, answers 404 as if it did not exist.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import SecurityEvent
from accounts.services import security_event_record
from common.downloads import file_download
from coordination.models import ReportJob
from coordination.selectors.reports import report_jobs_visible_to, report_subject, report_subject_visible
from coordination.services import reports

RUNNING = (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportJob.Kind.choices)
    subject_id = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    language = forms.ChoiceField(choices=[("ar", "ar"), ("en", "en")], required=False)
    format = forms.ChoiceField(choices=ReportJob.Format.choices)


@login_required
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose the report's kind, subject, language and format."), status=400)
    data = form.cleaned_data
    language = data["language"] or (get_language() or "ar")[:2]
    try:
        job = reports.report_job_request(user=request.user, kind=data["kind"], subject_id=data["subject_id"],
                                         language=language, fmt=data["format"])
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    except PermissionDenied:
        raise Http404(_("No such report subject.")) from None
    return redirect("report_job_detail", pk=job.pk)


def _job(request: HttpRequest, pk: int) -> ReportJob:
    job = get_object_or_404(report_jobs_visible_to(request.user), pk=pk)
    if not report_subject_visible(request.user, job.kind, job.subject_id):
        raise Http404(_("No such report."))
    return job


def _context(job: ReportJob) -> dict:
    subject = report_subject(job.kind, job.subject_id)
    return {"job": job, "running": job.status in RUNNING, "percent": job.progress, "subject": subject}


@login_required
@require_GET
def report_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "coordination/reports/job.html", _context(_job(request, pk)))


@login_required
@require_GET
def report_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status and progress alone, polled by htmx while the job runs; once it has finished the whole page
    reloads to offer the download or say why it failed."""
    job = _job(request, pk)
    response = render(request, "coordination/reports/_progress.html", _context(job))
    if job.status not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def report_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    handle = reports.report_job_open(job)
    if handle is None:
        messages.error(request, _("The report is not ready."))
        return redirect("report_job_detail", pk=job.pk)
    security_event_record(kind=SecurityEvent.Kind.EXPORT, request=request, object_ref=job.filename,
                          detail=f"report job {job.pk}: {job.kind} {job.subject_id}")
    return file_download(handle, filename=job.filename, content_type=reports.CONTENT_TYPES[job.format])
