"""A run left "running" by a killed worker: marked failed by the nightly sweep once past the timeout, shown with
its error in the admin (last run of each job, error column, filter by status), and the next scan not blocked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coordination.models import AnalysisRun
from coordination.runs import analysis_runs_fail_stale, analysis_runs_latest

pytestmark = pytest.mark.django_db


def _run(kind="duplicates", mode="full", *, minutes_ago: int, **fields) -> AnalysisRun:
    run = AnalysisRun.objects.create(kind=kind, mode=mode, **fields)
    AnalysisRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return run


def test_a_run_left_running_past_the_timeout_is_marked_failed(settings):
    settings.TANSIQ_ANALYSIS_STALE_MINUTES = 60
    stale = _run(minutes_ago=61)
    fresh = _run(kind="gaps", minutes_ago=59)
    done = _run(kind="delays", minutes_ago=600, status="succeeded", finished_at=timezone.now())
    assert analysis_runs_fail_stale() == 1
    stale.refresh_from_db(), fresh.refresh_from_db(), done.refresh_from_db()
    assert stale.status == "failed" and stale.finished_at is not None and "60 minutes" in stale.error
    assert fresh.status == "running" and fresh.error == ""
    assert done.status == "succeeded" and done.error == ""
    assert analysis_runs_fail_stale() == 0  # safe to run twice


def test_the_nightly_beat_runs_the_sweep(settings):
    from coordination.tasks import analysis_runs_fail_stale as task

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == task.name]
    assert len(entries) == 1
    settings.TANSIQ_ANALYSIS_STALE_MINUTES = 30
    run = _run(minutes_ago=31)
    assert task.delay().get() == 1
    run.refresh_from_db()
    assert run.status == "failed"


def test_the_next_scan_is_not_blocked_by_a_stale_run(settings):
    from coordination.services.duplicates import duplicates_full_scan

    settings.TANSIQ_ANALYSIS_STALE_MINUTES = 30
    stale = _run(minutes_ago=500)
    analysis_runs_fail_stale()
    run = duplicates_full_scan()
    assert run.status == "succeeded" and run.pk != stale.pk
    latest = {(r.kind, r.mode): r for r in analysis_runs_latest()}
    assert latest[("duplicates", "full")].pk == run.pk


def test_the_admin_shows_the_last_run_of_each_job_and_its_failure(client, admin_user):
    from tests.conftest import force_login_verified

    force_login_verified(client, admin_user)
    _run(minutes_ago=100, status="succeeded", finished_at=timezone.now())
    failed = _run(kind="gaps", minutes_ago=50, status="failed", finished_at=timezone.now(),
                  error="OperationalError: the database went away\nTraceback ...")
    _run(kind="gaps", minutes_ago=200, status="succeeded", finished_at=timezone.now())
    response = client.get("/admin/coordination/analysisrun/?status__exact=failed", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Last run of each job" in page
    latest = {(r.kind, r.mode): r.pk for r, _error in response.context["latest_runs"]}
    assert latest == {("duplicates", "full"): latest[("duplicates", "full")], ("gaps", "full"): failed.pk}
    # The error column, first line only; the list filtered by status shows only the failed run.
    assert "OperationalError: the database went away" in page and "Traceback" not in page
    assert list(response.context["cl"].queryset.values_list("pk", flat=True)) == [failed.pk]
    assert response.context["cl"].has_filters
    assert "status" in [spec.field.name for spec in response.context["cl"].filter_specs]
