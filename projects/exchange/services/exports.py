"""Export jobs: a 3W sheet or an IATI file too large to write during a request is written by the worker.

queued → running → done | failed. The job keeps the export's parameters, not its projects: the worker reads
them again through the same rule as a download, for the user who asked (``downloads.export_projects``),
writes the file with its format's writer (``export_writers.WRITERS``) into a temporary file and stores it.
Progress is the number of projects written. The file is downloadable by whoever asked, and by the site's
staff (``visibility.export_jobs_visible_to``). A task delivered twice does nothing the second time (the job
is claimed with a conditional update); asking again for an export already queued or running returns that job.

Expiry (``export_jobs_expire``, nightly): a finished job is kept ``TANSIQ_EXPORT_KEEP_HOURS`` after it ended,
then removed with its file; a job queued or running for longer than ``TANSIQ_EXPORT_STALE_MINUTES`` was left
by a dead worker (or a lost task) and is marked failed. A worker that finishes after its job was so marked
does not bring it back: its file is removed and the job stays failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.leases import work_lease
from common.queueing import delay_on_commit
from projects.exchange.selectors.downloads import FORMATS, ExportRequest, export_filename, export_projects
from projects.exchange.selectors.export_writers import WRITERS
from projects.exchange.services.progress import JobProgress
from projects.models import ExportJob

logger = logging.getLogger(__name__)
Status = ExportJob.Status


@transaction.atomic
def export_job_request(*, user: Any, request: ExportRequest, language: str | None = None) -> ExportJob:
    """Queue an export for ``user`` (written once the job is committed)."""
    from projects.exchange.tasks.exports import export_job_write

    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in to export."))
    if request.format not in FORMATS:
        raise ValidationError({"format": [_("Choose the format: csv, xlsx or iati.")]})
    parameters = request.as_parameters()
    running = ExportJob.objects.filter(requested_by=user, format=request.format, parameters=parameters,
                                       status__in=[Status.QUEUED, Status.RUNNING]).first()
    if running is not None:
        return running
    job = ExportJob.objects.create(format=request.format, parameters=parameters, requested_by=user,
                                   language=(language or translation.get_language() or settings.LANGUAGE_CODE)[:10])
    job_id = job.pk
    delay_on_commit(export_job_write, job_id)
    return job


def _fail(job_id: int, message: str) -> ExportJob:
    ExportJob.objects.filter(pk=job_id).update(status=Status.FAILED, finished_at=timezone.now(), error=message,
                                               file="")
    return ExportJob.objects.get(pk=job_id)


def export_job_run(job_id: int) -> ExportJob | None:
    """Write a queued job's file; does nothing for a job that is not queued any more, or that another worker is
    writing. A job left running by a worker that died (its message delivered again) is written anew."""
    with work_lease("export-job", job_id) as lease:
        if lease is False:  # another worker is writing it (a second delivery of a long job)
            return None
        # with the lease, a job still "running" is one whose worker died: nobody else is writing it
        states = [Status.QUEUED, Status.RUNNING] if lease else [Status.QUEUED]
        # A job taken back keeps its first start, so that one which ends its worker every time is still ended
        # by the stale sweep (TANSIQ_EXPORT_STALE_MINUTES) rather than tried for ever.
        claimed = ExportJob.objects.filter(pk=job_id, status__in=states).update(
            status=Status.RUNNING, started_at=Coalesce(F("started_at"), Value(timezone.now())), progress_done=0,
            progress_total=0)
        if not claimed:
            return None
        return _export_job_write(job_id)


def _export_job_write(job_id: int) -> ExportJob:
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    user = job.requested_by
    with translation.override(job.language), tempfile.TemporaryFile() as handle:
        progress = JobProgress(job.pk, model=ExportJob)
        try:
            if not user.is_active:
                raise PermissionDenied(_("The account that asked for this export is no longer active."))
            projects = export_projects(user, ExportRequest.from_parameters(job.format, job.parameters))
            total = projects.order_by().count()
            progress(0, total)
            WRITERS[job.format](projects, handle, progress=lambda done: progress(min(done, total), total))
            progress(total, total)
            size = handle.tell()
            handle.seek(0)
            job.file.save(export_filename(job.format), File(handle), save=False)
        except PermissionDenied as exc:
            return _fail(job_id, _("No file was written: %(reason)s") % {"reason": exc})
        except Exception:
            logger.exception("export job %s: writing failed", job_id)
            return _fail(job_id, _("No file was written: an unexpected error stopped it. "
                                   "Tell the ministry's administrator."))
        finally:
            progress.close()
    try:
        with transaction.atomic():
            # only a job still running is finished: one the stale sweep marked failed meanwhile stays failed
            recorded = ExportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
                file=job.file.name, filename=export_filename(job.format), size=size, status=Status.DONE,
                finished_at=timezone.now(), error="", progress_done=total, progress_total=total)
    except Exception:
        job.file.delete(save=False)
        logger.exception("export job %s: the file could not be recorded", job_id)
        return _fail(job_id, _("No file was written: the file could not be stored."))
    if not recorded:
        job.file.delete(save=False)
        logger.warning("export job %s: ended after it was marked failed; its file was removed", job_id)
    return ExportJob.objects.get(pk=job_id)


@dataclass
class ExpiryResult:
    removed: int = 0  # finished jobs removed with their files
    failed: int = 0  # jobs a dead worker left queued or running, marked failed


def export_jobs_expire(*, now: dt.datetime | None = None) -> ExpiryResult:
    """Remove the finished jobs (and their files) kept longer than ``TANSIQ_EXPORT_KEEP_HOURS``, and mark
    failed the jobs queued or running for longer than ``TANSIQ_EXPORT_STALE_MINUTES``. Safe to run twice."""
    now = now or timezone.now()
    result = ExpiryResult()
    stale = now - dt.timedelta(minutes=settings.TANSIQ_EXPORT_STALE_MINUTES)
    stuck = ExportJob.objects.filter(Q(status=Status.RUNNING, started_at__lt=stale)
                                     | Q(status=Status.QUEUED, created_at__lt=stale))
    for language in sorted(set(stuck.values_list("language", flat=True))):
        with translation.override(language):
            message = _("The export stopped before it finished (the background worker ended); no file was "
                        "written. Ask for the export again.")
        result.failed += stuck.filter(language=language).update(status=Status.FAILED, finished_at=now,
                                                                 error=message, file="")
    kept_since = now - dt.timedelta(hours=settings.TANSIQ_EXPORT_KEEP_HOURS)
    expired = ExportJob.objects.filter(status__in=[Status.DONE, Status.FAILED], finished_at__lt=kept_since)
    for job in expired.only("pk", "file").iterator(chunk_size=500):
        if job.file:
            job.file.delete(save=False)  # the file first: a row without its file is never left behind
        result.removed += ExportJob.objects.filter(pk=job.pk).delete()[0]
    return result
