"""Coverage gaps: the pure engine against the demo truth and edge cases, the full run and its flags."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from coordination.analysis.gaps import (
    GapSettings,
    MunicipalityIn,
    NeedIn,
    ProjectIn,
    gap_analysis,
    gap_findings,
    gap_reason_text,
    gap_score,
    gini,
)
from demo import gap_delay_records as demo
from demo.generator import generate_portfolio
from tests.coordination.gap_delay_helpers import TODAY, demo_reference_in_db, make_project, seed_demo
from tests.demo.reference import reference_records

REGIONS = {1: 1, 2: 2, 3: 3}


def _analyse(portfolio, reference):
    munis, sectors, projects, needs = demo.gap_records(portfolio, reference, REGIONS)
    return gap_analysis(municipalities=munis, sector_ids=sectors, projects=projects, needs=needs, on=portfolio.today)


# -- the engine against the generator's truth ------------------------------------------------------

@pytest.mark.parametrize(("n", "seed"), [(300, 7), (1500, 2), (4000, 11)])
def test_every_unreached_municipality_and_sector_is_found_and_nothing_else(n, seed):
    reference = reference_records()
    portfolio = generate_portfolio(reference, n, seed, TODAY)
    analysis = _analyse(portfolio, reference)
    truth = portfolio.truth["unreached"]
    assert analysis.unreached_municipality_ids() == {e["id"] for e in truth["municipalities"]}
    assert analysis.unreached_cells() == {(e["municipality_id"], e["sector_id"])
                                          for e in truth["municipality_sectors"]}
    assert analysis.sectors_without_active_project == sorted(truth["sectors_without_active_project"])
    assert truth["municipalities"] and truth["municipality_sectors"]  # the test does test something
    score = demo.gap_truth_score(analysis, portfolio.truth)
    assert score["municipalities"]["recall"] == score["municipality_sectors"]["precision"] == 1.0


def test_the_truth_definitions_are_the_engine_defaults():
    truth = generate_portfolio(reference_records(), 100, 1, TODAY).truth
    assert truth["definitions"]["active_statuses"] == [2]
    assert truth["definitions"]["need_severity_min"] == GapSettings().need_severity_min


# -- edge cases ---------------------------------------------------------------------------------------

D = date(2025, 6, 30)
MUNIS = [MunicipalityIn(1, 10, 100, 10_000), MunicipalityIn(2, 10, 100, 40_000), MunicipalityIn(3, 20, 200, None)]


def _project(pid, *, status=2, start=date(2024, 1, 1), end=None, usd=100_000.0, locations=((1, None),),
             sectors=((1, 100.0),), partners=(1,)):
    return ProjectIn(pid, status, start, end, usd, partners, tuple(locations), tuple(sectors))


def _run(projects, needs=(), munis=MUNIS, sectors=(1, 2), **kw):
    return gap_analysis(municipalities=munis, sector_ids=sectors, projects=projects, needs=needs, on=D, **kw)


def _cell(analysis, m, s):
    return next(c for c in analysis.cells if c.municipality_id == m and c.sector_id == s)


def _muni(analysis, m):
    return next(f for f in analysis.municipalities if f.municipality_id == m)


def test_only_status_2_projects_that_have_started_and_not_ended_are_active():
    projects = [
        _project(1, status=4, locations=((1, None),)),  # closed
        _project(2, status=5, locations=((1, None),)),  # cancelled
        _project(3, status=1, locations=((1, None),)),  # pipeline
        _project(4, status=2, start=D + timedelta(days=1), locations=((2, None),)),  # starts tomorrow
        _project(5, status=2, start=date(2023, 1, 1), end=D - timedelta(days=1), locations=((2, None),)),  # ended
        _project(6, status=2, start=None, end=None, locations=((3, None),)),  # no dates: active
    ]
    analysis = _run(projects)
    assert _muni(analysis, 1).unreached and _muni(analysis, 2).unreached
    assert not _muni(analysis, 3).unreached and _muni(analysis, 3).active_projects == 1
    assert analysis.counts["active_projects"] == 1


def test_money_splits_by_share_else_equally_and_by_sector_percentage():
    projects = [
        _project(1, usd=1000.0, locations=((1, 75), (2, 25)), sectors=((1, 60.0), (2, 40.0))),
        _project(2, usd=900.0, locations=((1, None), (2, None), (3, None)), sectors=((1, 100.0),)),
        _project(3, usd=None, locations=((1, None),)),  # no budget in a convertible currency: present, no money
    ]
    analysis = _run(projects)
    assert math.isclose(_cell(analysis, 1, 1).budget_usd, 750 * 0.6 + 300)
    assert math.isclose(_cell(analysis, 1, 2).budget_usd, 750 * 0.4)
    assert math.isclose(_cell(analysis, 2, 1).budget_usd, 250 * 0.6 + 300)
    assert math.isclose(_muni(analysis, 3).budget_usd, 300)
    assert _muni(analysis, 1).active_projects == 3 and _muni(analysis, 1).projects_without_budget == 1
    assert math.isclose(sum(f.budget_usd for f in analysis.municipalities), 1900)
    assert math.isclose(_muni(analysis, 1).budget_per_capita, (750 + 300) / 10_000, rel_tol=1e-3)
    assert _muni(analysis, 3).budget_per_capita is None  # no population known


def test_a_recheck_of_one_municipality_gives_the_figures_of_a_full_run():
    projects = [_project(1, usd=1000.0, locations=((1, 75), (2, 25))), _project(2, usd=500.0, locations=((2, None),))]
    full = _run(projects)
    one = _run(projects, munis=[MUNIS[1]])
    assert [f for f in full.municipalities if f.municipality_id == 2] == one.municipalities


def test_need_latest_assessment_unreached_sector_and_municipality_without_population():
    needs = [
        NeedIn(1, 2, 2, 500, date(2024, 1, 1)),
        NeedIn(1, 2, 4, 900, date(2025, 1, 1)),  # the latest assessment counts
        NeedIn(1, 1, 5, 100, D + timedelta(days=10)),  # assessed after the date: not known yet
        NeedIn(3, 1, 3, None, date(2025, 1, 1)),  # no population, no people in need
    ]
    analysis = _run([_project(1, locations=((1, None),))], needs)
    cell = _cell(analysis, 1, 2)
    assert (cell.severity, cell.people_in_need, cell.unreached) == (4, 900, True)
    assert cell.gap_score == pytest.approx(0.8)  # unreached: the need alone
    assert _cell(analysis, 1, 1).severity is None and not _cell(analysis, 1, 1).unreached
    m3 = _muni(analysis, 3)
    assert m3.unreached and m3.population is None and m3.gap_score == pytest.approx(0.6)
    assert _cell(analysis, 3, 1).unreached
    assert (_muni(analysis, 1).severity, _muni(analysis, 1).people_in_need) == (4, 900)
    assert analysis.counts["unreached_municipality_sectors"] == 2


def test_the_threshold_is_configurable():
    needs = [NeedIn(2, 1, 2, 100, date(2025, 1, 1))]
    assert not _cell(_run([], needs), 2, 1).unreached
    assert _cell(_run([], needs, settings=GapSettings(need_severity_min=2)), 2, 1).unreached
    with pytest.raises(ValueError, match="Unknown"):
        GapSettings.from_mapping({"need_severity": 2})


def test_gap_score_rises_with_need_and_falls_with_coverage():
    cfg = GapSettings()
    base = {"people": 1000, "settings": cfg}
    assert gap_score(severity=5, budget_usd=0, projects=0, **base) == 1.0
    assert gap_score(severity=3, budget_usd=0, projects=0, **base) < gap_score(severity=4, budget_usd=0, projects=0,
                                                                               **base)
    assert gap_score(severity=4, budget_usd=100_000, projects=1, **base) < gap_score(severity=4, budget_usd=1000,
                                                                                     projects=1, **base)
    assert gap_score(severity=4, budget_usd=0, projects=3, **base) < gap_score(severity=4, budget_usd=0, projects=1,
                                                                               **base)
    expected = 0.8 * math.exp(-(50_000 / 1000) / 100) * 0.8 ** 2
    assert gap_score(severity=4, budget_usd=50_000, projects=2, **base) == pytest.approx(expected, abs=1e-6)
    assert gap_score(severity=None, budget_usd=0, projects=0, people=None, settings=cfg) == pytest.approx(0.4)


def test_rollups_and_concentration():
    projects = [_project(1, usd=600.0, locations=((1, None),), partners=(1, 2)),
                _project(2, usd=300.0, locations=((2, None),), partners=(2,)),
                _project(3, usd=100.0, locations=((1, None), (2, None)), partners=(3,))]
    analysis = _run(projects)
    district = next(a for a in analysis.districts if a.area_id == 10 and a.sector_id is None)
    assert (district.municipalities, district.active_projects, district.partners) == (2, 3, 3)
    assert district.budget_usd == pytest.approx(1000) and district.population == 50_000
    south = next(a for a in analysis.regions if a.area_id == 200 and a.sector_id is None)
    assert south.unreached_municipalities == 1 and south.budget_usd == 0
    overall = analysis.concentration[0]
    assert overall.top_municipality_ids == [1, 2] and overall.top_share == 1.0
    assert overall.gini == pytest.approx(gini([650, 350, 0]))
    assert gini([1, 1, 1, 1]) == 0 and gini([0, 0, 0, 10]) == pytest.approx(0.75) and gini([]) == 0


def test_findings_carry_reasons_and_a_fingerprint_of_the_need():
    needs = [NeedIn(2, 1, 4, 1234, date(2025, 1, 1))]
    findings = {(f.municipality_id, f.sector_id): f for f in gap_findings(_run([], needs))}
    assert set(findings) == {(1, None), (2, None), (3, None), (2, 1)}
    cell = findings[(2, 1)]
    assert cell.reason()["code"] == "need_without_project" and "4" in gap_reason_text(cell.reason())
    small_revision = gap_findings(_run([], [NeedIn(2, 1, 4, 1240, date(2025, 1, 1))]))
    worse = gap_findings(_run([], [NeedIn(2, 1, 5, 1234, date(2025, 1, 1))]))
    assert next(f for f in small_revision if f.sector_id == 1).fingerprint == cell.fingerprint
    assert next(f for f in worse if f.sector_id == 1).fingerprint != cell.fingerprint


# -- the database path: full run, flags, re-checks -----------------------------------------------------

@pytest.fixture
def seeded(db, tmp_path):
    demo_reference_in_db()
    return seed_demo(tmp_path)


def _flag_keys(**filters):
    from coordination.models import GapFlag

    return set(GapFlag.objects.filter(resolved_at__isnull=True, **filters).values_list("municipality_id",
                                                                                        "sector_id"))


def test_full_run_flags_exactly_the_planted_and_chance_gaps(seeded, django_assert_max_num_queries):
    from coordination.models import AnalysisRun
    from coordination.services.gaps import gap_analysis_on, gaps_full_run

    truth = seeded["unreached"]
    with django_assert_max_num_queries(9):
        _inputs, analysis = gap_analysis_on(on=TODAY)
    run = gaps_full_run(on=TODAY)
    assert run.status == AnalysisRun.Status.SUCCEEDED and run.kind == "gaps" and run.mode == "full"
    assert run.counts["flags"]["created"] == len(truth["municipalities"]) + len(truth["municipality_sectors"])
    assert run.progress_done == run.progress_total == 3 and run.duration_seconds is not None
    assert _flag_keys(sector__isnull=True) == {(e["id"], None) for e in truth["municipalities"]}
    assert _flag_keys(sector__isnull=False) == {(e["municipality_id"], e["sector_id"])
                                                for e in truth["municipality_sectors"]}
    assert analysis.unreached_cells() == _flag_keys(sector__isnull=False)
    again = gaps_full_run(on=TODAY)  # safe to run twice: nothing new, nothing duplicated
    assert again.counts["flags"]["created"] == 0 and again.counts["flags"]["resolved"] == 0
    assert len(_flag_keys()) == run.counts["flags"]["created"]


def test_a_dismissed_gap_stays_dismissed_and_reopens_when_the_need_changes(seeded):
    from coordination.models import GapFlag
    from coordination.services.gaps import gap_flag_review, gaps_full_run
    from municipalities.models import Need
    from tests import factories

    gaps_full_run(on=TODAY)
    analyst = factories.UserFactory(is_superuser=True)
    flag = GapFlag.objects.filter(sector__isnull=False).order_by("id").first()
    gap_flag_review(flag=flag, user=analyst, status="dismissed", note="Covered by a national programme.")
    gaps_full_run(on=TODAY)
    flag.refresh_from_db()
    assert flag.status == "dismissed" and flag.decided_by == analyst and flag.decided_fingerprint == flag.fingerprint
    Need.objects.filter(municipality=flag.municipality, sector=flag.sector).update(severity=5 if flag.severity != 5
                                                                                 else 4)
    run = gaps_full_run(on=TODAY)
    flag.refresh_from_db()
    assert flag.status == "open" and flag.decided_by is None and run.counts["flags"]["reopened"] == 1
    assert flag.history.filter(status="dismissed").exists()  # the decision stays in the history


def test_a_project_that_reaches_a_gap_resolves_its_flag_through_the_recheck(seeded, django_capture_on_commit_callbacks):
    from coordination.models import AnalysisRun, GapFlag
    from coordination.services.gaps import gaps_full_run
    from municipalities.models import Municipality, Sector
    from projects import services

    gaps_full_run(on=TODAY)
    flag = GapFlag.objects.filter(sector__isnull=False).order_by("id").first()
    muni, sector = Municipality.objects.get(pk=flag.municipality_id), Sector.objects.get(pk=flag.sector_id)
    with django_capture_on_commit_callbacks(execute=True):
        project = make_project(municipalities=[muni], sectors={sector: 100}, status=1,
                               planned_start=date.today() - timedelta(days=30))
        project.status = 2
        services.project_save(project=project)
    flag.refresh_from_db()
    assert flag.resolved_at is not None
    assert AnalysisRun.objects.filter(kind="gaps", mode="incremental").exists()
    assert (muni.id, sector.id) not in _flag_keys()


def test_commands_print_table_json_and_csv(seeded):
    out = io.StringIO()
    call_command("analyse_gaps", "--date", TODAY.isoformat(), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data["municipalities"]) == 20 and {r["municipality_id"] for r in data["municipalities"]
                                                  if r["unreached"]} == {e["id"] for e in seeded["unreached"]
                                                                         ["municipalities"]}
    assert len(data["regions"]) == 3 and 0 <= data["concentration"]["gini"] <= 1
    out = io.StringIO()
    call_command("analyse_gaps", "--date", TODAY.isoformat(), "--sector", "health", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 20 and {r["sector_code"] for r in rows} == {"health"}
    out = io.StringIO()
    call_command("analyse_gaps", "--date", TODAY.isoformat(), "--save", stdout=out, stderr=io.StringIO())
    assert "UNREACHED" in out.getvalue() and "Gini" in out.getvalue()
    assert len(_flag_keys()) > 0
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("analyse_gaps", "--date", "30/06/2025")
    with pytest.raises(CommandError, match="No sector"):
        call_command("analyse_gaps", "--sector", "nope")


def test_bench_command_prints_one_json_object_with_perfect_recall(db):
    out = io.StringIO()
    call_command("bench_analysis", "--projects", "600", "--seed", "2", "--today", TODAY.isoformat(), stdout=out)
    data = json.loads(out.getvalue())
    assert data["reference"] == "synthetic" and data["projects"] == 600
    assert set(data["seconds"]) >= {"gap_analysis", "delay_rules"}
    assert data["gaps"]["truth"]["municipalities"]["recall"] == 1.0
    assert data["gaps"]["truth"]["municipality_sectors"]["precision"] == 1.0
    assert data["delays"]["truth"]["project_rules"] == {**data["delays"]["truth"]["project_rules"], "recall": 1.0,
                                                        "precision": 1.0}
    assert data["delays"]["truth"]["on_time_flagged"] == 0


def test_tasks_have_their_beat_names_and_run_twice_safely(seeded):
    from django.conf import settings

    from config.celery import app
    from coordination.models import GapFlag
    from coordination.tasks import gaps_delays

    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"coordination.tasks.gaps_full_analysis", "coordination.tasks.delays_full_scan"} <= beat
    assert {"coordination.tasks.gaps_full_analysis", "coordination.tasks.delays_full_scan",
            "coordination.tasks.delays_check_projects", "coordination.tasks.gaps_check_projects",
            "coordination.tasks.gaps_check_municipalities"} <= set(app.tasks)
    gaps_delays.gaps_full_analysis.delay()
    count = GapFlag.objects.count()
    gaps_delays.gaps_full_analysis.delay()
    assert GapFlag.objects.count() == count
