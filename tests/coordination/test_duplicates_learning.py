"""Learning from reviewers: per-kind thresholds fitted on recorded decisions, never overriding one."""

from __future__ import annotations

import pytest

from coordination.analysis.duplicates import Finding
from coordination.analysis.duplicates.learning import FLOOR, Decision, findings_shown, thresholds_fit
from coordination.models import DuplicateFlag, DuplicateKindThreshold, FlagStatus
from coordination.services.duplicates import duplicate_thresholds_fit, duplicates_full_scan
from projects.models import ProjectLocation, ProjectSector
from tests import factories

DEFAULT = 0.55


def test_confirmed_pairs_only_lower_the_threshold_but_not_below_the_floor():
    decisions = [Decision("reported_twice", 0.56 + i * 0.02, True) for i in range(20)]
    fitted = thresholds_fit(decisions, default=DEFAULT)["reported_twice"]
    assert FLOOR <= fitted < DEFAULT


def test_dismissed_pairs_above_the_threshold_raise_it_for_their_kind_only():
    decisions = [Decision("overlap", 0.56 + i * 0.015, 0.56 + i * 0.015 > 0.75) for i in range(30)]
    decisions += [Decision("reported_twice", 0.6, True)] * 10
    fitted = thresholds_fit(decisions, default=DEFAULT)
    assert 0.62 < fitted["overlap"] < 0.8
    assert fitted["reported_twice"] <= DEFAULT


def test_too_few_decisions_leave_the_engine_threshold():
    assert thresholds_fit([Decision("overlap", 0.6, False)] * 3, default=DEFAULT) == {}


def test_a_decided_pair_is_shown_whatever_the_threshold():
    low = Finding(1, 2, 0.6, "overlap", ())
    other = Finding(3, 4, 0.6, "overlap", ())
    shown = findings_shown([low, other], {"overlap": 0.7}, {(1, 2)}, DEFAULT)
    assert shown == [low]
    assert findings_shown([low, other], {}, set(), DEFAULT) == [low, other]


@pytest.fixture
def pairs(db):
    """Eight look-alike pairs, each in its own municipality (two partners doing the same there)."""
    sector = factories.SectorFactory(code="water-sanitation")
    out = []
    for n in range(8):
        municipality = factories.MunicipalityFactory(name_en=f"Town{n}", name_ar=f"بلدة{n}")
        a = factories.ProjectFactory(reporting_partner=factories.PartnerFactory(), title_ar="",
                                     title_en="Rehabilitation of the water network in Al-Andalus")
        b = factories.ProjectFactory(reporting_partner=factories.PartnerFactory(), title_ar="",
                                     title_en="Repair of the water network in Al-Andalus")
        for p in (a, b):
            ProjectLocation.objects.create(project=p, municipality=municipality)
            ProjectSector.objects.create(project=p, sector=sector, percentage=100)
        out.append((a, b))
    return out


def test_fitted_thresholds_hide_undecided_pairs_and_never_a_decided_one(pairs):
    duplicates_full_scan()
    flags = list(DuplicateFlag.objects.order_by("pk"))
    assert len(flags) == 8
    reviewer = factories.UserFactory(is_superuser=True, is_staff=True)
    from coordination.services.duplicates import duplicate_flag_review

    kind = flags[0].kind
    confirmed = duplicate_flag_review(flag=flags[0], user=reviewer, decision=FlagStatus.CONFIRMED,
                                      counted_project_id=flags[0].project_a_id)
    for flag in flags[1:]:
        duplicate_flag_review(flag=flag, user=reviewer, decision=FlagStatus.DISMISSED, note="different work")
    fitted = duplicate_thresholds_fit(user=reviewer)
    assert fitted[kind] > flags[0].score  # seven dismissals at this score raise the kind's threshold above it
    assert DuplicateKindThreshold.objects.get(kind=kind).decisions == 8
    run = duplicates_full_scan()
    confirmed.refresh_from_db()
    assert confirmed.status == FlagStatus.CONFIRMED and confirmed.resolved_at is None
    assert run.counts["kind_thresholds"] == fitted
    assert DuplicateFlag.objects.filter(status=FlagStatus.DISMISSED).count() == 7  # decisions stand
