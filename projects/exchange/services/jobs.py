"""Import jobs: an uploaded 3W spreadsheet or IATI file is checked (a preview), then imported all or nothing.

queued → checking → checked | invalid → importing → done | failed; queued, checked and invalid jobs can be
cancelled. The check is a dry run of the import itself (rolled back), so its counts of new, changed and
unchanged projects are the import's own; it writes nothing but the job. The import runs the same code
for real in one transaction: it saves every project or none.

Who: the ministry's administrator imports anything; a focal point only their own partner's projects
(a row or activity of another partner's project is an error, and what they import goes to the ministry's
review as a form would); analysts, viewers and the rest not at all.

Where: a small file is checked and imported during the request (the same Celery task, run in-process);
a file larger than ``TANSIQ_IMPORT_BACKGROUND_BYTES`` or with more rows than
``TANSIQ_IMPORT_BACKGROUND_ROWS`` goes to the worker, and the page follows its progress. Tasks take
the job id and claim the job with a conditional update, so a task delivered twice does nothing the
second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.leases import work_lease
from common.queueing import delay_on_commit
from municipalities.place_services import unresolved_places_reported
from projects.exchange.formats import iati_xml
from projects.exchange.formats.iati_xml import IatiFileError, iati_parse
from projects.exchange.selectors.visibility import import_job_can_act
from projects.exchange.services import spreadsheet_import
from projects.exchange.services.iati_import import iati_import
from projects.exchange.services.progress import JobProgress
from projects.exchange.services.spreadsheet_import import (
    SpreadsheetError,
    spreadsheet_preview,
    spreadsheet_rows,
    spreadsheet_save,
)
from projects.models import ImportJob, Partner
from projects.permissions import user_manages, user_partner_id

logger = logging.getLogger(__name__)
Status = ImportJob.Status
KIND_CAPS = {ImportJob.Kind.SPREADSHEET: spreadsheet_import.MAX_BYTES, ImportJob.Kind.IATI: iati_xml.MAX_BYTES}
ERRORS_KEPT = 5000  # rows of errors kept in the preview (the count is always complete)
WARNINGS_KEPT = 1000
CANCELLABLE = (Status.QUEUED, Status.CHECKED, Status.INVALID)


class ImportRefused(Exception):
    """The import found rows it cannot save: everything it wrote is rolled back."""


# --- who ------------------------------------------------------------------------------------------


def import_partner_for(user: Any) -> Partner | None:
    """The partner a user imports for (None for the ministry); ``PermissionDenied`` if they may not import."""
    if user_manages(user):
        return None
    if user_partner_id(user) is not None and user.has_perm("projects.add_project"):
        return user.focal_point.partner
    raise PermissionDenied(_("You may not import projects."))


def import_can_create(user: Any) -> bool:
    try:
        import_partner_for(user)
    except PermissionDenied:
        return False
    return True


def _submitter(user: Any) -> Any:
    """A focal point's import goes to the ministry's review; the ministry's own is accepted as it is."""
    return None if user is None or user_manages(user) else user


# --- upload ---------------------------------------------------------------------------------------


def import_size_limit(kind: str) -> int:
    return min(settings.TANSIQ_IMPORT_MAX_BYTES, KIND_CAPS[kind])


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _units(kind: str, data: bytes, name: str) -> int:
    """Rows (spreadsheet) or activities (IATI) in the file. A small file is read whole, so that a file
    that cannot be read is refused at once; a large one is only counted, and read by the worker."""
    small = len(data) <= settings.TANSIQ_IMPORT_BACKGROUND_BYTES
    try:
        if kind == ImportJob.Kind.IATI:
            if small:
                return len(iati_parse(data, name=name))
            _sniff_xml(data, name)
            return max(data.count(b"<iati-activity") - data.count(b"<iati-activities"), 0)
        if small:
            return len(spreadsheet_rows(data, name=name))
        _sniff_sheet(data, name)
        return _xlsx_rows(data) if data[:2] == b"PK" else data.count(b"\n")
    except (IatiFileError, SpreadsheetError) as exc:
        raise _file_error(str(exc)) from exc


def _sniff_xml(data: bytes, name: str) -> None:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IatiFileError(_("%(name)s is not a text file (it holds binary data); give an IATI XML file.") % {
            "name": name})
    root = data.find(b"<iati-activit")
    if b"<!DOCTYPE" in data[: root if root >= 0 else 65536] or b"<!ENTITY" in data[: root if root >= 0 else 65536]:
        raise IatiFileError(_("%(name)s was refused: it declares a DTD or entities. IATI files need neither.") % {
            "name": name})


def _sniff_sheet(data: bytes, name: str) -> None:
    if data[:2] == b"PK":
        return
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(_("%(name)s is not a CSV or XLSX file.") % {"name": name})
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(_("%(name)s is not UTF-8 text (byte %(position)s); save it as CSV UTF-8 or XLSX.") % {
            "name": name, "position": exc.start}) from exc


def _xlsx_rows(data: bytes) -> int:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # noqa: BLE001 - unreadable: the worker's check says why, in the job's language
        return 0
    try:
        return workbook.worksheets[0].max_row or 0
    finally:
        workbook.close()


def _large(job: ImportJob, units: int) -> bool:
    return job.size > settings.TANSIQ_IMPORT_BACKGROUND_BYTES or units > settings.TANSIQ_IMPORT_BACKGROUND_ROWS


def _queue(task: Any, job: ImportJob, *, background: bool) -> None:
    job_id = job.pk
    if background:
        delay_on_commit(task, job_id)
    else:  # the same task, in this process, once the job is committed
        transaction.on_commit(lambda: task.apply(args=[job_id], throw=True))


@transaction.atomic
def import_job_create(*, user: Any, kind: str, upload: UploadedFile, language: str | None = None) -> ImportJob:
    """Store an uploaded file as a job and queue its check. Refuses (``ValidationError``, no job kept) a file
    that is too large, empty, binary, or of the wrong kind; ``PermissionDenied`` for a user who may not import."""
    from projects.exchange.tasks import import_job_check as check_task

    partner = import_partner_for(user)
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": [_("Choose the kind of file: a 3W spreadsheet or IATI XML.")]})
    name = (upload.name or "upload").rsplit("/", 1)[-1][:255]
    limit = import_size_limit(kind)
    if upload.size > limit:
        raise _file_error(_("%(name)s is %(size)s; the limit is %(limit)s. Split the file and upload the parts.") % {
            "name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
    if not upload.size:
        raise _file_error(_("%(name)s is empty.") % {"name": name})
    data = b"".join(upload.chunks())
    units = _units(kind, data, name)
    job = ImportJob(kind=kind, partner=partner, original_name=name, size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), created_by=user,
                    language=(language or translation.get_language() or settings.LANGUAGE_CODE)[:10],
                    preview={"estimated_rows": units})
    job.file.save(job.sha256, ContentFile(data), save=False)
    job.save()
    _queue(check_task, job, background=_large(job, units))
    return job


# --- check ----------------------------------------------------------------------------------------


def _read(job: ImportJob) -> bytes:
    with job.file.open("rb") as fh:
        return fh.read()


def _load(job_id: int) -> ImportJob:
    return ImportJob.objects.select_related("partner", "created_by").get(pk=job_id)


def _finish(job_id: int, status: str, progress: JobProgress, **fields: Any) -> ImportJob:
    """The job's outcome. A finished check or import shows its bar full; a failure where it stopped."""
    job = _load(job_id)
    job.status, job.finished_at = status, timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.progress_total = max(job.progress_total, progress.total)
    done = job.progress_total if status in (Status.CHECKED, Status.INVALID, Status.DONE) else progress.done
    job.progress_done = min(max(job.progress_done, done), job.progress_total)
    job.save(update_fields=["status", "finished_at", "progress_done", "progress_total", *fields])
    return job


def import_job_check(job_id: int) -> ImportJob | None:
    """Run the preview of a queued job (its messages in the job's language). Does nothing for a job that is
    not queued any more (checked already, or cancelled), or that another worker is checking. A check left
    "checking" by a worker that died (its message delivered again) is run anew: it wrote nothing but the job."""
    with work_lease("import-job", job_id) as lease:
        if lease is False:
            return None
        states = [Status.QUEUED, Status.CHECKING] if lease else [Status.QUEUED]
        job = ImportJob.objects.filter(pk=job_id, status__in=states).only("status", "preview").first()
        if job is None:
            return None
        extra = {}
        if job.status == Status.CHECKING:  # abandoned: its worker died in the middle of the check
            extra["preview"] = _reclaimed(job.preview)
            if extra["preview"] is None:
                return _finish(job_id, Status.FAILED, JobProgress(job_id), error=_gave_up_message(), preview={})
            logger.warning("import job %s: its worker stopped during the check; checking it again", job_id)
        claimed = ImportJob.objects.filter(pk=job_id, status=job.status).update(
            status=Status.CHECKING, started_at=timezone.now(), finished_at=None, progress_done=0, progress_total=0,
            **extra)
        if not claimed:
            return None
        return _import_job_check(job_id)


# A job whose worker died in the middle (its message delivered again) is run once more; a job that ends its
# worker again (e.g. a file that takes more memory than the worker has) is failed rather than tried for ever.
RECLAIMS = 1


def _reclaimed(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """The job's JSON with one more reclaim counted, or None when it was reclaimed as often as it may be."""
    state = dict(state or {})
    tries = int(state.get("reclaimed") or 0) + 1
    if tries > RECLAIMS:
        return None
    return state | {"reclaimed": tries}


def _gave_up_message() -> str:
    return _("The background worker stopped twice while working on this file; nothing was imported. "
             "Split the file into smaller parts and upload them.")


def _import_job_check(job_id: int) -> ImportJob:
    job = _load(job_id)
    progress = JobProgress(job.pk)
    with translation.override(job.language):
        try:
            # the place names the check cannot place go to the gazetteer's report, with this job
            with unresolved_places_reported(source=job.kind, job_id=job.pk):
                preview = _check_spreadsheet(job, progress) if job.kind == ImportJob.Kind.SPREADSHEET else (
                    _check_iati(job, progress))
        except (SpreadsheetError, IatiFileError) as exc:
            return _finish(job_id, Status.INVALID, progress, error=str(exc), preview={})
        except Exception:
            logger.exception("import job %s: the check failed", job_id)
            return _finish(job_id, Status.FAILED, progress, error=_(
                "The check stopped on an unexpected error; nothing was imported. Tell the ministry's administrator."))
        finally:
            progress.close()
    status = Status.INVALID if preview["error_count"] else Status.CHECKED
    return _finish(job_id, status, progress, preview=preview, error="")


def _check_spreadsheet(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    preview = spreadsheet_preview(data=_read(job), name=job.original_name, only_partner=job.partner,
                                  progress=progress)
    creates = sum(1 for p in preview.projects if p.action == "create")
    summary: dict[str, Any] = {"rows": preview.rows, "projects": len(preview.projects), "new": creates,
                               "changed": None, "unchanged": None}
    if preview.ok:
        spreadsheet_save(preview, user=job.created_by, submitted_by=_submitter(job.created_by), dry_run=True,
                         progress=progress)
        summary["changed"] = sum(1 for p in preview.projects if p.changed and p.action == "update")
        summary["unchanged"] = sum(1 for p in preview.projects if not p.changed)
    errors = [{"row": e.row, "column": e.column, "message": e.message} for e in preview.errors]
    return summary | {"error_count": len(errors), "errors": errors[:ERRORS_KEPT], "warnings": [],
                      "warning_count": 0, "partners_created": []}


def _check_iati(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    report = iati_import(files=[(job.original_name, _read(job))], user=job.created_by, dry_run=True,
                         only_partner=job.partner, submitted_by=_submitter(job.created_by), progress=progress)
    errors, warnings = [], []
    for number, activity in enumerate(report.activities, start=1):
        items = list(activity.unmapped)
        if activity.action == "skipped":
            errors.append({"row": number, "column": activity.identifier or "iati-identifier",
                           "message": items.pop(0) if items else _("activity skipped")})
        warnings += [{"row": number, "column": activity.identifier, "message": item} for item in items]
    return {"rows": len(report.activities), "projects": report.created + report.updated + report.unchanged,
            "new": report.created, "changed": report.updated, "unchanged": report.unchanged,
            "error_count": len(errors), "errors": errors[:ERRORS_KEPT],
            "warning_count": len(warnings), "warnings": warnings[:WARNINGS_KEPT],
            "partners_created": report.partners_created}


# --- commit and cancel ----------------------------------------------------------------------------


def _check_may_act(job: ImportJob, user: Any) -> None:
    if not import_job_can_act(user, job):
        raise PermissionDenied(_("Only the person who uploaded the file, or the ministry, can do this."))


@transaction.atomic
def import_job_commit(*, job: ImportJob, user: Any) -> ImportJob:
    """Queue the import of a checked job without errors."""
    from projects.exchange.tasks import import_job_commit as commit_task

    _check_may_act(job, user)
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.CHECKED).update(
        status=Status.IMPORTING, started_at=None, finished_at=None, progress_done=0, progress_total=0,
        result={"committed_by": user.pk})
    if not claimed:
        job.refresh_from_db(fields=["status"])
        raise ValidationError(_("Only a checked file without errors can be imported; this one is: %(status)s.") % {
            "status": job.get_status_display()})
    job.refresh_from_db()
    _queue(commit_task, job, background=_large(job, int(job.preview.get("rows") or 0)))
    return job


def import_job_run(job_id: int) -> ImportJob | None:
    """Import a job whose commit was asked for; all or nothing. Does nothing for a job done, or that another worker
    is importing. An import whose worker died (its message delivered again) left nothing written, since it runs
    in one transaction: with the lease, it is run anew. Without leases (SQLite) a job that started once is left to
    the stale sweep."""
    with work_lease("import-job", job_id) as lease:
        if lease is False:
            return None
        claim = ImportJob.objects.filter(pk=job_id, status=Status.IMPORTING)
        if not lease:
            claim = claim.filter(started_at__isnull=True)
        job = claim.only("started_at", "result").first()
        if job is None:
            return None
        extra = {}
        if job.started_at is not None:  # abandoned: its worker died in the middle of the import
            extra["result"] = _reclaimed(job.result)
            if extra["result"] is None:
                return _finish(job_id, Status.FAILED, JobProgress(job_id), error=_gave_up_message())
            logger.warning("import job %s: its worker stopped during the import; importing it again", job_id)
        if not claim.filter(started_at=job.started_at).update(started_at=timezone.now(), **extra):
            return None
        return _import_job_run(job_id)


def _import_job_run(job_id: int) -> ImportJob:
    job = _load(job_id)
    user = get_user_model().objects.filter(pk=job.result.get("committed_by")).first() or job.created_by
    progress = JobProgress(job.pk)
    with translation.override(job.language):
        try:
            result = _import(job, user, progress)
        except (SpreadsheetError, IatiFileError, ImportRefused, ValidationError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return _finish(job_id, Status.FAILED, progress,
                           error=_("Nothing was imported: %(reason)s") % {"reason": text})
        except Exception:
            logger.exception("import job %s: the import failed", job_id)
            return _finish(job_id, Status.FAILED, progress, error=_(
                "Nothing was imported: an unexpected error stopped the import. Tell the ministry's administrator."))
        finally:
            progress.close()
    return _finish(job_id, Status.DONE, progress, result=result | {"committed_by": user.pk if user else None})


def _import(job: ImportJob, user: Any, progress: JobProgress) -> dict[str, Any]:
    # Whose content it is decides the review, not who pressed Import: a focal point's file committed
    # by the ministry's administrator still goes to review, as its check said.
    submitter = _submitter(job.created_by)
    if job.kind == ImportJob.Kind.SPREADSHEET:
        preview = spreadsheet_import.spreadsheet_import(
            data=_read(job), name=job.original_name, user=user, only_partner=job.partner, submitted_by=submitter,
            progress=progress)
        return {"new": sum(1 for p in preview.projects if p.action == "create"),
                "changed": sum(1 for p in preview.projects if p.changed and p.action == "update"),
                "unchanged": sum(1 for p in preview.projects if not p.changed)}
    with transaction.atomic():
        report = iati_import(files=[(job.original_name, _read(job))], user=user, only_partner=job.partner,
                             submitted_by=submitter, progress=progress)
        skipped = [a for a in report.activities if a.action == "skipped"]
        if skipped:  # the file or the data changed since the check: refuse the whole import
            raise ImportRefused("; ".join(f"{a.identifier or '?'}: {a.unmapped[0] if a.unmapped else ''}"
                                          for a in skipped[:20]))
    return {"new": report.created, "changed": report.updated, "unchanged": report.unchanged,
            "partners_created": report.partners_created}


@transaction.atomic
def import_job_cancel(*, job: ImportJob, user: Any) -> ImportJob:
    _check_may_act(job, user)
    cancelled = ImportJob.objects.filter(pk=job.pk, status__in=CANCELLABLE).update(
        status=Status.CANCELLED, finished_at=timezone.now())
    if not cancelled:
        job.refresh_from_db(fields=["status"])
        raise ValidationError(_("A job that is %(status)s cannot be cancelled.") % {
            "status": job.get_status_display()})
    job.refresh_from_db()
    return job


@transaction.atomic
def import_job_recheck(*, job: ImportJob, user: Any) -> ImportJob:
    """Check a checked (or refused) file again, e.g. once staff resolved the place names it could not place."""
    from projects.exchange.tasks import import_job_check as check_task

    _check_may_act(job, user)
    claimed = ImportJob.objects.filter(pk=job.pk, status__in=(Status.CHECKED, Status.INVALID)).update(
        status=Status.QUEUED, started_at=None, finished_at=None, progress_done=0, progress_total=0, error="")
    if not claimed:
        job.refresh_from_db(fields=["status"])
        raise ValidationError(_("Only a checked file can be checked again; this one is: %(status)s.") % {
            "status": job.get_status_display()})
    job.refresh_from_db()
    _queue(check_task, job, background=_large(job, int(job.preview.get("rows") or 0)))
    return job


# --- housekeeping ---------------------------------------------------------------------------------


def import_jobs_fail_stale(*, now: dt.datetime | None = None) -> int:
    """Mark as failed the jobs a worker stopped working on (it died, or the queue lost the task): queued,
    checking or importing for longer than ``TANSIQ_IMPORT_STALE_MINUTES``. An import runs in one
    transaction, so a dead worker left nothing written; the uploader is told to try again. Returns
    how many jobs were ended."""
    stale = (now or timezone.now()) - dt.timedelta(minutes=settings.TANSIQ_IMPORT_STALE_MINUTES)
    stuck = (Q(status__in=[Status.CHECKING, Status.IMPORTING], started_at__lt=stale)
             | Q(status=Status.QUEUED, created_at__lt=stale))
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The job stopped before it finished (the background worker ended); nothing was imported. "
                    "Upload the file again.")
    return ImportJob.objects.filter(stuck).update(status=Status.FAILED, finished_at=timezone.now(), error=message)
