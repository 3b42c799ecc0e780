"""Reads for the report jobs: which jobs a user may see, whether a report's subject is visible to them, and
each kind's content (a meeting's through the meetings selector of the meetings/reports contract).

A job is seen by the one who asked for it and by the ministry's staff (who read every record anyway); a
focal point never sees a job the ministry asked for, as its report holds what they may not read. And the
job's subject must still be visible to the reader (e.g. a viewer reads only finalised meetings)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from coordination.meeting_rules import meetings_visible_to
from coordination.models import Meeting, ReportJob
from municipalities.models import Municipality
from projects.models import Partner
from projects.permissions import user_oversees

Kind = ReportJob.Kind


class MeetingReportsUnavailable(LookupError):
    """The meetings module (``coordination.selectors.meetings``) is not installed yet."""


def meeting_content(*, meeting_id: int, user: Any, language: str) -> dict[str, Any]:
    """``meeting_report_content`` of the contract; ``MeetingReportsUnavailable`` without the meetings module."""
    try:
        from coordination.selectors.meetings import meeting_report_content
    except ImportError as exc:
        raise MeetingReportsUnavailable(str(exc)) from exc
    return meeting_report_content(meeting_id=meeting_id, user=user, language=language)


def report_subject(kind: str, subject_id: int) -> Municipality | Partner | None:
    """The municipality or partner a report is about (None for a meeting, or when it does not exist)."""
    if kind == Kind.MUNICIPALITY:
        return Municipality.objects.select_related("district__region").filter(pk=subject_id).first()
    if kind == Kind.PARTNER:
        return Partner.objects.filter(pk=subject_id).first()
    return None


def report_subject_visible(user: Any, kind: str, subject_id: int) -> bool:
    """Whether ``user`` may read the report's subject: any signed-in user reads a municipality's file and a
    partner's page (their contents are scoped to the reader); a meeting as the meetings selector says."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if kind in (Kind.MUNICIPALITY, Kind.PARTNER):
        return report_subject(kind, subject_id) is not None
    if kind == Kind.MEETING:
        return report_meeting(user, subject_id) is not None
    return False


def report_meeting(user: Any, meeting_id: int) -> Meeting | None:
    """The meeting a report is about, if ``user`` may see it (the meetings' own rule, one query)."""
    return meetings_visible_to(user, Meeting.objects.filter(pk=meeting_id)).first()


def report_jobs_visible_to(user: Any) -> QuerySet[ReportJob]:
    """The jobs ``user`` may follow: their own, or all for the ministry's staff (the subject is checked apart)."""
    jobs = ReportJob.objects.select_related("requested_by")
    if user is None or not user.is_authenticated:
        return jobs.none()
    if user_oversees(user) or user.is_superuser:
        return jobs
    return jobs.filter(Q(requested_by=user))
