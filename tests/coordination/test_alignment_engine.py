"""The alignment engine on plain records (no database)."""

from __future__ import annotations

import pytest

from coordination.analysis.alignment import (
    AlignmentSettings,
    LinkIn,
    ObjectiveIn,
    ProjectIn,
    alignment_analysis,
    sdg_goals,
)
from coordination.analysis.alignment_figures import (
    CONCENTRATED,
    OUTSIDE,
    PRIORITY_UNFUNDED,
    aligned_shares,
    alignment_findings,
    municipality_priorities,
)

ELEC, WATER, HEALTH = 1, 2, 3
NAMES = {ELEC: ("الكهرباء", "Electricity"), WATER: ("المياه", "Water"), HEALTH: ("الصحة", "Health")}


def grid_objective(**kw) -> ObjectiveIn:
    base = dict(id=10, plan_id=1, approved=True, plan_municipality_id=None, code="N1",
                title_en="Restore the electricity network and substations", sector_ids=(ELEC,), sdg_goals=("7",))
    base.update(kw)
    return ObjectiveIn(**base)


def project(pid: int, **kw) -> ProjectIn:
    base = dict(id=pid, status=2, budget_usd=100_000.0, partner_ids=(7,), locations=((100, None),),
                sectors=((ELEC, 100.0),))
    base.update(kw)
    return ProjectIn(**base)


def test_arabic_only_project_matches_english_only_objective():
    p = project(1, title_ar="إعادة تأهيل شبكة الكهرباء والمحطات الفرعية في الأحياء")
    a = alignment_analysis(objectives=[grid_objective()], projects=[p], sector_names=NAMES)
    [s] = a.suggestions[1]
    assert s.objective_id == 10 and s.score >= 0.7
    codes = [r["code"] for r in s.reasons]
    assert codes == ["same_sector", "shared_terms"]
    assert "electricity" in s.reasons[1]["en"] and "كهربا" in s.reasons[1]["ar"]  # both languages
    assert s.reasons[0]["ar"] == "القطاع نفسه: الكهرباء."


def test_text_alone_without_the_sector_is_weaker_and_other_work_does_not_match():
    elec_text_water_sector = project(1, title_ar="صيانة شبكة الكهرباء", sectors=((WATER, 100.0),))
    clinic = project(2, title_en="Mobile clinics for displaced families", sectors=((HEALTH, 100.0),))
    a = alignment_analysis(objectives=[grid_objective()], projects=[elec_text_water_sector, clinic])
    assert 1 not in a.suggestions  # 0.5 at most from words: below the 0.7 threshold
    assert 0 < a.best_score[1] < 0.5
    assert 2 not in a.suggestions and a.best_score[2] == 0.0


def test_local_plan_objective_only_in_its_municipality_and_scores_higher():
    local = grid_objective(id=20, plan_id=2, plan_municipality_id=100, title_en="Electricity for every neighbourhood")
    here = project(1, title_en="Electricity network repair", locations=((100, None),))
    there = project(2, title_en="Electricity network repair", locations=((200, None),))
    a = alignment_analysis(objectives=[local], projects=[here, there])
    assert [s.objective_id for s in a.suggestions[1]] == [20]
    assert "municipal_plan" in [r["code"] for r in a.suggestions[1][0].reasons]
    assert 2 not in a.suggestions


def test_sdg_goal_adds_and_goals_parse():
    assert sdg_goals(["6.1", "SDG 7", 7, "x", "18"]) == ("6", "7")
    plain = project(1, title_en="Solar power for the hospital grid")
    tagged = project(2, title_en="Solar power for the hospital grid", sdg_goals=("7",))
    a = alignment_analysis(objectives=[grid_objective()], projects=[plain, tagged])
    assert a.best_score[2] == pytest.approx(a.best_score[1] + 0.15)
    assert 1 not in a.suggestions and "same_sdg" in [r["code"] for r in a.suggestions[2][0].reasons]


def test_rejected_never_suggested_and_confirmed_counts_whatever_the_score():
    p = project(1, title_en="Electricity network repair")
    other = grid_objective(id=11, code="N2", title_en="Better health care", sector_ids=(HEALTH,))
    a = alignment_analysis(objectives=[grid_objective(), other], projects=[p],
                           decisions=[LinkIn(1, 10, "rejected"), LinkIn(1, 11, "confirmed")])
    assert 1 not in a.suggestions
    assert a.links[1] == {11}
    assert a.best_score[1] == 1.0


def test_money_counted_once_for_an_objective_and_its_sub_objective():
    parent = grid_objective(cost_usd=500_000.0)
    child = grid_objective(id=12, code="N1.1", title_en="Substations", parent_id=10)
    p = project(1, title_en="Electricity network and substations rehabilitation", partner_ids=(7, 8))
    p2 = project(2, title_en="Electricity network", partner_ids=(7,), budget_usd=50_000.0)
    a = alignment_analysis(objectives=[parent, child], projects=[p, p2],
                           decisions=[LinkIn(1, 10, "confirmed"), LinkIn(1, 12, "confirmed"), LinkIn(2, 10, "confirmed")])
    f = a.funding[10]
    assert (f.projects, f.partners, f.usd) == (2, 2, 150_000.0)
    assert f.coverage == pytest.approx(0.3)
    assert a.funding[12].usd == 100_000.0


def test_municipal_objective_money_is_the_share_in_its_municipality():
    local = grid_objective(id=20, plan_municipality_id=100, cost_usd=100_000.0, priority_rank=1)
    p = project(1, title_en="Electricity network repair", locations=((100, 25.0), (200, 75.0)))
    a = alignment_analysis(objectives=[local], projects=[p])
    assert a.funding[20].usd == 25_000.0
    [state] = municipality_priorities([local], a, AlignmentSettings())[100]
    assert state.state == "partly"


def test_flags_outside_unfunded_concentrated_raised_and_cleared():
    settings = AlignmentSettings(concentrated_min_usd=0)
    prio = grid_objective(id=20, plan_municipality_id=100, priority_rank=1)
    clinic = project(1, title_en="Mobile clinics", sectors=((HEALTH, 100.0),))
    objectives = [prio]
    a = alignment_analysis(objectives=objectives, projects=[clinic], settings=settings)
    kinds = {f.kind: f for f in alignment_findings(objectives=objectives, projects=[clinic], alignment=a,
                                                   settings=settings)}
    assert set(kinds) == {OUTSIDE, PRIORITY_UNFUNDED, CONCENTRATED}
    assert kinds[CONCENTRATED].share_outside == 1.0
    grid = project(2, title_en="Electricity network repair", budget_usd=900_000.0)
    a = alignment_analysis(objectives=objectives, projects=[clinic, grid], settings=settings)
    found = alignment_findings(objectives=objectives, projects=[clinic, grid], alignment=a, settings=settings)
    assert [(f.kind, f.key) for f in found] == [(OUTSIDE, (1, None, None))]  # the grid serves the priority


def test_aligned_shares_split_money_by_sector_and_region():
    p = project(1, sectors=((ELEC, 60.0), (WATER, 40.0)), locations=((100, None), (200, None)), partner_ids=(7, 8))
    q = project(2, budget_usd=300_000.0, partner_ids=(7,))
    shares = aligned_shares(projects=[p, q], aligned={1}, region_of={100: 1, 200: 2})
    assert shares["all"][None].money_share == 0.25 and shares["all"][None].project_share == 0.5
    assert shares["partner"][8].money_share == 1.0 and shares["partner"][7].money_share == 0.25
    assert shares["sector"][WATER].usd == 40_000.0 and shares["sector"][ELEC].usd_aligned == 60_000.0
    assert shares["region"][2].usd == 50_000.0


def test_settings_are_strict():
    with pytest.raises(ValueError):
        AlignmentSettings.from_mapping({"suggest_threshhold": 0.5})
    with pytest.raises(ValueError):
        AlignmentSettings.from_mapping({"suggest_threshold": 2})
    with pytest.raises(ValueError):
        AlignmentSettings.from_mapping({"max_suggestions": "3"})
    assert AlignmentSettings.from_mapping({"priority_top": 5}).priority_top == 5
