"""The reporting calendar as pure functions: which periods a project reports on, when each is due, and
whether its report came on time, late or not at all.

Periods are calendar-aligned blocks of ``months`` months counted from January (quarters: Jan–Mar,
Apr–Jun, ...; half-years; years; months). The first period starts on the project's start day when it
starts mid-period, and the last ends on the project's end day when it ends mid-period. A report is due
``grace_days`` after its period ends. A period counts as reported by the first submitted update whose
own period covers the period's end: submitted on or before the due date is on time, after it is late.
No database here: the selectors feed plain values in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"  # due date passed, nothing submitted
PENDING = "pending"  # not yet due, nothing submitted
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    due: dt.date


@dataclass(frozen=True)
class Submission:
    """A submitted update: the period it covers and the day it was (first) submitted."""

    start: dt.date
    end: dt.date
    submitted: dt.date


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    status: str
    submitted: dt.date | None = None

    @property
    def reported(self) -> bool:
        return self.status in (ON_TIME, LATE)


def _month_start(year: int, month: int) -> dt.date:
    """The first day of ``month`` of ``year``, where month may run past 12."""
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_containing(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The calendar-aligned block of ``months`` months (a divisor of 12) that holds ``day``."""
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"a reporting period of {months} months does not divide the year")
    first_month = (day.month - 1) // months * months + 1
    return dt.date(day.year, first_month, 1), _month_start(day.year, first_month + months) - _ONE_DAY


def reporting_periods(
    *, start: dt.date | None, end: dt.date | None, today: dt.date, months: int, grace_days: int,
) -> list[Period]:
    """The periods from the one holding ``start`` to the one holding the earlier of ``end`` and ``today``.

    The period in progress today is included (its report is not yet due). A project with no start has no
    periods; a project that ends before it starts (bad data) neither.
    """
    if start is None:
        return []
    horizon = min(end, today) if end is not None else today
    if horizon < start:
        return []
    grace = dt.timedelta(days=grace_days)
    periods: list[Period] = []
    block_start, block_end = period_containing(start, months)
    while block_start <= horizon:
        p_start = max(block_start, start)
        p_end = min(block_end, end) if end is not None else block_end
        periods.append(Period(p_start, p_end, p_end + grace))
        block_start = block_end + _ONE_DAY
        block_end = _month_start(block_start.year, block_start.month + months) - _ONE_DAY
    return periods


def period_reports(periods: Sequence[Period], submissions: Iterable[Submission], *, today: dt.date) -> list[PeriodReport]:
    """Each period with its status, from the submitted updates of the same project."""
    subs = sorted(submissions, key=lambda s: s.submitted)
    reports = []
    for period in periods:
        first = next((s for s in subs if s.start <= period.end <= s.end), None)
        if first is not None:
            status = ON_TIME if first.submitted <= period.due else LATE
            reports.append(PeriodReport(period, status, first.submitted))
        else:
            reports.append(PeriodReport(period, MISSING if period.due < today else PENDING))
    return reports


@dataclass(frozen=True)
class Tally:
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.due, 4) if self.due else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.due + other.due, self.on_time + other.on_time, self.late + other.late,
                     self.missing + other.missing)


def tally(reports: Iterable[PeriodReport]) -> Tally:
    """Reports that count: every period whose due date passed, and any reported early."""
    on_time = late = missing = 0
    for report in reports:
        if report.status == ON_TIME:
            on_time += 1
        elif report.status == LATE:
            late += 1
        elif report.status == MISSING:
            missing += 1
    return Tally(on_time + late + missing, on_time, late, missing)
