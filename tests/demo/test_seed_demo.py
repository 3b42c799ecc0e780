"""seed_demo: the pure generator, the ground truth it plants, and the command end to end."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from demo.generator import generate_portfolio
from demo.records import Portfolio, ProjectRec, Reference
from projects.models import validate_location_shares, validate_sector_split
from tests.demo.reference import (
    RATES,
    SECTORS,
    TODAY,
    demo_reference_in_db,
    reference_records,
)


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return generate_portfolio(reference_records(), 300, 7, TODAY)


# -- the rules, written out again independently of the generator ----------------------------------

def expected_rules(*, status, planned_start, planned_end, actual_start, progress, accepted_ends, today) -> list[str]:
    rules = set()
    if status == 2:
        if planned_end < today:
            rules.add("end_passed")
        if actual_start and actual_start > planned_start + timedelta(days=90):
            rules.add("late_start")
        if (today - planned_start) / (planned_end - planned_start) >= 0.8 and progress <= 30:
            rules.add("progress_behind")
        last = max(accepted_ends, default=None) or actual_start or planned_start
        if (today - last).days > 90:
            rules.add("no_recent_update")
    if status == 1 and planned_start < today:
        rules.add("start_passed")
    if status == 6:
        rules.add("suspended")
    return sorted(rules)


def margin_problems(p: ProjectRec, today: date) -> list[str]:
    """Why an on-time project would be near a threshold (it must be nowhere near any)."""
    problems = []
    if p.actual_start and (p.actual_start - p.planned_start).days > 30:
        problems.append("started more than 30 days late")
    if p.status == 2:
        elapsed = (today - p.planned_start) / (p.planned_end - p.planned_start)
        if p.planned_end < today + timedelta(days=30):
            problems.append("planned end within 30 days")
        if float(p.progress_percent) < 100 * elapsed - 15:
            problems.append("progress more than 15 points behind the elapsed time")
        ends = [u.period_end for u in p.updates if u.state == "accepted"]
        if not ends or max(ends) < today - timedelta(days=45):
            problems.append("no accepted update in 45 days")
    if p.status == 1 and p.planned_start < today + timedelta(days=30):
        problems.append("pipeline start within 30 days")
    return problems


def _by_key(portfolio: Portfolio) -> dict[str, ProjectRec]:
    return {p.key: p for p in portfolio.projects}


def _usd(p: ProjectRec) -> Decimal:
    return p.budget * (RATES.get(p.currency) or Decimal(1))


# -- the pure generator ---------------------------------------------------------------------------

def test_same_seed_gives_identical_records_and_another_seed_does_not():
    first = generate_portfolio(reference_records(), 300, 5, TODAY)
    second = generate_portfolio(reference_records(), 300, 5, TODAY)
    assert first.projects == second.projects
    assert first.programmes == second.programmes
    assert first.needs == second.needs
    assert first.truth == second.truth
    assert generate_portfolio(reference_records(), 300, 6, TODAY).projects != first.projects


def test_reference_order_does_not_change_the_output():
    ref = reference_records()
    shuffled = list(ref.municipalities)
    random.Random(1).shuffle(shuffled)
    other = Reference.build(municipalities=shuffled, sectors=list(reversed(ref.sectors)),
                            partners=list(reversed(ref.partners)), rates=list(ref.rates))
    assert generate_portfolio(other, 120, 2, TODAY).projects == generate_portfolio(ref, 120, 2, TODAY).projects


def test_records_keep_every_model_invariant(portfolio):
    ref = reference_records()
    muni_ids = {m.id for m in ref.municipalities}
    iati_ids = [p.iati_identifier for p in portfolio.projects if p.iati_identifier]
    assert len(iati_ids) == len(set(iati_ids)) > 0
    codes = [(p.reporting_partner_id, p.partner_code) for p in portfolio.projects if p.partner_code]
    assert len(codes) == len(set(codes)) > 0
    for p in portfolio.projects:
        assert p.title_ar or p.title_en
        assert len(p.title_ar) <= 500 and len(p.title_en) <= 500
        validate_sector_split([pct for _, pct in p.sectors])
        validate_location_shares([share for _, share in p.locations])
        assert 1 <= len(p.locations) <= 3 and {m for m, _ in p.locations} <= muni_ids
        assert p.planned_start <= p.planned_end
        assert p.actual_end is None or p.actual_start <= p.actual_end
        assert p.budget is None or p.budget >= 0
        assert p.spend_to_date >= 0 and (p.budget is None or p.spend_to_date <= p.budget)
        assert 0 <= p.progress_percent <= 100 and p.status in range(1, 7)
        assert p.currency in {"USD", *RATES}
        roles = {(x.partner_id, x.role) for x in p.participations}
        assert len(roles) == len(p.participations) and {r for _, r in roles} >= {1, 4}
        assert p.reporting_partner_id in {x.partner_id for x in p.participations}
        assert {s.municipality_id for s in p.sites} <= {m for m, _ in p.locations}
        assert p.state == "accepted" or p.status == 1
        for u in p.updates:
            assert u.period_start <= u.period_end <= TODAY
            assert 0 <= u.progress_percent <= 100 and u.spend_to_date >= 0
            assert u.state != "returned" or u.review_comment
            assert u.reviewed_at is None or u.submitted_at <= u.reviewed_at
        for t in p.transactions:
            assert t.value >= 0
    for g in portfolio.programmes:
        assert (g.title_ar or g.title_en) and g.start_date <= g.end_date
    assert {p.programme_key for p in portfolio.projects} - {None} <= {g.key for g in portfolio.programmes}
    need_keys = [(n.municipality_id, n.sector_id, n.source, n.assessed_on) for n in portfolio.needs]
    assert len(need_keys) == len(set(need_keys))
    assert all(1 <= n.severity <= 5 and n.source == "Tansiq demo" for n in portfolio.needs)


def test_a_realistic_mix(portfolio):
    projects = portfolio.projects
    arabic_only = sum(bool(p.title_ar) and not p.title_en for p in projects)
    english_only = sum(bool(p.title_en) and not p.title_ar for p in projects)
    both = sum(bool(p.title_ar and p.title_en) for p in projects)
    assert min(arabic_only, english_only, both) > 0.15 * len(projects)
    assert len({p.reporting_partner_id for p in projects}) >= 8
    assert len({s for p in projects for s, _ in p.sectors}) == len(SECTORS)
    assert len({p.currency for p in projects}) >= 3
    assert {p.status for p in projects} == set(range(1, 7))
    assert sum(p.programme_key is not None for p in projects) > 0.3 * len(projects)
    assert sum(bool(p.updates) for p in projects) > 0.5 * len(projects)
    assert any(p.sites for p in projects) and any(len(p.locations) > 1 for p in projects)


def test_duplicates_share_place_sector_and_time(portfolio):
    by_key = _by_key(portfolio)
    kinds = {e["kind"] for e in portfolio.truth["duplicates"]}
    assert kinds == {"reported_twice", "overlap"}
    assert 0.01 < 2 * len(portfolio.truth["duplicates"]) / len(by_key) < 0.1  # a few % of the projects
    for entry in portfolio.truth["duplicates"]:
        a, b = (by_key[k] for k in entry["keys"])
        assert {m for m, _ in a.locations} & {m for m, _ in b.locations}
        assert entry["sector_id"] in {s for s, _ in a.sectors} & {s for s, _ in b.sectors}
        assert a.reporting_partner_id != b.reporting_partner_id
        assert a.planned_start <= b.planned_end and b.planned_start <= a.planned_end
        if entry["kind"] == "reported_twice":
            assert abs((a.planned_start - b.planned_start).days) <= 30
            assert abs((a.planned_end - b.planned_end).days) <= 45
            assert abs(_usd(a) / _usd(b) - 1) < Decimal("0.06")
            assert {x.partner_id for x in a.participations if x.role == 1} & {
                x.partner_id for x in b.participations if x.role == 1}
        else:
            assert a.status == b.status == 2
        if entry.get("linked"):
            assert a.iati_identifier and b.iati_identifier
            assert a.iati_identifier in {x.activity_id for x in b.participations}
            assert a.iati_identifier in {t.provider_activity_id for t in b.transactions}
    assert any(e.get("linked") for e in portfolio.truth["duplicates"])


def test_distinct_pairs_look_alike_but_differ(portfolio):
    by_key = _by_key(portfolio)
    seen = set()
    for entry in portfolio.truth["distinct_pairs"]:
        a, b = (by_key[k] for k in entry["keys"])
        munis_a, munis_b = {m for m, _ in a.locations}, {m for m, _ in b.locations}
        seen.add(entry["kind"])
        if entry["kind"] == "same_place_different_activity":
            assert munis_a & munis_b and entry["sector_id"] in {s for s, _ in a.sectors} & {s for s, _ in b.sectors}
            assert not ({a.title_ar, a.title_en} & {b.title_ar, b.title_en} - {""})
        elif entry["kind"] == "related_phase":
            assert munis_a == munis_b and a.reporting_partner_id == b.reporting_partner_id
            assert a.planned_end < b.planned_start and a.status == 4
            if entry["relation"]:
                assert b.iati_identifier in {r.iati_identifier for r in a.related}
                assert a.key in {r.related_key for r in b.related}
        else:
            assert not munis_a & munis_b
    assert seen == {"same_place_different_activity", "related_phase", "same_activity_other_municipality"}


def test_every_delayed_project_breaks_its_rules_and_on_time_ones_are_far_from_any(portfolio):
    by_key = _by_key(portfolio)
    truth = portfolio.truth
    assert len(truth["delayed"]) + len(truth["on_time"]) == len(by_key)
    for entry in truth["delayed"] + truth["on_time"]:
        p = by_key[entry["key"]]
        assert entry.get("rules", []) == expected_rules(
            status=p.status, planned_start=p.planned_start, planned_end=p.planned_end, actual_start=p.actual_start,
            progress=p.progress_percent, accepted_ends=[u.period_end for u in p.updates if u.state == "accepted"],
            today=TODAY)
    for entry in truth["on_time"]:
        assert margin_problems(by_key[entry["key"]], TODAY) == [], entry["key"]
    tripped = {rule for e in truth["delayed"] for rule in e["rules"]}
    assert tripped == {"end_passed", "start_passed", "late_start", "progress_behind", "no_recent_update", "suspended"}


def test_unreached_places_and_sectors(portfolio):
    active = [p for p in portfolio.projects if p.status == 2]
    reached = {m for p in active for m, _ in p.locations}
    reached_pairs = {(m, s) for p in active for m, _ in p.locations for s, _ in p.sectors}
    unreached = portfolio.truth["unreached"]
    all_munis = {m.id for m in reference_records().municipalities}
    assert {e["id"] for e in unreached["municipalities"]} == all_munis - reached
    assert any(e["planted"] for e in unreached["municipalities"])
    expected = {(n.municipality_id, n.sector_id) for n in portfolio.needs
                if n.severity >= 3 and (n.municipality_id, n.sector_id) not in reached_pairs}
    assert {(e["municipality_id"], e["sector_id"]) for e in unreached["municipality_sectors"]} == expected
    assert any(e["planted"] for e in unreached["municipality_sectors"])
    assert unreached["sectors_without_active_project"]


def test_planted_gaps_survive_a_large_portfolio():
    truth = generate_portfolio(reference_records(), 3000, 11, TODAY).truth
    assert any(e["planted"] for e in truth["unreached"]["municipalities"])
    planted_pairs = [e for e in truth["unreached"]["municipality_sectors"] if e["planted"]]
    assert len({e["municipality_id"] for e in planted_pairs}) >= 3


# -- the command, against a database -------------------------------------------------------------

@pytest.fixture
def reference_data(db):
    demo_reference_in_db()


def _seed(tmp_path, *args: str) -> dict:
    path = tmp_path / "truth.json"
    call_command("seed_demo", f"--truth={path}", "--today=2025-06-30", *args, verbosity=0)
    return json.loads(path.read_text(encoding="utf-8"))


def _db_rules(today: date) -> dict[int, list[str]]:
    from projects.models import Project

    rules = {}
    for p in Project.objects.prefetch_related("updates"):
        rules[p.id] = expected_rules(
            status=p.status, planned_start=p.planned_start, planned_end=p.planned_end, actual_start=p.actual_start,
            progress=p.progress_percent, accepted_ends=[u.period_end for u in p.updates.all() if u.state == "accepted"],
            today=today)
    return rules


@pytest.mark.parametrize("method", ["auto", "bulk"])
def test_command_writes_the_portfolio_and_its_truth(reference_data, tmp_path, method):
    from demo.reference import load_reference
    from municipalities.models import Need
    from projects.models import (
        Participation,
        Programme,
        Project,
        ProjectLocation,
        ProjectSector,
        ProjectUpdate,
        RelatedActivity,
        Site,
        Transaction,
    )

    truth = _seed(tmp_path, "--projects=300", "--seed=3", f"--method={method}")
    expected = generate_portfolio(load_reference(), 300, 3, TODAY)
    counts = expected.row_counts()
    assert {
        "programmes": Programme.objects.count(), "projects": Project.objects.count(),
        "participations": Participation.objects.count(), "project_sectors": ProjectSector.objects.count(),
        "project_locations": ProjectLocation.objects.count(), "sites": Site.objects.count(),
        "project_updates": ProjectUpdate.objects.count(), "transactions": Transaction.objects.count(),
        "related_activities": RelatedActivity.objects.count(), "needs": Need.objects.count(),
    } == counts
    assert truth["today"] == "2025-06-30" and truth["projects"] == 300

    key_to_id = {e["key"]: e["id"] for e in truth["delayed"] + truth["on_time"]}
    assert set(key_to_id.values()) == set(Project.objects.values_list("id", flat=True))
    stored = {p.id: p for p in Project.objects.all()}
    for rec in expected.projects:  # the rows hold exactly the generated values
        row = stored[key_to_id[rec.key]]
        assert (row.title_ar, row.title_en, row.status, row.planned_start, row.actual_end, row.budget,
                row.progress_percent, row.iati_identifier or None) == (
            rec.title_ar, rec.title_en, rec.status, rec.planned_start, rec.actual_end, rec.budget,
            rec.progress_percent, rec.iati_identifier)

    rules = _db_rules(TODAY)
    assert {e["id"]: e["rules"] for e in truth["delayed"]} == {i: r for i, r in rules.items() if r}
    for entry in truth["duplicates"]:
        a, b = entry["ids"]
        assert set(ProjectLocation.objects.filter(project=a).values_list("municipality", flat=True)) & set(
            ProjectLocation.objects.filter(project=b).values_list("municipality", flat=True))
        assert ProjectSector.objects.filter(project__in=[a, b], sector=entry["sector_id"]).count() == 2
    for entry in truth["unreached"]["municipalities"]:
        assert not Project.objects.filter(status=2, locations__municipality=entry["id"]).exists()
    linked = RelatedActivity.objects.exclude(related_project=None)
    assert all(r.iati_identifier == r.related_project.iati_identifier for r in linked)

    sample = [*Project.objects.all()[:40], *ProjectUpdate.objects.all()[:40], *Site.objects.all()[:20],
              *Programme.objects.all()[:10], *Need.objects.all()[:20], *Transaction.objects.all()[:20]]
    for obj in sample:
        obj.full_clean(validate_unique=False)


def test_command_refuses_a_non_empty_portfolio_unless_told_to_clear(reference_data, tmp_path):
    from demo.reference import load_reference
    from municipalities.models import Need
    from projects.models import Project, ProjectUpdate

    _seed(tmp_path, "--projects=60", "--seed=1")
    with pytest.raises(CommandError, match="--clear"):
        _seed(tmp_path, "--projects=80", "--seed=2")
    assert Project.objects.count() == 60
    first_ids = set(Project.objects.values_list("id", flat=True))
    truth = _seed(tmp_path, "--projects=80", "--seed=2", "--clear")
    assert Project.objects.count() == 80 and truth["projects"] == 80
    assert not first_ids & set(Project.objects.values_list("id", flat=True))  # ids are never reused
    assert ProjectUpdate.objects.filter(project__in=first_ids).count() == 0
    assert Need.objects.count() == len(generate_portfolio(load_reference(), 80, 2, TODAY).needs)


def test_command_without_reference_data_says_what_to_run(db, tmp_path):
    with pytest.raises(CommandError, match="load_reference_data"):
        _seed(tmp_path, "--projects=10")


def test_command_rejects_a_malformed_date(reference_data):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seed_demo", "--today=30/06/2025", verbosity=0)
