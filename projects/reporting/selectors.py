"""Reads for the reporting calendar: each project's periods and the state of their reports.

Two queries whatever the size of the portfolio (the projects, then their submitted updates); the
calendar itself is computed in Python by ``projects.reporting.calendar``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from projects.models import ActivityStatus, Project, ProjectUpdate

from .calendar import MISSING, PENDING, PeriodReport, Submission, period_reports, reporting_periods
from .links import update_create_path

# Projects that owe reports: running ones, and closed ones for the periods they ran. A project still in
# the pipeline has not started; a cancelled one owes nothing.
REPORTING_STATUSES = (ActivityStatus.IMPLEMENTATION, ActivityStatus.FINALISATION, ActivityStatus.SUSPENDED,
                      ActivityStatus.CLOSED)
_PROJECT_COLUMNS = ("id", "title_ar", "title_en", "reporting_partner_id", "reporting_partner__name_ar",
                    "reporting_partner__name_en", "reporting_partner__acronym", "status", "planned_start",
                    "planned_end", "actual_start", "actual_end", "reporting_frequency")


def _pick(arabic: str, english: str) -> str:
    first, second = (arabic, english) if (get_language() or "ar").startswith("ar") else (english, arabic)
    return first or second


@dataclass
class ProjectSchedule:
    project_id: int
    title_ar: str
    title_en: str
    partner_id: int
    partner_name_ar: str
    partner_name_en: str
    partner_acronym: str
    months: int
    reports: list[PeriodReport] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _pick(self.title_ar, self.title_en)

    @property
    def partner_name(self) -> str:
        return self.partner_acronym or _pick(self.partner_name_ar, self.partner_name_en)


@dataclass(frozen=True)
class DueReport:
    """One period's report of one project, as the calendar page and the reminders list it."""

    schedule: ProjectSchedule
    report: PeriodReport
    today: dt.date

    @property
    def days_to_due(self) -> int:
        return (self.report.period.due - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_to_due)

    @property
    def write_url(self) -> str:
        return update_create_path(self.schedule.project_id)


def reporting_projects() -> QuerySet[Project]:
    """Projects that owe reports (a record confirmed as a double report of another owes none)."""
    return Project.objects.filter(status__in=REPORTING_STATUSES, duplicate_of__isnull=True)


def _project_end(row: dict) -> dt.date | None:
    # A running project reports until today even past its planned end (it is late, not finished);
    # a closed one until it ended.
    if row["actual_end"] is not None:
        return row["actual_end"]
    return row["planned_end"] if row["status"] == ActivityStatus.CLOSED else None


def submissions_by_project(projects: QuerySet[Project]) -> dict[int, list[Submission]]:
    by_project: dict[int, list[Submission]] = defaultdict(list)
    rows = (ProjectUpdate.objects.filter(project__in=projects.values("pk"), submitted_at__isnull=False)
            .values_list("project_id", "period_start", "period_end", "submitted_at"))
    for project_id, start, end, submitted_at in rows:
        by_project[project_id].append(Submission(start, end, timezone.localtime(submitted_at).date()))
    return by_project


def report_schedules(
    *, today: dt.date | None = None, partner_ids: Iterable[int] | None = None,
    projects: QuerySet[Project] | None = None,
) -> list[ProjectSchedule]:
    """Every reporting project (of ``partner_ids`` when given) with its periods and their report status."""
    today = today or timezone.localdate()
    qs = reporting_projects() if projects is None else projects
    if partner_ids is not None:
        qs = qs.filter(reporting_partner_id__in=list(partner_ids))
    grace = settings.TANSIQ_REPORT_GRACE_DAYS
    subs = submissions_by_project(qs)
    schedules = []
    for row in qs.order_by("pk").values(*_PROJECT_COLUMNS):
        periods = reporting_periods(start=row["actual_start"] or row["planned_start"], end=_project_end(row),
                                    today=today, months=row["reporting_frequency"], grace_days=grace)
        schedules.append(ProjectSchedule(
            project_id=row["id"], title_ar=row["title_ar"], title_en=row["title_en"],
            partner_id=row["reporting_partner_id"], partner_name_ar=row["reporting_partner__name_ar"],
            partner_name_en=row["reporting_partner__name_en"], partner_acronym=row["reporting_partner__acronym"],
            months=row["reporting_frequency"],
            reports=period_reports(periods, subs.get(row["id"], ()), today=today),
        ))
    return schedules


def _rows(schedules: Iterable[ProjectSchedule], status: str, today: dt.date) -> list[DueReport]:
    return [DueReport(s, r, today) for s in schedules for r in s.reports if r.status == status]


def partner_reports_due(*, partner_id: int, today: dt.date | None = None) -> dict[str, list[DueReport]]:
    """A partner's reports not yet submitted: ``upcoming`` (not yet due, soonest first) and ``overdue``
    (due date passed, oldest first)."""
    today = today or timezone.localdate()
    schedules = report_schedules(today=today, partner_ids=[partner_id])
    upcoming = sorted(_rows(schedules, PENDING, today), key=lambda d: (d.report.period.due, d.schedule.project_id))
    overdue = sorted(_rows(schedules, MISSING, today), key=lambda d: (d.report.period.due, d.schedule.project_id))
    return {"upcoming": upcoming, "overdue": overdue}


def overdue_reports(*, today: dt.date | None = None) -> list[DueReport]:
    """Every partner's overdue reports (the ministry's view), longest overdue first."""
    today = today or timezone.localdate()
    rows = _rows(report_schedules(today=today), MISSING, today)
    return sorted(rows, key=lambda d: (d.report.period.due, d.schedule.partner_id, d.schedule.project_id))
