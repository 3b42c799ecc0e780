"""Duplicate detection through the database: runs, flags, review, re-runs, API, export."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from coordination.models import AnalysisRun, DuplicateFlag, FlagStatus
from coordination.services.duplicates import (
    duplicate_flag_review,
    duplicates_check_projects,
    duplicates_full_scan,
)
from projects.models import Project
from projects.selectors.money import budget_total_usd
from projects.services import project_save


@pytest.fixture
def portfolio(db, tmp_path):
    call_command("load_reference_data", verbosity=0)
    truth_path = tmp_path / "truth.json"
    call_command("seed_demo", projects=400, seed=11, truth=str(truth_path), today="2025-06-30", verbosity=0)
    return json.loads(truth_path.read_text())


def _pair(ids):
    return tuple(sorted(ids))


def test_a_full_scan_flags_the_planted_duplicates_and_records_the_run(portfolio):
    run = duplicates_full_scan()
    assert run.status == AnalysisRun.Status.SUCCEEDED and run.duration_seconds > 0
    assert run.counts["projects"] == 400 and run.counts["created"] == DuplicateFlag.objects.count()
    flags = {(f.project_a_id, f.project_b_id): f for f in DuplicateFlag.objects.all()}
    truth = {_pair(d["ids"]): d["kind"] for d in portfolio["duplicates"]}
    found = {k for k, f in flags.items() if f.kind in ("reported_twice", "overlap")}
    recall = len(found & set(truth)) / len(truth)
    precision = len(found & set(truth)) / max(1, len(found))
    assert recall >= 0.75 and precision >= 0.75, (recall, precision)
    linked = [d for d in portfolio["duplicates"] if d.get("linked")]
    for d in linked:  # the same money reported by funder and implementer, linked by ids: always found
        flag = flags[_pair(d["ids"])]
        assert flag.kind == "reported_twice" and flag.score >= 0.9
        assert any(r["code"] == "linked_activity_ids" for r in flag.reasons)


def test_decisions_survive_a_rerun_unless_a_project_changes_materially(portfolio, personas):
    duplicates_full_scan()
    analyst = personas["ministry_analyst"]
    flag = DuplicateFlag.objects.filter(kind="overlap").first() or DuplicateFlag.objects.first()
    duplicate_flag_review(flag=flag, user=analyst, decision=FlagStatus.DISMISSED, note="Two different wells.")
    second = duplicates_full_scan()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED and flag.decision_note == "Two different wells."
    assert second.counts["created"] == 0 and second.counts["reopened"] == 0
    # A change that is not material (budget) keeps the decision ...
    project = flag.project_a
    project.budget = (project.budget or Decimal("0")) + Decimal("1000")
    project_save(project=project, user=analyst)
    duplicates_check_projects(project_ids=[project.pk])
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED
    # ... a new planned end is material: the pair is looked at again.
    project.planned_end = project.planned_end.replace(year=project.planned_end.year + 1)
    project_save(project=project, user=analyst)
    duplicates_check_projects(project_ids=[project.pk])
    flag.refresh_from_db()
    if flag.resolved_at is None:  # still alike after the change: open again for review
        assert flag.status == FlagStatus.OPEN and flag.decided_by is None


def test_a_confirmed_double_report_counts_one_record_in_money_totals(portfolio, personas):
    duplicates_full_scan()
    flag = DuplicateFlag.objects.filter(kind="reported_twice").first()
    before = budget_total_usd()["usd"]
    with pytest.raises(ValidationError):  # the record that counts must be named
        duplicate_flag_review(flag=flag, user=personas["ministry_analyst"], decision=FlagStatus.CONFIRMED)
    duplicate_flag_review(flag=flag, user=personas["ministry_analyst"], decision=FlagStatus.CONFIRMED,
                          counted_project_id=flag.project_a_id, note="Funder and implementer report the same grant.")
    other = Project.objects.get(pk=flag.project_b_id)
    assert other.duplicate_of_id == flag.project_a_id
    assert budget_total_usd()["usd"] < before
    duplicate_flag_review(flag=flag, user=personas["ministry_analyst"], decision=FlagStatus.OPEN)
    other.refresh_from_db()
    assert other.duplicate_of_id is None and budget_total_usd()["usd"] == before
    assert flag.history.count() >= 3  # who decided what, kept


@pytest.mark.parametrize("persona", ["viewer", "undp_focal_point", "rapporteur"])
def test_only_ministry_reviewers_may_decide(portfolio, personas, persona):
    from django.core.exceptions import PermissionDenied

    duplicates_full_scan()
    flag = DuplicateFlag.objects.first()
    with pytest.raises(PermissionDenied):
        duplicate_flag_review(flag=flag, user=personas[persona], decision=FlagStatus.DISMISSED, note="no")


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_scans_leave_one_flag_per_pair(tmp_path):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", projects=300, seed=5, today="2025-06-30", verbosity=0)
    errors = []

    def scan():
        try:
            duplicates_full_scan()
        except Exception as exc:  # reported below: the assertion must see it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    pairs = list(DuplicateFlag.objects.values_list("project_a_id", "project_b_id"))
    assert pairs and len(pairs) == len(set(pairs))
    runs = AnalysisRun.objects.filter(kind="duplicates")
    assert runs.count() == 2 and all(r.status == "succeeded" for r in runs)
    assert sum(r.counts["created"] for r in runs) == len(pairs)


def test_the_api_lists_filters_and_reviews(portfolio, personas, client, django_assert_max_num_queries):
    duplicates_full_scan()
    client.force_login(personas["viewer"])
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/duplicates/?kind=reported_twice&min_score=0.5")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == DuplicateFlag.objects.filter(kind="reported_twice", score__gte=0.5).count()
    first = body["results"][0]
    assert {"project_a", "project_b", "score", "kind", "status", "reasons", "reason_texts"} <= set(first)
    assert first["reason_texts"] and all(isinstance(t, str) for t in first["reason_texts"])
    url = f"/api/v1/duplicates/{first['id']}/review/"
    assert client.post(url, {"status": "dismissed", "note": "x"}, content_type="application/json").status_code == 403
    client.force_login(personas["ministry_analyst"])
    bad = client.post(url, {"status": "dismissed"}, content_type="application/json")
    assert bad.status_code == 400 and "note" in bad.json()["error"]["fields"]
    ok = client.post(url, {"status": "confirmed", "counted_project": first["project_a"]["id"], "note": "same"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    assert client.get("/api/v1/duplicates/?status=nonsense").status_code == 400
    client.logout()
    assert client.get("/api/v1/duplicates/").status_code in (401, 403)


def test_export_writes_the_columns_and_defuses_formulas(portfolio, tmp_path, capsys):
    duplicates_full_scan()
    flag = DuplicateFlag.objects.first()
    DuplicateFlag.objects.filter(pk=flag.pk).update(decision_note="=HYPERLINK(\"http://x\")")
    call_command("export_duplicates", format="csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",")[:6] == ["project_a", "project_b", "score", "kind", "status", "reasons"]
    assert len(lines) - 1 == DuplicateFlag.objects.count()
    assert not any(",=HYPERLINK" in line or line.startswith("=") for line in lines)
    out = tmp_path / "dups.json"
    call_command("export_duplicates", format="json", status="open", output=str(out))
    rows = json.loads(out.read_text())
    assert len(rows) == DuplicateFlag.objects.filter(status="open").count()
    assert all(isinstance(r["reasons"], list) for r in rows)


def test_detect_duplicates_command_prints_counts(portfolio, capsys):
    call_command("detect_duplicates", "--full", verbosity=0)
    out = capsys.readouterr().out
    assert "projects 400" in out and "created" in out
    call_command("detect_duplicates", verbosity=0)  # incremental: nothing changed since
    assert "0 projects changed" in capsys.readouterr().out


def test_the_review_page_lists_pairs_and_records_a_decision(portfolio, personas, client,
                                                           django_assert_max_num_queries):
    duplicates_full_scan()
    client.force_login(personas["ministry_analyst"])
    with django_assert_max_num_queries(10):
        response = client.get("/coordination/duplicates/?status=open")
    html = response.content.decode()
    assert response.status_code == 200 and 'dir="rtl"' in html
    flag = response.context["page"][0]
    assert f'data-flag="{flag.pk}"' in html
    response = client.post(f"/coordination/duplicates/{flag.pk}/review/",
                           {"status": "dismissed", "note": "مشروعان مختلفان", "status_filter": "open", "page": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?status=open&page=1")
    flag.refresh_from_db()
    assert flag.status == "dismissed" and flag.decided_by == personas["ministry_analyst"]
    client.force_login(personas["viewer"])
    assert client.post(f"/coordination/duplicates/{flag.pk}/review/", {"status": "open"}).status_code == 403
    assert "<form method=\"post\"" not in client.get("/coordination/duplicates/").content.decode()
