"""Report jobs: ask for a report (a meeting's, a municipality's or a partner's, in Arabic or English, as PDF or
Word), render it in the background, keep the file; and send a finalised meeting's report by e-mail.

queued → running → done | failed. The task takes the job id and claims the job with a conditional update,
so a task delivered twice renders once. The file is rendered whole in memory and stored in the same step
that marks the job done; a failure records why and keeps no file (a constraint holds it). The content is
read as the one who asked, so a report shows exactly what its requester may see.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.queueing import delay_on_commit
from coordination.models import FollowUpAction, ReportDelivery, ReportJob
from coordination.reports.document import Document
from coordination.selectors.reports import (
    MeetingReportsUnavailable,
    meeting_content,
    report_meeting,
    report_subject,
    report_subject_visible,
)
from projects.models import FocalPoint

logger = logging.getLogger(__name__)
Status, Kind, Format = ReportJob.Status, ReportJob.Kind, ReportJob.Format
LANGUAGES = ("ar", "en")
CONTENT_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SEND_PERMISSION = "coordination.add_reportdelivery"


# --- building ----------------------------------------------------------------------------------------

def report_document(*, kind: str, subject_id: int, user: Any, language: str,
                    generated_at: dt.datetime | None = None) -> Document:
    """The document of one report, read as ``user`` in ``language``."""
    from coordination.reports.meeting import meeting_report_document
    from coordination.reports.portfolio import municipality_report_document, partner_report_document
    from coordination.selectors.places import municipality_file, partner_file
    from coordination.selectors.report_maps import report_map_context, report_map_places

    with translation.override(language):
        if kind == Kind.MEETING:
            content = meeting_content(meeting_id=subject_id, user=user, language=language)
            outlines, points = report_map_context()
            return meeting_report_document(content, places=report_map_places(content.get("municipality_pcodes") or (),
                                                                              language=language),
                                           outlines=outlines, context_points=points, generated_at=generated_at)
        subject = report_subject(kind, subject_id)
        if subject is None:
            raise ValidationError(_("The report's subject no longer exists."))
        if kind == Kind.MUNICIPALITY:
            outlines, points = report_map_context()
            return municipality_report_document(municipality_file(user, subject), language=language,
                                                outlines=outlines, context_points=points, generated_at=generated_at)
        return partner_report_document(partner_file(user, subject), language=language, generated_at=generated_at)


def report_render(document: Document, fmt: str) -> bytes:
    if fmt == Format.PDF:
        from coordination.reports.pdf import render_pdf

        return render_pdf(document)
    from coordination.reports.docx import render_docx

    return render_docx(document)


def report_filename(*, kind: str, subject_id: int, language: str, fmt: str) -> str:
    subject = report_subject(kind, subject_id)
    key = getattr(subject, "slug", "") or slugify(getattr(subject, "acronym", "") or "") or str(subject_id)
    return f"{kind}-{key}-{language}.{fmt}"


# --- jobs --------------------------------------------------------------------------------------------

def _checked(kind: str, fmt: str, language: str) -> None:
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose a meeting, a municipality or a partner report.")]
    if fmt not in Format.values:
        errors["format"] = [_("Choose PDF or Word.")]
    if language not in LANGUAGES:
        errors["language"] = [_("Choose Arabic or English.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_job_request(*, user: Any, kind: str, subject_id: int, language: str, fmt: str) -> ReportJob:
    """Ask for a report; its rendering is queued once the job is committed. ``PermissionDenied`` when the
    subject is not visible to ``user``. A meeting that is not finalised gets a report of live figures
    (``live_figures``: the job page says so)."""
    from coordination.tasks.reports import report_job_render

    _checked(kind, fmt, language)
    live = False
    if kind == Kind.MEETING:  # the meetings' own rule decides who sees a meeting
        meeting = report_meeting(user, int(subject_id))
        if meeting is None:
            raise PermissionDenied(_("You may not see what this report is about."))
        live = not meeting.is_frozen
    elif not report_subject_visible(user, kind, int(subject_id)):
        raise PermissionDenied(_("You may not see what this report is about."))
    job = ReportJob.objects.create(kind=kind, subject_id=int(subject_id), language=language, format=fmt,
                                   requested_by=user, live_figures=live)
    job_id = job.pk
    delay_on_commit(report_job_render, job_id)
    return job


def _progress(job_id: int, percent: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(progress=percent)


def _fail(job_id: int, message: str) -> ReportJob:
    ReportJob.objects.filter(pk=job_id).update(status=Status.FAILED, finished_at=timezone.now(), error=message,
                                               file="", progress=0)
    return ReportJob.objects.get(pk=job_id)


def report_job_run(job_id: int) -> ReportJob | None:
    """Render a queued job and store its file; does nothing for a job that is not queued any more."""
    claimed = ReportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=5)
    if not claimed:
        return None
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    with translation.override(job.language):
        try:
            if job.requested_by is None or not report_subject_visible(job.requested_by, job.kind, job.subject_id):
                raise PermissionDenied(_("The report's subject is no longer visible to the one who asked for it."))
            document = report_document(kind=job.kind, subject_id=job.subject_id, user=job.requested_by,
                                       language=job.language)
            _progress(job_id, 50)
            data = report_render(document, job.format)
            _progress(job_id, 90)
            name = report_filename(kind=job.kind, subject_id=job.subject_id, language=job.language, fmt=job.format)
        except (PermissionDenied, ValidationError, MeetingReportsUnavailable) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return _fail(job_id, _("No report was written: %(reason)s") % {"reason": text or _("not available")})
        except Exception:
            logger.exception("report job %s: rendering failed", job_id)
            return _fail(job_id, _("No report was written: an unexpected error stopped it. "
                                   "Tell the ministry's administrator."))
    return _store(job, name, data)


def _store(job: ReportJob, name: str, data: bytes) -> ReportJob:
    """The file and the job's "done" together: if saving the row fails, the stored file is removed again."""
    job.file.save(name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            job.filename, job.status, job.progress, job.finished_at, job.error = (
                name, Status.DONE, 100, timezone.now(), "")
            job.save(update_fields=["file", "filename", "status", "progress", "finished_at", "error"])
    except Exception:
        job.file.delete(save=False)
        logger.exception("report job %s: the file could not be recorded", job.pk)
        return _fail(job.pk, _("No report was written: the file could not be stored."))
    return job


def report_job_open(job: ReportJob) -> IO[bytes] | None:
    """The finished job's file, open for reading (the caller closes it), or None when the job is not done or
    its file is gone."""
    if job.status != ReportJob.Status.DONE or not job.file:
        return None
    try:
        return job.file.open("rb")
    except OSError:
        return None


# --- distribution --------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _action_owners(meeting_id: int) -> list[tuple[str, str, str]]:
    """(email, language, name) of the meeting's action owners: each action's own address (a ministry unit's),
    and the active focal points of each partner that owns an action (in their language). Two queries."""
    actions = list(FollowUpAction.objects.filter(meeting_id=meeting_id).order_by("order", "pk")
                   .values_list("owner_email", "owner_person", "owner_unit", "owner_partner_id"))
    people = [(email, "", person or unit) for email, person, unit, _partner in actions if email]
    partners = {partner for *_rest, partner in actions if partner}
    if partners:
        people += [(fp.user.email, fp.language, fp.user.get_full_name() or fp.user.username)
                   for fp in FocalPoint.objects.filter(partner_id__in=partners, user__is_active=True)
                   .exclude(user__email="").select_related("user").order_by("user__email")]
    return people


def _recipients(meeting_id: int, content: dict[str, Any], default_language: str) -> list[dict[str, str]]:
    """Attendees and action owners with an e-mail address, once each (attendees first)."""
    found: dict[str, dict[str, str]] = {}
    people = [(a.get("email"), a.get("language"), a.get("name")) for a in content.get("attendees") or ()]
    people += _action_owners(meeting_id)
    for email, language, name in people:
        email = (email or "").strip().lower()
        if not _EMAIL.match(email) or email in found:
            continue
        found[email] = {"email": email, "language": language if language in LANGUAGES else default_language,
                        "name": name or ""}
    return list(found.values())


def meeting_report_send(*, meeting_id: int, user: Any, recipients: list[dict[str, str]] | None = None) -> dict:
    """E-mail a finalised meeting's PDF report, in each recipient's language (the site's default when not
    known), to its attendees and action owners (or ``recipients``: dicts of email, language, name) through
    the configured backend. Each address gets it once: an address already recorded is skipped, and a
    delivery is recorded only when its e-mail went out. Returns the counts and addresses."""
    if user is None or not user.has_perm(SEND_PERMISSION):
        raise PermissionDenied(_("You may not send meeting reports."))
    default = settings.LANGUAGE_CODE[:2]
    base = meeting_content(meeting_id=meeting_id, user=user, language=default)
    if base.get("is_live"):
        raise ValidationError(_("Only a finalised meeting's report can be sent."))
    wanted = recipients if recipients is not None else _recipients(meeting_id, base, default)
    sent_before = set(ReportDelivery.objects.filter(meeting_id=meeting_id).values_list("email", flat=True))
    pdfs: dict[str, tuple[str, bytes, str]] = {}
    result: dict[str, list[str]] = {"sent": [], "skipped": [], "failed": []}
    for person in wanted:
        email = (person.get("email") or "").strip().lower()
        language = person.get("language") if person.get("language") in LANGUAGES else default
        if email in sent_before or not _EMAIL.match(email):
            result["skipped"].append(email)
            continue
        if language not in pdfs:
            pdfs[language] = _meeting_pdf(meeting_id, user, language)
        try:
            with transaction.atomic():
                ReportDelivery.objects.create(meeting_id=meeting_id, email=email, name=(person.get("name") or "")[:200],
                                              language=language, sent_by=user)
                _send(email, *pdfs[language])
        except IntegrityError:  # sent by another request meanwhile
            result["skipped"].append(email)
        except Exception:
            logger.exception("meeting %s: the report could not be sent to %s", meeting_id, email)
            result["failed"].append(email)
        else:
            result["sent"].append(email)
            sent_before.add(email)
    return result


def _meeting_pdf(meeting_id: int, user: Any, language: str) -> tuple[str, bytes, str]:
    from coordination.reports.pdf import render_pdf

    document = report_document(kind=Kind.MEETING, subject_id=meeting_id, user=user, language=language)
    with translation.override(language):
        subject = _("Meeting report: %(title)s") % {"title": document.title}
    return subject, render_pdf(document), f"meeting-{meeting_id}-{language}.pdf"


def _send(email: str, subject: str, pdf: bytes, filename: str) -> None:
    language = "ar" if filename.endswith("-ar.pdf") else "en"
    with translation.override(language):
        body = _("The report of the meeting is attached (PDF).\n\nMinistry of Local Government — "
                 "International Support Committee")
    message = EmailMessage(subject=subject.replace("\n", " ")[:200], body=body, to=[email])
    message.attach(filename, pdf, "application/pdf")
    message.send(fail_silently=False)
