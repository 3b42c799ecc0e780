"""The incremental duplicate check through the database: stored block keys give each checked project
its candidates, and the check finds what the full scan finds for that project."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from coordination.analysis.duplicates import DuplicateIndex
from coordination.models import AnalysisRun, DuplicateBlockKey, DuplicateFlag
from coordination.selectors.duplicates import duplicate_records, municipality_place_names
from coordination.services.duplicates import duplicates_check_projects, duplicates_full_scan
from projects.models import Participation, Project, ProjectLocation, ProjectSector
from projects.services import project_save
from tests import factories


@pytest.fixture
def portfolio(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", projects=400, seed=11, today="2025-06-30", verbosity=0)


def _flags_of(pid: int) -> dict[tuple[int, int], tuple[float, str]]:
    return {(f.project_a_id, f.project_b_id): (f.score, f.kind)
            for f in DuplicateFlag.objects.filter(Q(project_a_id=pid) | Q(project_b_id=pid), resolved_at=None)}


def _stored_keys(pid: int) -> set[str]:
    return set(DuplicateBlockKey.objects.filter(project_id=pid).values_list("key", flat=True))


def _engine_keys(pid: int) -> set[str]:
    records, _digests = duplicate_records([pid])
    return set(DuplicateIndex(records, place_names=municipality_place_names()).block_keys(pid)[0])


def test_a_check_finds_what_the_full_scan_finds_for_the_project(portfolio):
    duplicates_full_scan()
    flagged = sorted(set(DuplicateFlag.objects.values_list("project_a_id", flat=True))
                     | set(DuplicateFlag.objects.values_list("project_b_id", flat=True)))
    unflagged = list(Project.objects.exclude(pk__in=flagged).order_by("pk").values_list("pk", flat=True)[::20])
    expected = {pid: _flags_of(pid) for pid in flagged[:40] + unflagged}
    assert len(flagged) >= 20 and sum(map(len, expected.values())) >= 20
    DuplicateFlag.objects.all().delete()
    smaller_pools = 0
    for pid, pairs in expected.items():
        run = duplicates_check_projects(project_ids=[pid])
        assert _flags_of(pid) == pairs, pid
        DuplicateFlag.objects.all().delete()
        municipalities = ProjectLocation.objects.filter(project_id=pid).values("municipality_id")
        neighbours = ProjectLocation.objects.filter(municipality_id__in=municipalities).values("project_id")
        # The pool is the project's block-mates, not everything in its municipalities.
        assert run.counts["compared_with"] <= max(1, Project.objects.filter(pk__in=neighbours).count())
        smaller_pools += run.counts["compared_with"] < Project.objects.filter(pk__in=neighbours).count()
    assert smaller_pools >= len(expected) // 2


def test_the_full_scan_stores_every_projects_blocks_and_a_deleted_project_takes_its_own(portfolio):
    run = duplicates_full_scan()
    assert run.counts["block_keys"] == DuplicateBlockKey.objects.count() > Project.objects.count()
    assert run.counts["blocks_up_to_project"] == Project.objects.order_by("-pk").first().pk
    assert not Project.objects.exclude(pk__in=DuplicateBlockKey.objects.values("project_id")).exists()
    some = Project.objects.order_by("pk")[7]
    own = _stored_keys(some.pk)
    assert own and own == _engine_keys(some.pk)
    some.delete()
    assert not DuplicateBlockKey.objects.filter(project_id=some.pk).exists()
    assert DuplicateBlockKey.objects.count() == run.counts["block_keys"] - len(own)
    again = duplicates_full_scan()  # the table is rewritten, not added to
    assert again.counts["block_keys"] == DuplicateBlockKey.objects.count() == run.counts["block_keys"] - len(own)
    assert DuplicateBlockKey.objects.values("project_id").distinct().count() == Project.objects.count()


def _two_municipality_projects():
    municipality = factories.MunicipalityFactory(name_en="Zawiya", name_ar="الزاوية")
    sector = factories.SectorFactory(code="water-sanitation")
    first = factories.ProjectFactory(reporting_partner=factories.PartnerFactory(acronym="IMPL"), title_ar="",
                                     title_en="Rehabilitation of the water network in Al-Andalus")
    second = factories.ProjectFactory(reporting_partner=factories.PartnerFactory(acronym="OTHER"), title_ar="",
                                      title_en="Drilling of a borehole in Al-Salam")
    for p in (first, second):
        ProjectLocation.objects.create(project=p, municipality=municipality)
        ProjectSector.objects.create(project=p, sector=sector, percentage=100)
    return municipality, sector, first, second


def test_an_edited_project_gets_new_blocks_and_meets_its_new_block_mates(db):
    _municipality, _sector, first, second = _two_municipality_projects()
    duplicates_full_scan()
    assert DuplicateFlag.objects.count() == 0
    before = _stored_keys(second.pk)
    second.title_en = ""
    second.title_ar = "إعادة تأهيل شبكة المياه في حي الأندلس"
    second.planned_end = first.planned_end + dt.timedelta(days=10)
    project_save(project=second)
    run = duplicates_check_projects(project_ids=[second.pk])
    assert _stored_keys(second.pk) == _engine_keys(second.pk) != before
    flag = DuplicateFlag.objects.get()
    assert (flag.project_a_id, flag.project_b_id) == (first.pk, second.pk) and flag.kind == "overlap"
    assert run.counts["created"] == 1 and run.counts["blocks_stored_for_unseen"] == 0


def test_projects_loaded_without_a_check_are_compared_and_their_blocks_stored(db):
    municipality, sector, first, second = _two_municipality_projects()
    # Before any full scan nothing is stored: the check compares the whole municipality.
    run = duplicates_check_projects(project_ids=[second.pk])
    assert run.counts["blocks_stored_for_unseen"] == 1 and _stored_keys(first.pk) == _engine_keys(first.pk)
    duplicates_full_scan()
    # A copy of the first loaded in bulk after the scan (no signal, no check): the next check of the
    # first meets it although its blocks were never stored.
    copy = factories.ProjectFactory(reporting_partner=factories.PartnerFactory(acronym="THIRD"), title_ar="",
                                    title_en="Rehabilitation of the water network in Al-Andalus")
    ProjectLocation.objects.create(project=copy, municipality=municipality)
    ProjectSector.objects.create(project=copy, sector=sector, percentage=100)
    assert not _stored_keys(copy.pk)
    run = duplicates_check_projects(project_ids=[first.pk])
    assert run.counts["blocks_stored_for_unseen"] == 1 and _stored_keys(copy.pk) == _engine_keys(copy.pk)
    assert set(_flags_of(first.pk)) == {(first.pk, copy.pk)}


def test_identifier_links_are_found_across_municipalities_in_both_directions(db):
    funder, implementer = factories.PartnerFactory(acronym="FUND"), factories.PartnerFactory(acronym="IMPL")
    sector = factories.SectorFactory(code="health")
    east, west = factories.MunicipalityFactory(), factories.MunicipalityFactory()
    grant = factories.ProjectFactory(reporting_partner=funder, iati_identifier="XM-DAC-1-GRANT-7",
                                     title_en="Support to primary health care", title_ar="")
    contract = factories.ProjectFactory(reporting_partner=implementer, title_en="Mobile clinics", title_ar="")
    Participation.objects.create(project=contract, partner=funder, role=1, activity_id="XM-DAC-1-GRANT-7")
    for project, place in ((grant, east), (contract, west)):
        ProjectLocation.objects.create(project=project, municipality=place)
        ProjectSector.objects.create(project=project, sector=sector, percentage=100)
    duplicates_full_scan()
    expected = _flags_of(grant.pk)
    assert set(expected) == {(grant.pk, contract.pk)}
    for checked in (grant, contract):  # pointed at (stored "p|" keys) and pointing (the identifier itself)
        DuplicateFlag.objects.all().delete()
        run = duplicates_check_projects(project_ids=[checked.pk])
        assert _flags_of(grant.pk) == expected and run.counts["compared_with"] == 2


def test_the_checks_queries_do_not_grow_with_the_pool(db):
    municipality, sector, first, second = _two_municipality_projects()
    crowd = [first]
    for n in range(30):
        project = factories.ProjectFactory(title_ar="", title_en=f"Water network of Al-Andalus, lot {n + 2}")
        ProjectLocation.objects.create(project=project, municipality=municipality)
        ProjectSector.objects.create(project=project, sector=sector, percentage=100)
        crowd.append(project)
    duplicates_full_scan()
    measured = {}
    for project in (second, crowd[5], crowd[-1]):
        with CaptureQueriesContext(connection) as queries:
            run = duplicates_check_projects(project_ids=[project.pk])
        measured[project.pk] = (run.counts["compared_with"], len(queries))
    assert measured[second.pk][0] <= 3 and measured[crowd[5].pk][0] >= 30  # a small and a large pool
    assert max(n for _pool, n in measured.values()) <= 34  # the learned thresholds and the broad sectors are read once per check
    # A few more to write the flags a crowded check finds (in bulk), not a query per candidate.
    assert measured[crowd[5].pk][1] == measured[crowd[-1].pk][1] <= measured[second.pk][1] + 10


def test_bench_incremental_prints_timings_and_leaves_no_runs_behind(portfolio, capsys):
    duplicates_full_scan()
    last_seen = dict(DuplicateFlag.objects.values_list("pk", "last_seen_run_id"))
    keys = DuplicateBlockKey.objects.count()
    call_command("bench_incremental", checks=12, seed=3)
    result = json.loads(capsys.readouterr().out)
    assert result["checks"] == 12 and result["projects"] == 400
    assert 0 < result["ms"]["median"] <= result["ms"]["p90"] <= result["ms"]["max"]
    assert result["checks_in_biggest_municipalities"] == 6 and result["pool"]["max"] >= 1
    assert not AnalysisRun.objects.filter(mode=AnalysisRun.Mode.INCREMENTAL).exists()
    assert dict(DuplicateFlag.objects.values_list("pk", "last_seen_run_id")) == last_seen
    assert DuplicateBlockKey.objects.count() == keys


def test_a_long_key_is_stored_within_the_column_and_stays_distinct():
    base = "p|" + "X" * 300
    a, b = DuplicateBlockKey.fit(base + "a"), DuplicateBlockKey.fit(base + "b")
    assert len(a) == len(b) == 255 and a != b and a == DuplicateBlockKey.fit(base + "a")
    assert DuplicateBlockKey.fit("s|m3|k:ghb") == "s|m3|k:ghb"


def test_checking_every_project_at_once_changes_nothing_the_full_scan_found(portfolio):
    scan = duplicates_full_scan()
    before = set(DuplicateFlag.objects.values_list("project_a_id", "project_b_id", "score", "kind"))
    run = duplicates_check_projects(project_ids=list(Project.objects.values_list("pk", flat=True)))
    assert run.counts["projects_checked"] == 400 and run.counts["findings"] == scan.counts["findings"] > 0
    assert (run.counts["created"], run.counts["updated"], run.counts["resolved"]) == (0, 0, 0)
    assert set(DuplicateFlag.objects.values_list("project_a_id", "project_b_id", "score", "kind")) == before


def test_national_projects_are_compared_with_the_other_national_ones(db):
    sector = factories.SectorFactory(code="governance")
    title = "Capacity building of the Ministry of Local Government in public financial management"
    kept = factories.ProjectFactory(title_ar="", title_en=title)
    elsewhere = factories.ProjectFactory(title_ar="", title_en=title)
    ProjectLocation.objects.create(project=elsewhere, municipality=factories.MunicipalityFactory())
    duplicates_full_scan()
    copy = factories.ProjectFactory(title_ar="", title_en=title)  # loaded after the scan: blocks not stored
    for p in (kept, elsewhere, copy):
        ProjectSector.objects.create(project=p, sector=sector, percentage=100)
    run = duplicates_check_projects(project_ids=[kept.pk])
    assert run.counts["blocks_stored_for_unseen"] == 1 and _stored_keys(copy.pk)
    assert (kept.pk, copy.pk) in _flags_of(kept.pk)
    assert not any(elsewhere.pk in pair for pair in _flags_of(kept.pk))  # blocks never cross places
