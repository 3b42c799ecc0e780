"""The stored reporting calendar (ReportingPeriod): equal to what the pure calendar computes after a full sync
and after changes made through the services; kept current by the change events; idempotent; read by the pages
in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import ActivityStatus, Project, ProjectUpdate, ReportingFrequency, ReviewState
from projects.models.reporting import ReportingPeriod
from projects.reporting.calendar import Tally, tally
from projects.reporting.selectors.reports import overdue_reports, partner_reports_due, report_schedules
from projects.reporting.selectors.scorecard import report_tallies
from projects.reporting.services.periods import reporting_periods_sync
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(11, 0)))


def _submitted(project, start, end, on: dt.date | None, state=ReviewState.SUBMITTED):
    return ProjectUpdate.objects.create(
        project=project, partner=project.reporting_partner, period_start=start, period_end=end, progress_percent=10,
        status=ActivityStatus.IMPLEMENTATION, state=state if on else ReviewState.DRAFT,
        submitted_at=_at(on) if on else None)


def stored() -> list[tuple]:
    return sorted(ReportingPeriod.objects.values_list(
        "project_id", "period_start", "period_end", "due_date", "submitted_on", "partner_id"))


def computed(today: dt.date) -> list[tuple]:
    """The calendar computed on the fly (projects.reporting.calendar through report_schedules)."""
    return sorted((s.project_id, r.period.start, r.period.end, r.period.due, r.submitted, s.partner_id)
                  for s in report_schedules(today=today) for r in s.reports)


@pytest.fixture
def portfolio(personas, undp, unicef):
    """Month ends, mid-period starts, every frequency, closed, cancelled, pipeline and double-reported projects,
    and on-time, late, early, repeated, draft and missing reports."""
    mid_quarter = factories.ProjectFactory(reporting_partner=undp, actual_start=D(2025, 2, 14),
                                           planned_start=D(2025, 1, 1), planned_end=D(2027, 12, 31))
    _submitted(mid_quarter, D(2025, 2, 14), D(2025, 3, 31), D(2025, 4, 15))  # on the due date: on time
    _submitted(mid_quarter, D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 16))  # a day late
    _submitted(mid_quarter, D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 2))  # an earlier one counts first
    _submitted(mid_quarter, D(2025, 7, 1), D(2025, 9, 30), None)  # a draft reports nothing
    month_end = factories.ProjectFactory(reporting_partner=undp, reporting_frequency=ReportingFrequency.MONTHLY,
                                         planned_start=D(2024, 12, 31), planned_end=D(2025, 5, 10),
                                         status=ActivityStatus.CLOSED)  # closed: until its planned end
    _submitted(month_end, D(2025, 2, 1), D(2025, 3, 31), D(2025, 3, 1))  # early, covers the ends of Feb and Mar
    half_year = factories.ProjectFactory(reporting_partner=unicef, reporting_frequency=6,
                                         actual_start=D(2024, 7, 1), actual_end=D(2025, 9, 15),
                                         status=ActivityStatus.FINALISATION)
    _submitted(half_year, D(2024, 7, 1), D(2025, 6, 30), D(2025, 8, 1))  # one report covering two periods
    yearly = factories.ProjectFactory(reporting_partner=unicef, reporting_frequency=12, planned_start=D(2023, 3, 3),
                                      planned_end=None, status=ActivityStatus.SUSPENDED)
    owes_nothing = [
        factories.ProjectFactory(reporting_partner=undp, status=ActivityStatus.PIPELINE),
        factories.ProjectFactory(reporting_partner=undp, status=ActivityStatus.CANCELLED),
        factories.ProjectFactory(reporting_partner=undp, planned_start=None, planned_end=None),
        factories.ProjectFactory(reporting_partner=unicef, duplicate_of=mid_quarter),
        factories.ProjectFactory(reporting_partner=unicef, planned_start=D(2099, 1, 1), planned_end=D(2099, 6, 1)),
    ]
    return {"mid_quarter": mid_quarter, "month_end": month_end, "half_year": half_year, "yearly": yearly,
            "owes_nothing": owes_nothing}


def test_a_full_sync_stores_what_the_calendar_computes(portfolio):
    today = timezone.localdate()
    result = reporting_periods_sync()
    rows = stored()
    assert rows == computed(today) and result.created == len(rows) and result.projects == Project.objects.count()
    by_project = {p: [r for r in rows if r[0] == p] for p in {r[0] for r in rows}}
    assert set(by_project) == {portfolio[k].pk for k in ("mid_quarter", "month_end", "half_year", "yearly")}
    first, second, third = by_project[portfolio["mid_quarter"].pk][:3]
    assert first[1:5] == (D(2025, 2, 14), D(2025, 3, 31), D(2025, 4, 15), D(2025, 4, 15))  # starts mid-quarter
    assert second[4] == D(2025, 7, 2) and third[4] is None  # the first submission counts; a draft does not
    assert [r[1:5] for r in by_project[portfolio["month_end"].pk]] == [
        (D(2024, 12, 31), D(2024, 12, 31), D(2025, 1, 15), None),  # a one-day first month
        (D(2025, 1, 1), D(2025, 1, 31), D(2025, 2, 15), None),
        (D(2025, 2, 1), D(2025, 2, 28), D(2025, 3, 15), D(2025, 3, 1)),
        (D(2025, 3, 1), D(2025, 3, 31), D(2025, 4, 15), D(2025, 3, 1)),
        (D(2025, 4, 1), D(2025, 4, 30), D(2025, 5, 15), None),
        (D(2025, 5, 1), D(2025, 5, 10), D(2025, 5, 25), None),  # ends with the project
    ]
    assert [r[2] for r in by_project[portfolio["half_year"].pk]] == [D(2024, 12, 31), D(2025, 6, 30), D(2025, 9, 15)]
    assert by_project[portfolio["yearly"].pk][0][1:3] == (D(2023, 3, 3), D(2023, 12, 31))


def test_a_second_sync_changes_nothing(portfolio):
    reporting_periods_sync()
    before = dict(ReportingPeriod.objects.values_list("pk", "submitted_on"))
    again = reporting_periods_sync()
    assert (again.created, again.updated, again.deleted) == (0, 0, 0) and again.unchanged == len(before) > 0
    assert dict(ReportingPeriod.objects.values_list("pk", "submitted_on")) == before  # same rows, not rewritten


def test_a_sync_repairs_rows_that_drifted(portfolio):
    reporting_periods_sync()
    expected = stored()
    row = ReportingPeriod.objects.filter(project=portfolio["yearly"]).first()
    ReportingPeriod.objects.filter(pk=row.pk).update(due_date=D(2000, 1, 1), submitted_on=D(2000, 1, 2))
    ReportingPeriod.objects.filter(project=portfolio["month_end"], period_end=D(2025, 2, 28)).delete()
    ReportingPeriod.objects.create(project=portfolio["owes_nothing"][0], partner=portfolio["owes_nothing"][0]
                                   .reporting_partner, period_start=D(2025, 1, 1), period_end=D(2025, 3, 31),
                                   due_date=D(2025, 4, 15))
    result = reporting_periods_sync()
    assert (result.created, result.updated, result.deleted) == (1, 1, 1)
    assert stored() == expected


def test_a_sync_of_some_projects_leaves_the_others_alone(portfolio):
    result = reporting_periods_sync(project_ids=[portfolio["yearly"].pk, portfolio["owes_nothing"][0].pk])
    assert result.projects == 2
    assert {r[0] for r in stored()} == {portfolio["yearly"].pk}


def test_stored_rows_answer_for_an_earlier_day_as_the_calendar_did_then(portfolio, undp, unicef):
    reporting_periods_sync()  # today
    compared = 0
    for day in (D(2025, 3, 20), D(2025, 7, 10), D(2025, 10, 1)):
        schedules = report_schedules(today=day)
        for partner in (undp, unicef):
            due = partner_reports_due(partner_id=partner.pk, today=day)
            for kind, status in (("overdue", "missing"), ("upcoming", "pending")):
                expected = sorted((r.period.due, s.project_id, r.period.start, r.period.end) for s in schedules
                                  if s.partner_id == partner.pk for r in s.reports if r.status == status)
                listed = [(d.report.period.due, d.schedule.project_id, d.report.period.start, d.report.period.end)
                          for d in due[kind]]
                assert listed == expected and len(due[kind]) == len(expected), (day, kind)
                assert all(d.report.status == status for d in due[kind])
                compared += len(expected)
        expected_tallies: dict[int, Tally] = defaultdict(Tally)
        for schedule in schedules:
            expected_tallies[schedule.partner_id] += tally(schedule.reports)
        assert report_tallies(partner_ids=[undp.pk, unicef.pk], today=day) == {
            partner_id: counted for partner_id, counted in expected_tallies.items() if counted.due}
    assert compared >= 10  # the days chosen have reports in the lists


# --- kept current through the services and their events ---------------------------------------------


@pytest.fixture
def synced(portfolio):
    reporting_periods_sync()
    return portfolio


def _overdue_of(project) -> list[dt.date]:
    return [row.report.period.end for row in overdue_reports() if row.schedule.project_id == project.pk]


def test_a_submitted_update_ends_the_overdue_period_once_committed(synced, personas,
                                                                   django_capture_on_commit_callbacks):
    project, fp = synced["mid_quarter"], personas["undp_focal_point"]
    assert D(2025, 9, 30) in _overdue_of(project)
    with django_capture_on_commit_callbacks(execute=True):
        update = services.project_update_create(project=project, user=fp, fields={
            "period_start": D(2025, 7, 1), "period_end": D(2025, 9, 30), "progress_percent": Decimal(20),
            "status": ActivityStatus.IMPLEMENTATION})
    assert D(2025, 9, 30) in _overdue_of(project)  # a draft reports nothing
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.project_update_submit(update=update, user=fp)
    assert D(2025, 9, 30) in _overdue_of(project)  # not before the write commits
    for callback in callbacks:
        callback()
    assert D(2025, 9, 30) not in _overdue_of(project)
    assert ReportingPeriod.objects.get(project=project, period_end=D(2025, 9, 30)).submitted_on == timezone.localdate()
    assert stored() == computed(timezone.localdate())


def test_changes_through_the_services_keep_the_rows_equal_to_the_calendar(synced, personas, undp,
                                                                          django_capture_on_commit_callbacks):
    admin, today = personas["ministry_admin"], timezone.localdate()
    project = Project.objects.get(pk=synced["mid_quarter"].pk)
    quarterly = ReportingPeriod.objects.filter(project=project).count()
    with django_capture_on_commit_callbacks(execute=True):  # the frequency (the admin's way: project_save)
        project.reporting_frequency = ReportingFrequency.MONTHLY
        assert "reporting" in services.project_save(project=project, user=admin)
    assert ReportingPeriod.objects.filter(project=project).count() > 2 * quarterly
    assert stored() == computed(today)

    with django_capture_on_commit_callbacks(execute=True):  # dates and status: closed early
        services.project_edit(project=project, user=admin, fields={
            "status": ActivityStatus.CLOSED, "actual_end": D(2025, 8, 20)})
    assert ReportingPeriod.objects.filter(project=project).order_by("period_end").last().period_end == D(2025, 8, 20)
    assert stored() == computed(today)

    yearly = Project.objects.get(pk=synced["yearly"].pk)
    with django_capture_on_commit_callbacks(execute=True):  # a new partner: the rows follow
        services.project_edit(project=yearly, user=admin, fields={"reporting_partner": undp})
    assert set(ReportingPeriod.objects.filter(project=yearly).values_list("partner_id", flat=True)) == {undp.pk}

    half_year = Project.objects.get(pk=synced["half_year"].pk)
    with django_capture_on_commit_callbacks(execute=True):  # cancelled: owes nothing any more
        services.project_edit(project=half_year, user=admin, fields={"status": ActivityStatus.CANCELLED})
    assert not ReportingPeriod.objects.filter(project=half_year).exists()

    month_end = Project.objects.get(pk=synced["month_end"].pk)
    with django_capture_on_commit_callbacks(execute=True):  # confirmed as a double report of another record
        month_end.duplicate_of = yearly
        assert "duplicate" in services.project_save(project=month_end, user=admin)
    assert not ReportingPeriod.objects.filter(project=month_end).exists()

    with django_capture_on_commit_callbacks(execute=True):  # a new running project
        created = services.project_create(user=admin, fields={
            "reporting_partner": undp, "title_en": "New", "status": ActivityStatus.IMPLEMENTATION,
            "planned_start": D(2025, 5, 5), "planned_end": D(2027, 1, 1), "budget": Decimal(1000)})
    assert ReportingPeriod.objects.filter(project=created).order_by("period_end").first().period_start == D(2025, 5, 5)
    assert stored() == computed(today)


def test_changes_that_do_not_touch_the_calendar_queue_no_sync(synced, personas, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    from projects.reporting import tasks

    queued = []
    monkeypatch.setattr(tasks.reporting_periods_sync_projects, "delay", lambda ids: queued.append(ids))
    project = synced["mid_quarter"]
    with django_capture_on_commit_callbacks(execute=True):
        services.project_edit(project=project, user=personas["ministry_admin"], fields={"title_en": "Renamed"})
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        services.project_edit(project=project, user=personas["ministry_admin"], fields={"planned_end": D(2028, 1, 1)})
    assert queued == [[project.pk]]


# --- the daily task, the command, the demo -------------------------------------------------------------


def test_the_daily_task_runs_before_the_reminders(settings, portfolio):
    from projects.reporting.tasks import reporting_periods_sync as task

    entries = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    sync, remind = entries["projects.tasks.reporting_periods_sync"], entries["projects.tasks.send_report_reminders"]
    assert (min(sync.hour), min(sync.minute)) < (min(remind.hour), min(remind.minute))
    first = task.delay().get()
    assert first["created"] == len(stored()) > 0
    assert task.delay().get()["created"] == 0


def test_the_command_prints_counts_and_time(portfolio):
    out = StringIO()
    call_command("sync_reporting_periods", stdout=out, verbosity=0)
    assert f"of {Project.objects.count()} projects synced in" in out.getvalue()
    assert f"{len(stored())} created, 0 updated, 0 deleted, 0 unchanged" in out.getvalue()
    out = StringIO()
    call_command("sync_reporting_periods", "--project", str(portfolio["yearly"].pk), stdout=out, verbosity=0)
    assert "Reporting periods of 1 projects" in out.getvalue() and "0 created" in out.getvalue()


def test_the_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("sync_reporting_periods", "--today", "2025-13-01", verbosity=0)


# --- the pages read the table in a constant number of queries --------------------------------------------


def _projects(partner, n: int) -> None:
    start = timezone.localdate() - dt.timedelta(days=800)
    for _ in range(n):
        factories.ProjectFactory(reporting_partner=partner, actual_start=start, planned_start=start,
                                 planned_end=start + dt.timedelta(days=2000))
    reporting_periods_sync()


@pytest.mark.parametrize("persona", ["ministry_analyst", "undp_focal_point"])
def test_the_calendar_pages_query_count_does_not_grow(client, personas, undp, persona, django_assert_num_queries):
    client.force_login(personas[persona])
    _projects(undp, 2)
    client.get(reverse("reporting_calendar"))  # warm the session and the user's permissions
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        small = client.get(reverse("reporting_calendar"))
    _projects(undp, 30)
    with django_assert_num_queries(len(few.captured_queries)):
        large = client.get(reverse("reporting_calendar"), {"page": 2})
    assert small.status_code == large.status_code == 200
    assert large.context["overdue"].paginator.count > small.context["overdue"].paginator.count > 0
    assert "pagination" in large.content.decode()


def test_an_import_announces_its_projects_and_their_periods_follow(personas, django_capture_on_commit_callbacks):
    from projects.exchange.services.iati_import import iati_import
    from tests.projects.exchange.support import eutf_iati_xml, load_reference

    load_reference()
    with django_capture_on_commit_callbacks(execute=True):
        report = iati_import(files=[("eutf.xml", eutf_iati_xml())], user=personas["ministry_admin"])
    assert report.created == 54
    rows = stored()
    assert len({r[0] for r in rows}) >= 30 and rows == computed(timezone.localdate())  # those with a start


def test_the_demo_generator_leaves_the_periods_built(db):
    from tests.projects.exchange.support import load_reference

    load_reference()
    out = StringIO()
    call_command("seed_demo", "--projects=60", "--seed=5", stdout=out)
    rows = stored()
    assert len({r[0] for r in rows}) >= 20 and rows == computed(timezone.localdate())
    assert f"Reporting periods: {len(rows)} stored ({len(rows)} new, 0 removed)" in out.getvalue()


def test_a_confirmed_double_report_leaves_the_calendar_and_comes_back_when_taken_back(
        synced, personas, django_capture_on_commit_callbacks):
    from coordination.models import DuplicateFlag, FlagStatus
    from coordination.services.duplicates import duplicate_flag_review

    project, analyst = synced["mid_quarter"], personas["ministry_analyst"]
    counted = factories.ProjectFactory(reporting_partner=project.reporting_partner)
    a, b = sorted((counted, project), key=lambda p: p.pk)
    flag = DuplicateFlag.objects.create(project_a=a, project_b=b, kind=DuplicateFlag.Kind.REPORTED_TWICE, score=0.95)
    assert _overdue_of(project)
    with django_capture_on_commit_callbacks(execute=True):
        duplicate_flag_review(flag=flag, user=analyst, decision=FlagStatus.CONFIRMED, counted_project_id=counted.pk)
    assert _overdue_of(project) == [] and not ReportingPeriod.objects.filter(project=project).exists()
    with django_capture_on_commit_callbacks(execute=True):
        duplicate_flag_review(flag=flag, user=analyst, decision=FlagStatus.OPEN)
    assert _overdue_of(project)
