"""Delay rules: the pure engine against the demo truth and edge cases; scans, flags and their review life."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from coordination.analysis.delays import (
    DelayIn,
    DelayThresholds,
    delay_findings,
    delay_reason_text,
    project_delays,
)
from demo import gap_delay_records as demo
from demo.generator import generate_portfolio
from tests.coordination.gap_delay_helpers import TODAY, demo_reference_in_db, role_user, seed_demo
from tests.demo.reference import reference_records

T = DelayThresholds()


@pytest.mark.parametrize(("n", "seed"), [(300, 7), (3000, 4)])
def test_every_late_project_is_flagged_with_its_rules_and_no_on_time_project_is(n, seed):
    portfolio = generate_portfolio(reference_records(), n, seed, TODAY)
    findings = delay_findings(demo.delay_records(portfolio), TODAY, T)
    found: dict[int, list[str]] = {}
    for f in findings:
        found.setdefault(f.project_id, []).append(f.rule)
    expected = {int(e["key"][1:]): e["rules"] for e in portfolio.truth["delayed"]}
    assert found == expected
    assert not set(found) & {int(e["key"][1:]) for e in portfolio.truth["on_time"]}
    assert {r for rules in expected.values() for r in rules} == {
        "end_passed", "start_passed", "late_start", "progress_behind", "no_recent_update", "suspended"}


def test_the_default_thresholds_are_the_truth_definitions():
    from django.conf import settings

    truth = generate_portfolio(reference_records(), 50, 1, TODAY).truth
    assert truth["definitions"]["thresholds"] == settings.TANSIQ_DELAY_THRESHOLDS
    assert DelayThresholds.from_mapping(settings.TANSIQ_DELAY_THRESHOLDS) == T


D = date(2025, 6, 30)


def _rules(**kw) -> list[str]:
    base = {"id": 1, "status": 2, "planned_start": None, "planned_end": None, "actual_start": None,
            "progress": 50.0, "last_accepted_end": None}
    return [f.rule for f in project_delays(DelayIn(**{**base, **kw}), D, T)]


def test_projects_without_dates_only_trip_rules_that_need_no_date():
    assert _rules() == []
    assert _rules(status=1) == []
    assert _rules(status=6) == ["suspended"]
    assert _rules(last_accepted_end=D - timedelta(days=200)) == ["no_recent_update"]
    assert _rules(planned_end=D - timedelta(days=5)) == ["end_passed"]
    assert _rules(actual_start=D - timedelta(days=10)) == []


@pytest.mark.parametrize("status", [3, 4, 5])
def test_finalisation_closed_and_cancelled_projects_are_never_delayed(status):
    long_ago = D - timedelta(days=900)
    assert _rules(status=status, planned_start=long_ago, planned_end=long_ago + timedelta(days=10),
                  actual_start=long_ago + timedelta(days=300), progress=0) == []


def test_each_rule_at_its_threshold():
    start = D - timedelta(days=400)
    assert _rules(planned_start=start, actual_start=start + timedelta(days=90), planned_end=D + timedelta(days=100),
                  last_accepted_end=D) == []
    assert _rules(planned_start=start, actual_start=start + timedelta(days=91), planned_end=D + timedelta(days=100),
                  last_accepted_end=D) == ["late_start"]
    assert _rules(actual_start=D - timedelta(days=90)) == []
    assert _rules(actual_start=D - timedelta(days=91)) == ["no_recent_update"]
    # 80 % of the period elapsed with 30 % progress trips it; 31 % does not
    span = dict(planned_start=D - timedelta(days=80), planned_end=D + timedelta(days=20), last_accepted_end=D)
    assert _rules(progress=30.0, **span) == ["progress_behind"]
    assert _rules(progress=31.0, **span) == []
    assert _rules(status=1, planned_start=D) == [] and _rules(status=1, planned_start=D - timedelta(days=1)) == [
        "start_passed"]


def test_severity_score_and_reasons():
    (f,) = project_delays(DelayIn(1, 2, None, D - timedelta(days=200), None, 50, D), D, T)
    assert (f.rule, f.severity) == ("end_passed", 3) and 0.75 < f.score <= 1
    (g,) = project_delays(DelayIn(1, 2, None, D - timedelta(days=20), None, 50, D), D, T)
    assert g.severity == 2 and g.score < f.score
    (s,) = project_delays(DelayIn(1, 6, None, None, None, 0, None), D, T)
    assert (s.severity, s.score) == (2, 0.5)
    with translation.override("en"):
        assert delay_reason_text(f.reason(), D) == (
            f"In implementation, but the planned end ({(D - timedelta(days=200)).isoformat()}) passed 200 days ago.")
    with translation.override("ar"):
        assert "200" in delay_reason_text(f.reason(), D)
    assert delay_reason_text({"code": "end_passed", "params": {}})  # a broken reason still reads


def test_thresholds_come_from_settings(settings):
    from coordination.services.delays import delay_thresholds

    settings.TANSIQ_DELAY_THRESHOLDS = {**settings.TANSIQ_DELAY_THRESHOLDS, "silence_days": 30}
    assert delay_thresholds().silence_days == 30
    settings.TANSIQ_DELAY_THRESHOLDS = {"silence": 30}
    with pytest.raises(ValueError, match="Unknown"):
        delay_thresholds()


# -- the database path ---------------------------------------------------------------------------------

@pytest.fixture
def seeded(db, tmp_path):
    demo_reference_in_db()
    return seed_demo(tmp_path)


def _current(**filters) -> set[tuple[int, str]]:
    from coordination.models import DelayFlag

    return set(DelayFlag.objects.filter(resolved_at__isnull=True, **filters).values_list("project_id", "rule"))


def test_full_scan_flags_exactly_the_late_projects_with_the_same_rules(seeded):
    from coordination.services.delays import delays_full_scan

    run = delays_full_scan(today=TODAY)
    expected = {(e["id"], rule) for e in seeded["delayed"] for rule in e["rules"]}
    assert _current() == expected
    assert run.counts["flags"]["created"] == len(expected) and run.counts["delayed_projects"] == len(seeded["delayed"])
    assert not {p for p, _ in _current()} & {e["id"] for e in seeded["on_time"]}
    again = delays_full_scan(today=TODAY)
    assert again.counts["flags"] == {**again.counts["flags"], "created": 0, "resolved": 0, "reopened": 0}
    assert _current() == expected


def test_a_dismissed_delay_stays_dismissed_and_reopens_after_a_material_change(
        seeded, django_capture_on_commit_callbacks):
    from coordination.models import DelayFlag
    from coordination.services.delays import delay_flag_review, delays_full_scan
    from projects import services
    from projects.models import Project
    from tests import factories

    delays_full_scan(today=TODAY)
    flag = DelayFlag.objects.filter(rule="end_passed").order_by("id").first()
    reviewer = factories.UserFactory(is_superuser=True)
    delay_flag_review(flag=flag, user=reviewer, status="dismissed", note="A no-cost extension was agreed.")
    run = delays_full_scan(today=TODAY + timedelta(days=3))  # scores move, the facts do not
    flag.refresh_from_db()
    assert flag.status == "dismissed" and flag.decision_note.startswith("A no-cost")
    assert run.counts["flags"]["reopened"] == 0

    project = Project.objects.get(pk=flag.project_id)
    project.planned_end = project.planned_end + timedelta(days=10)  # still passed, but a new plan
    with django_capture_on_commit_callbacks(execute=True):
        services.project_save(project=project)
    flag.refresh_from_db()
    assert flag.status == "open" and flag.decided_by is None and flag.resolved_at is None
    assert list(flag.history.values_list("status", flat=True)[:3]) == ["open", "dismissed", "open"]


def test_a_flag_whose_rule_no_longer_holds_is_resolved_and_comes_back_with_its_decision(
        seeded, django_capture_on_commit_callbacks):
    from coordination.models import DelayFlag
    from coordination.services.delays import delay_flag_review, delays_full_scan
    from projects import services
    from projects.models import Project
    from tests import factories

    delays_full_scan(today=TODAY)
    flag = DelayFlag.objects.filter(rule="suspended").order_by("id").first()
    delay_flag_review(flag=flag, user=factories.UserFactory(is_superuser=True), status="confirmed")
    project = Project.objects.get(pk=flag.project_id)
    project.status = 4  # closed: never delayed
    with django_capture_on_commit_callbacks(execute=True):
        services.project_save(project=project)
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.status == "confirmed"
    project.status = 6
    with django_capture_on_commit_callbacks(execute=True):
        services.project_save(project=project)
    flag.refresh_from_db()
    assert flag.resolved_at is None and flag.status == "confirmed"  # same facts: the decision holds


def test_an_accepted_update_ends_the_silence(seeded, django_capture_on_commit_callbacks):
    from coordination.models import DelayFlag
    from coordination.services.delays import delays_check_projects, delays_full_scan
    from projects.events import project_update_changed
    from projects.models import Project, ProjectUpdate

    delays_full_scan(today=date.today())
    flag = DelayFlag.objects.filter(rule="no_recent_update", resolved_at__isnull=True).order_by("id").first()
    project = Project.objects.get(pk=flag.project_id)
    update = ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                          period_start=date.today() - timedelta(days=30),
                                          period_end=date.today(), progress_percent=60, status=2, state="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        project_update_changed.send(sender=ProjectUpdate, update_ids=[update.id], project_ids=[project.id])
    flag.refresh_from_db()
    assert flag.resolved_at is not None
    assert delays_check_projects(project_ids=[]) is None


def test_overlapping_runs_never_duplicate_a_flag(seeded):
    from coordination.models import AnalysisRun, DelayFlag
    from coordination.services.delays import DELAY_VALUE_FIELDS
    from coordination.services.flag_life import Observed, flags_sync

    existing = DelayFlag.objects.create(project_id=seeded["delayed"][0]["id"], rule="suspended", severity=2, score=0.5)
    run = AnalysisRun.objects.create(kind="delays", mode="full")
    # A second run that did not see the first one's flag (its scope is empty) tries to create it again.
    counts = flags_sync(model=DelayFlag, scope=DelayFlag.objects.none(),
                        observed=[Observed((existing.project_id, "suspended"), "f", {"score": 0.6, "severity": 2,
                                                                                    "reasons": []})],
                        key_of=lambda f: (f.project_id, f.rule),
                        build=lambda o: DelayFlag(project_id=o.key[0], rule=o.key[1]),
                        value_fields=DELAY_VALUE_FIELDS, run=run)
    assert counts["created"] == 0 and counts["conflicts"] == 1
    assert DelayFlag.objects.filter(project_id=existing.project_id, rule="suspended").count() == 1


def test_review_needs_the_role_and_a_reason_to_dismiss(seeded, roles):
    from coordination import roles as r
    from coordination.models import DelayFlag
    from coordination.services.delays import delay_flag_review, delays_full_scan

    personas = {"viewer": role_user("viewer", r.VIEWER), "rapporteur": role_user("rapporteur", r.RAPPORTEUR),
                "focal_point": role_user("fp", r.FOCAL_POINT), "ministry_admin": role_user("admin", r.MINISTRY_ADMIN),
                "ministry_analyst": role_user("analyst", r.MINISTRY_ANALYST)}
    delays_full_scan(today=TODAY)
    flag = DelayFlag.objects.order_by("id").first()
    for who in ("viewer", "rapporteur", "focal_point"):
        with pytest.raises(PermissionDenied):
            delay_flag_review(flag=flag, user=personas[who], status="confirmed")
    with pytest.raises(ValidationError):
        delay_flag_review(flag=flag, user=personas["ministry_analyst"], status="dismissed", note="  ")
    with pytest.raises(ValidationError):
        delay_flag_review(flag=flag, user=personas["ministry_analyst"], status="related")
    done = delay_flag_review(flag=flag, user=personas["ministry_analyst"], status="confirmed", note="Seen.")
    assert (done.status, done.decided_by, done.decided_fingerprint) == ("confirmed", personas["ministry_analyst"],
                                                                        done.fingerprint)
    assert done.history.first().history_user == personas["ministry_analyst"]
    reopened = delay_flag_review(flag=flag, user=personas["ministry_admin"], status="open")
    assert reopened.status == "open" and reopened.decided_at is None


def test_detect_delays_command(seeded):
    out = io.StringIO()
    call_command("detect_delays", "--today", TODAY.isoformat(), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["delayed_projects"] == len(seeded["delayed"])
    assert {(r["project_id"], r["rule"]) for r in data["findings"]} == {
        (e["id"], rule) for e in seeded["delayed"] for rule in e["rules"]}
    out = io.StringIO()
    call_command("detect_delays", "--today", TODAY.isoformat(), "--format", "csv", stdout=out)
    assert len(list(csv.DictReader(io.StringIO(out.getvalue())))) == len(data["findings"])
    out = io.StringIO()
    call_command("detect_delays", "--today", TODAY.isoformat(), "--save", stdout=out, stderr=io.StringIO())
    assert "delayed projects" in out.getvalue() and _current()


def test_tasks_record_runs(seeded):
    from coordination.models import AnalysisRun
    from coordination.tasks import gaps_delays

    gaps_delays.delays_full_scan.delay()
    project_id = seeded["delayed"][0]["id"]
    gaps_delays.delays_check_projects.delay([project_id])
    gaps_delays.delays_check_projects.delay([project_id])  # twice: the same flags
    runs = AnalysisRun.objects.filter(kind="delays")
    assert runs.filter(mode="full", status="succeeded").count() == 1
    assert runs.filter(mode="incremental", status="succeeded").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_time_leave_one_flag_per_finding(tmp_path):
    """Two scans at once: PostgreSQL runs them concurrently (row locks); SQLite makes the second
    writer wait for the first (BEGIN IMMEDIATE). Either way one flag per finding."""
    import threading

    from django.db import connections

    from coordination.models import AnalysisRun, DelayFlag
    from coordination.services.delays import delays_full_scan

    demo_reference_in_db()
    truth = seed_demo(tmp_path, projects=200, seed=5)
    barrier, errors = threading.Barrier(2), []

    def scan() -> None:
        try:
            barrier.wait()
            delays_full_scan(today=TODAY)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    expected = {(e["id"], rule) for e in truth["delayed"] for rule in e["rules"]}
    assert DelayFlag.objects.count() == len(expected) and _current() == expected
    runs = AnalysisRun.objects.filter(kind="delays", status="succeeded")
    assert runs.count() == 2
    assert sum(r.counts["flags"]["created"] for r in runs) == len(expected)
