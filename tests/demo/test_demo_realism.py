"""The demo portfolio looks like the real thing (issue 11, item 8): how partners share the work, the sectors each
works in, reporting histories a ministry would recognise, and Murzuq's story — drawn from the shipped reference."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from demo.fixture_reference import fixture_reference
from demo.generator import STORIES, generate_portfolio
from demo.partners import IMPLEMENTERS
from projects.reporting.calendar import MISSING, Submission, period_reports, reporting_periods

TODAY = date(2026, 6, 30)
IMPLEMENTING, FUNDING = 4, 1


@pytest.fixture(scope="module")
def world():
    reference = fixture_reference()
    portfolio = generate_portfolio(reference, n_projects=2000, seed=3, today=TODAY)
    return reference, portfolio


def test_no_partner_carries_the_portfolio_alone(world):
    reference, portfolio = world
    implementers = Counter(x.partner_id for p in portfolio.projects for x in p.participations if x.role == IMPLEMENTING)
    funders = Counter(x.partner_id for p in portfolio.projects for x in p.participations if x.role == FUNDING)
    total = len(portfolio.projects)
    assert max(implementers.values()) / total < 0.25
    assert max(funders.values()) / total < 0.15
    assert len([c for c in implementers.values() if c >= 20]) >= 12  # a real spread of implementers


def test_implementers_work_in_their_own_sectors(world):
    reference, portfolio = world
    acronym = {p.id: p.acronym for p in reference.partners}
    code = {s.id: s.code for s in reference.sectors}
    wrong = Counter()
    seen = Counter()
    for project in portfolio.projects:
        main_sector = code[max(project.sectors, key=lambda share: share[1])[0]]
        for x in project.participations:
            if x.role == IMPLEMENTING and acronym[x.partner_id] in IMPLEMENTERS:
                seen[acronym[x.partner_id]] += 1
                if main_sector not in IMPLEMENTERS[acronym[x.partner_id]][1]:
                    wrong[acronym[x.partner_id]] += 1
    assert seen["UNMAS"] > 0 and wrong["UNMAS"] == 0  # UNMAS clears mines; it does not build schools
    assert seen["WHO"] > 0 and wrong["WHO"] == 0
    assert sum(wrong.values()) == 0


def test_reporting_histories_are_mostly_complete_and_stop_when_a_project_ends(world):
    _reference, portfolio = world
    due = missing = 0
    for project in portfolio.projects:
        for update in project.updates:
            if project.actual_end is not None:
                assert update.period_end <= project.actual_end, project.key
        if project.status not in (2, 3, 4, 6) or project.state != "accepted":
            continue
        end = project.actual_end if project.actual_end else (project.planned_end if project.status == 4 else None)
        periods = reporting_periods(start=project.actual_start or project.planned_start, end=end, today=TODAY,
                                    months=project.reporting_frequency, grace_days=15)
        submissions = [Submission(u.period_start, u.period_end, u.submitted_at.date())
                       for u in project.updates if u.submitted_at]
        for report in period_reports(periods, submissions, today=TODAY):
            if report.period.due < TODAY:
                due += 1
                missing += report.status == MISSING
    assert due > 3000
    assert missing / due < 0.15  # the calendar is not a wall of red
    assert {p.reporting_frequency for p in portfolio.projects} == {3, 6, 12}


def test_murzuq_tells_the_committee_s_story(world):
    reference, portfolio = world
    murzuq = next(m.id for m in reference.municipalities if m.slug == "murzuq")
    code = {s.id: s.code for s in reference.sectors}
    here = [p for p in portfolio.projects if any(muni == murzuq for muni, _share in p.locations)]
    sectors = {code[s] for p in here for s, _pct in p.sectors}
    told = {item[0] for item in STORIES["murzuq"]}
    assert told <= sectors
    assert any(p.status == 2 for p in here)  # Murzuq is reached: never planted as a gap
    assert any("مرزق" in p.title_ar for p in here if p.title_ar)
    assert murzuq not in {u["id"] for u in portfolio.truth["unreached"]["municipalities"]}
