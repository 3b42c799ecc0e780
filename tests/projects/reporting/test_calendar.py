"""The reporting calendar: periods, due dates, on time / late / missing; the selectors and the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import ActivityStatus, ProjectUpdate, ReportingFrequency, ReviewState
from projects.reporting.calendar import (
    LATE,
    MISSING,
    ON_TIME,
    PENDING,
    Period,
    Submission,
    period_containing,
    period_reports,
    reporting_periods,
    tally,
)
from projects.reporting.selectors.reports import overdue_reports, partner_reports_due
from projects.reporting.services.periods import reporting_periods_sync
from tests import factories
from tests.conftest import force_login_verified

D = dt.date


def periods(start, end, today, months=3, grace=15):
    return reporting_periods(start=start, end=end, today=today, months=months, grace_days=grace)


# --- pure calendar ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2025, 2, 14), 3, (D(2025, 1, 1), D(2025, 3, 31))),
    (D(2025, 12, 31), 3, (D(2025, 10, 1), D(2025, 12, 31))),
    (D(2024, 2, 29), 1, (D(2024, 2, 1), D(2024, 2, 29))),  # leap year month end
    (D(2025, 2, 1), 1, (D(2025, 2, 1), D(2025, 2, 28))),
    (D(2025, 7, 1), 6, (D(2025, 7, 1), D(2025, 12, 31))),
    (D(2025, 6, 30), 6, (D(2025, 1, 1), D(2025, 6, 30))),
    (D(2025, 5, 5), 12, (D(2025, 1, 1), D(2025, 12, 31))),
])
def test_periods_are_calendar_aligned(day, months, expected):
    assert period_containing(day, months) == expected


def test_a_period_of_five_months_is_refused():
    with pytest.raises(ValueError):
        period_containing(D(2025, 1, 1), 5)


def test_quarterly_periods_from_a_mid_quarter_start_to_today():
    result = periods(D(2025, 2, 14), None, today=D(2025, 8, 1))
    assert result == [
        Period(D(2025, 2, 14), D(2025, 3, 31), D(2025, 4, 15)),  # starts on the project's first day
        Period(D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 15)),
        Period(D(2025, 7, 1), D(2025, 9, 30), D(2025, 10, 15)),  # in progress today: not yet due
    ]


def test_the_last_period_ends_with_the_project_and_none_come_after():
    result = periods(D(2025, 1, 1), D(2025, 5, 10), today=D(2026, 1, 1))
    assert [(p.start, p.end, p.due) for p in result] == [
        (D(2025, 1, 1), D(2025, 3, 31), D(2025, 4, 15)),
        (D(2025, 4, 1), D(2025, 5, 10), D(2025, 5, 25)),
    ]


def test_monthly_periods_over_month_ends_and_a_year_boundary():
    result = periods(D(2024, 12, 31), None, today=D(2025, 3, 1), months=1, grace=0)
    assert [(p.start, p.end) for p in result] == [
        (D(2024, 12, 31), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 1, 31)),
        (D(2025, 2, 1), D(2025, 2, 28)), (D(2025, 3, 1), D(2025, 3, 31)),
    ]
    assert result[0].due == D(2024, 12, 31)  # no grace: due the day the period ends


@pytest.mark.parametrize(("start", "end", "today"), [
    (None, None, D(2025, 1, 1)),  # no start date: nothing to report on
    (D(2026, 1, 1), None, D(2025, 6, 1)),  # starts in the future
    (D(2025, 5, 1), D(2025, 4, 1), D(2025, 6, 1)),  # ends before it starts (bad data)
])
def test_no_periods(start, end, today):
    assert periods(start, end, today) == []


def test_on_time_late_missing_pending():
    quarters = periods(D(2025, 1, 1), None, today=D(2025, 10, 20))  # Q1..Q4
    subs = [
        Submission(D(2025, 1, 1), D(2025, 3, 31), D(2025, 4, 15)),  # on the due date: on time
        Submission(D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 16)),  # a day late
        Submission(D(2025, 4, 1), D(2025, 6, 30), D(2025, 8, 1)),  # a second one changes nothing
    ]
    reports = period_reports(quarters, subs, today=D(2025, 10, 20))
    assert [r.status for r in reports] == [ON_TIME, LATE, MISSING, PENDING]
    assert reports[1].submitted == D(2025, 7, 16)
    counted = tally(reports)
    assert (counted.due, counted.on_time, counted.late, counted.missing) == (3, 1, 1, 1)
    assert counted.on_time_rate == pytest.approx(1 / 3, abs=1e-4)


def test_an_update_covering_the_period_end_counts_whatever_its_own_period():
    quarters = periods(D(2025, 1, 1), None, today=D(2025, 12, 1))
    # One half-year update covers the ends of Q1 and Q2 (a longer report still covers both).
    reports = period_reports(quarters, [Submission(D(2025, 1, 1), D(2025, 6, 30), D(2025, 7, 1))], today=D(2025, 12, 1))
    assert [r.status for r in reports] == [LATE, ON_TIME, MISSING, PENDING]


def test_a_change_of_frequency_recomputes_the_periods_and_keeps_what_was_reported():
    subs = [Submission(D(2025, 1, 1), D(2025, 3, 31), D(2025, 4, 2))]
    quarterly = period_reports(periods(D(2025, 1, 1), None, D(2025, 5, 1)), subs, today=D(2025, 5, 1))
    monthly = period_reports(periods(D(2025, 1, 1), None, D(2025, 5, 1), months=1), subs, today=D(2025, 5, 1))
    assert [r.status for r in quarterly] == [ON_TIME, PENDING]
    # Monthly: the quarter's update covers the ends of January and February too, but it came after their
    # due dates (15 February, 15 March).
    assert [(r.period.end, r.status) for r in monthly] == [
        (D(2025, 1, 31), LATE), (D(2025, 2, 28), LATE), (D(2025, 3, 31), ON_TIME),
        (D(2025, 4, 30), PENDING), (D(2025, 5, 31), PENDING),
    ]


def test_tally_of_nothing_has_no_rate():
    assert tally([]).on_time_rate is None


# --- selectors and the page -------------------------------------------------------------------------
# They read the stored periods: data made with the factories (no service, no change event) is synced by hand.


def _submitted(project, start, end, when: dt.date, state=ReviewState.SUBMITTED):
    at = timezone.make_aware(dt.datetime.combine(when, dt.time(10, 0)))
    return ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                        period_start=start, period_end=end, progress_percent=10,
                                        status=ActivityStatus.IMPLEMENTATION, state=state, submitted_at=at)


@pytest.fixture
def portfolio(personas, undp, unicef):
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=400)
    mine = factories.ProjectFactory(reporting_partner=undp, actual_start=year_ago, planned_start=year_ago,
                                    planned_end=today + dt.timedelta(days=400),
                                    reporting_frequency=ReportingFrequency.QUARTERLY)
    theirs = factories.ProjectFactory(reporting_partner=unicef, actual_start=year_ago, planned_start=year_ago,
                                      planned_end=today + dt.timedelta(days=400))
    pipeline = factories.ProjectFactory(reporting_partner=undp, status=ActivityStatus.PIPELINE,
                                        planned_start=year_ago)
    reporting_periods_sync()
    return {"today": today, "mine": mine, "theirs": theirs, "pipeline": pipeline}


def test_a_partners_due_reports(portfolio, undp):
    due = partner_reports_due(partner_id=undp.pk, today=portfolio["today"])
    assert {row.schedule.project_id for row in due["overdue"]} == {portfolio["mine"].pk}  # not the pipeline one
    assert len(due["overdue"]) >= 4 and all(row.days_overdue > 0 for row in due["overdue"])
    assert due["upcoming"] and all(row.days_to_due >= 0 for row in due["upcoming"])
    first = due["overdue"][0]
    _submitted(portfolio["mine"], first.report.period.start, first.report.period.end, portfolio["today"])
    reporting_periods_sync(project_ids=[portfolio["mine"].pk])
    again = partner_reports_due(partner_id=undp.pk, today=portfolio["today"])
    assert len(again["overdue"]) == len(due["overdue"]) - 1  # a late report is no longer overdue


def test_all_overdue_for_the_ministry_spans_partners_in_two_queries(portfolio, django_assert_num_queries):
    with django_assert_num_queries(2):  # a count and one page, however many reports are overdue
        rows = overdue_reports(today=portfolio["today"])
        total, page = rows.count(), rows[0:25]
    assert {row.schedule.project_id for row in page} == {portfolio["mine"].pk, portfolio["theirs"].pk}
    assert total == len(page) >= 8
    dues = [row.report.period.due for row in page]
    assert dues == sorted(dues) and all(row.days_overdue > 0 for row in page)


def test_a_double_report_owes_nothing(portfolio, personas, django_capture_on_commit_callbacks):
    portfolio["theirs"].duplicate_of = portfolio["mine"]
    with django_capture_on_commit_callbacks(execute=True):
        services.project_save(project=portfolio["theirs"], user=personas["ministry_admin"])
    rows = overdue_reports(today=portfolio["today"])
    assert {row.schedule.project_id for row in rows} == {portfolio["mine"].pk}


def test_the_calendar_page_for_a_focal_point(client, personas, portfolio):
    client.force_login(personas["undp_focal_point"])
    response = client.get(reverse("reporting_calendar"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-project="{portfolio["mine"].pk}"' in html
    assert f'data-project="{portfolio["theirs"].pk}"' not in html
    assert f"/projects/{portfolio['mine'].pk}/updates/new/" in html


def test_the_calendar_page_for_the_ministry_lists_every_partners_overdue_reports(client, personas, portfolio,
                                                                                 django_assert_max_num_queries):
    client.force_login(personas["ministry_analyst"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reporting_calendar"))
    html = response.content.decode()
    assert f'data-project="{portfolio["mine"].pk}"' in html and f'data-project="{portfolio["theirs"].pk}"' in html
    assert "/updates/new/" not in html


def test_the_calendar_page_keeps_its_query_count_with_more_projects(client, personas, undp,
                                                                    django_assert_max_num_queries):
    start = timezone.localdate() - dt.timedelta(days=800)
    for _ in range(30):
        factories.ProjectFactory(reporting_partner=undp, actual_start=start, planned_start=start)
    reporting_periods_sync()
    client.force_login(personas["ministry_analyst"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reporting_calendar"), {"page": 2})
    assert response.status_code == 200 and "pagination" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 302), ("ministry_admin", 200), ("viewer", 200)])
def test_the_calendar_page_access(client, personas, persona, status):
    if personas[persona] is not None:
        force_login_verified(client, personas[persona])
    assert client.get(reverse("reporting_calendar")).status_code == status


def test_the_calendar_page_refuses_a_user_with_no_role(client, db):
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(reverse("reporting_calendar")).status_code == 403


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_calendar_page_in_both_directions(client, personas, portfolio, language):
    client.force_login(personas["undp_focal_point"])
    client.cookies["django_language"] = language
    html = client.get(reverse("reporting_calendar"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert ('dir="rtl"' in html) == (language == "ar")
    title = portfolio["mine"].title_ar if language == "ar" else portfolio["mine"].title_en
    assert title in html
