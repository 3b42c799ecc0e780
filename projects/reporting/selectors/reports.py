"""Reads for the reporting calendar: the reports due and overdue, from the stored periods.

The lists (``overdue_reports``, ``partner_reports_due``) read ``ReportingPeriod`` (kept by
``projects.reporting.services.periods``) through an index and are lazy: a page of the list reads one page of rows,
and its length is one COUNT, whatever the size of the portfolio. ``report_schedules`` computes the calendar
on the fly from the projects and their updates instead (two queries and Python, seconds at 100,000
projects): the reference the stored rows are checked against.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from common.bilingual import bilingual_text
from projects.models import ActivityStatus, Project, ProjectUpdate
from projects.models.reporting import ReportingPeriod
from projects.reporting.calendar import (
    MISSING,
    PENDING,
    Period,
    PeriodReport,
    Submission,
    period_reports,
    reporting_periods,
)
from projects.reporting.links import update_create_path

# Projects that owe reports: running ones, and closed ones for the periods they ran. A project still in
# the pipeline has not started; a cancelled one owes nothing.
REPORTING_STATUSES = (ActivityStatus.IMPLEMENTATION, ActivityStatus.FINALISATION, ActivityStatus.SUSPENDED,
                      ActivityStatus.CLOSED)
_PROJECT_COLUMNS = ("id", "title_ar", "title_en", "reporting_partner_id", "reporting_partner__name_ar",
                    "reporting_partner__name_en", "reporting_partner__acronym", "status", "planned_start",
                    "planned_end", "actual_start", "actual_end", "reporting_frequency")


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
        return bilingual_text(self.title_ar, self.title_en)

    @property
    def partner_name(self) -> str:
        return self.partner_acronym or bilingual_text(self.partner_name_ar, self.partner_name_en)


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


def project_reporting_end(row: dict) -> dt.date | None:
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
        periods = reporting_periods(start=row["actual_start"] or row["planned_start"], end=project_reporting_end(row),
                                    today=today, months=row["reporting_frequency"], grace_days=grace)
        schedules.append(ProjectSchedule(
            project_id=row["id"], title_ar=row["title_ar"], title_en=row["title_en"],
            partner_id=row["reporting_partner_id"], partner_name_ar=row["reporting_partner__name_ar"],
            partner_name_en=row["reporting_partner__name_en"], partner_acronym=row["reporting_partner__acronym"],
            months=row["reporting_frequency"],
            reports=period_reports(periods, subs.get(row["id"], ()), today=today),
        ))
    return schedules


# --- the stored periods ------------------------------------------------------------------------------
_ROW_COLUMNS = ("project_id", "period_start", "period_end", "due_date", "submitted_on", "project__title_ar",
                "project__title_en", "partner_id", "partner__name_ar", "partner__name_en", "partner__acronym",
                "project__reporting_frequency")


def _due_report(row: dict, today: dt.date) -> DueReport:
    schedule = ProjectSchedule(
        project_id=row["project_id"], title_ar=row["project__title_ar"], title_en=row["project__title_en"],
        partner_id=row["partner_id"], partner_name_ar=row["partner__name_ar"], partner_name_en=row["partner__name_en"],
        partner_acronym=row["partner__acronym"], months=row["project__reporting_frequency"])
    period = Period(row["period_start"], row["period_end"], row["due_date"])
    status = MISSING if period.due < today else PENDING
    return DueReport(schedule, PeriodReport(period, status, row["submitted_on"]), today)


class DueReports:
    """A list of ``DueReport`` that reads its rows only when sliced or iterated: Django's ``Paginator`` takes
    it like a queryset (``count()`` and a slice), so a page of hundreds of thousands of overdue reports costs
    a COUNT and the page's rows."""

    def __init__(self, periods: QuerySet[ReportingPeriod], today: dt.date) -> None:
        self.periods = periods
        self.today = today
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.periods.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: int | slice) -> DueReport | list[DueReport]:
        if isinstance(index, slice):
            return [_due_report(row, self.today) for row in self.periods.values(*_ROW_COLUMNS)[index]]
        return _due_report(self.periods.values(*_ROW_COLUMNS)[index], self.today)

    def __iter__(self) -> Iterator[DueReport]:
        for row in self.periods.values(*_ROW_COLUMNS).iterator(chunk_size=2000):
            yield _due_report(row, self.today)

    def __bool__(self) -> bool:
        return self.count() > 0


def _overdue(periods: QuerySet[ReportingPeriod], today: dt.date) -> QuerySet[ReportingPeriod]:
    # A period due before today began before today too, so no condition on its start: the count is read
    # from the index alone.
    return periods.filter(submitted_on__isnull=True, due_date__lt=today)


def _upcoming(periods: QuerySet[ReportingPeriod], today: dt.date) -> QuerySet[ReportingPeriod]:
    # Rows are stored up to the day of the last sync: asked about an earlier day, leave out the periods
    # that had not begun by then (the calendar of that day did not have them yet).
    return periods.filter(submitted_on__isnull=True, due_date__gte=today, period_start__lte=today)


def partner_reports_due(*, partner_id: int, today: dt.date | None = None) -> dict[str, DueReports]:
    """A partner's reports not yet submitted: ``upcoming`` (not yet due, soonest first) and ``overdue``
    (due date passed, oldest first)."""
    today = today or timezone.localdate()
    mine = ReportingPeriod.objects.filter(partner_id=partner_id)
    return {
        "upcoming": DueReports(_upcoming(mine, today).order_by("due_date", "project_id"), today),
        "overdue": DueReports(_overdue(mine, today).order_by("due_date", "project_id"), today),
    }


def overdue_reports(*, today: dt.date | None = None) -> DueReports:
    """Every partner's overdue reports (the ministry's view), longest overdue first."""
    today = today or timezone.localdate()
    periods = _overdue(ReportingPeriod.objects.all(), today).order_by("due_date", "partner_id", "project_id")
    return DueReports(periods, today)
