"""The duplicate engine on real records: the EU Trust Fund's Libya activities (../shared/data).

The file holds EU decisions (parents) and their contracts (children); the same UNDP and GIZ
projects appear under several decisions (funding phases and top-ups); two contracts share a
title under one decision (WHO and UNICEF). None of these is an accidental duplicate: each must
be found, and called related, not "reported twice".
"""

from __future__ import annotations

import pytest

from coordination.analysis.duplicates import RELATED_PHASE, DuplicateIndex
from tests.coordination.eutf_records import eutf_records

SAME_TITLE_UNDER_DIFFERENT_DECISIONS = [
    ("T05-EUTF-NOA-LY-03-03", "T05-EUTF-NOA-LY-05-02"),  # UNDP "Strengthening Local Capacities ..."
    ("T05-EUTF-NOA-LY-05-02", "T05-EUTF-NOA-LY-09-01"),  # ... and its top-up
    ("T05-EUTF-NOA-LY-03-03", "T05-EUTF-NOA-LY-09-01"),
    ("T05-EUTF-NOA-LY-03-05", "T05-EUTF-NOA-LY-10-01"),  # GIZ "Municipal development ..."
]
SAME_TITLE_DIFFERENT_IMPLEMENTERS = [("T05-EUTF-NOA-LY-12-02", "T05-EUTF-NOA-LY-12-03")]  # WHO, UNICEF


@pytest.fixture(scope="module")
def scan():
    records, ids, links = eutf_records()
    findings, _pairs = DuplicateIndex(records).scan()
    return {(f.a, f.b): f for f in findings}, ids, links


def _pair(ids, a, b):
    return tuple(sorted((ids[a], ids[b])))


def test_every_parent_child_pair_is_found_as_related(scan):
    found, ids, links = scan
    pairs = {_pair(ids, link["iati_id"], link["related_iati_id"]) for link in links
             if link["related_iati_id"] in ids and link["relation"] in ("parent", "child")}
    assert len(pairs) == 52
    assert all(found[p].kind == RELATED_PHASE for p in pairs)
    assert all(found[p].reasons[0].code == "related_activity" for p in pairs)


def test_siblings_are_found(scan):
    found, ids, links = scan
    pairs = {_pair(ids, link["iati_id"], link["related_iati_id"]) for link in links
             if link["related_iati_id"] in ids and link["relation"] == "sibling"}
    assert pairs and all(found[p].kind == RELATED_PHASE for p in pairs)


@pytest.mark.parametrize("a, b", SAME_TITLE_UNDER_DIFFERENT_DECISIONS + SAME_TITLE_DIFFERENT_IMPLEMENTERS)
def test_same_title_pairs_are_found_and_called_related(scan, a, b):
    found, ids, _links = scan
    finding = found[_pair(ids, a, b)]
    assert finding.kind == RELATED_PHASE
    codes = {r.code for r in finding.reasons}
    assert "similar_titles" in codes and codes & {"different_parents", "same_parent"}


def test_nothing_in_the_trust_fund_file_is_called_a_double_report(scan):
    found, _ids, _links = scan
    assert [f for f in found.values() if f.kind == "reported_twice"] == []
