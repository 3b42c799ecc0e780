"""The independent evaluation generator: schema-valid IATI 2.03 files, labels that say what the files hold."""

import json

import pytest
from lxml import etree

from demo.iati_eval.activities import FAMILIES
from demo.iati_eval.generate import DOUBLE_REPORT, LATER_PHASE, NEIGHBOUR, TWO_CONTRACTS, eval_generate
from demo.iati_eval.writer import eval_write
from tests.shared_data import SHARED_DATA

SCHEMA = SHARED_DATA / "iati-2.03" / "iati-activities-schema.xsd"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("eval")
    evalset = eval_generate(7, shared=60)
    return evalset, eval_write(evalset, out), out


def test_files_are_schema_valid(written):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    _evalset, paths, _out = written
    assert len(paths) >= 5  # several publishers, one file each
    for path in paths:
        assert schema.validate(etree.parse(str(path))), (path.name, schema.error_log.last_error)


def test_same_seed_same_files(tmp_path, written):
    evalset, paths, _out = written
    again = eval_write(eval_generate(7, shared=60), tmp_path)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]
    assert eval_generate(8, shared=60).pairs != evalset.pairs


def test_double_reports_differ_in_publisher_and_prefix_and_are_not_linked(written):
    evalset, paths, _out = written
    by_id = {a.identifier: a for a in evalset.activities}
    doubles = [p for p in evalset.pairs if p["class"] == DOUBLE_REPORT]
    assert doubles and all(p["duplicate"] for p in doubles)
    for pair in doubles:
        a, b = by_id[pair["a"]], by_id[pair["b"]]
        assert a.publisher.ref != b.publisher.ref
        assert not b.identifier.startswith(a.publisher.ref + "-")
        assert (a.funder, a.implementer) == (b.funder, b.implementer)
    text = b"".join(p.read_bytes() for p in paths)
    assert b"provider-activity-id" not in text and b"related-activity" not in text


def test_hard_negatives_and_habits_are_present(written):
    evalset, _paths, out = written
    labels = json.loads((out / "labels.json").read_text(encoding="utf-8"))
    classes = {p["class"] for p in labels["pairs"] if not p["duplicate"]}
    assert {NEIGHBOUR, LATER_PHASE, TWO_CONTRACTS} <= classes
    contracts = [p for p in evalset.pairs if p["class"] == TWO_CONTRACTS]
    by_id = {a.identifier: a for a in evalset.activities}
    assert all(by_id[p["a"]].publisher is by_id[p["b"]].publisher for p in contracts)
    no_point = sum(a.point is None for a in evalset.activities) / len(evalset.activities)
    assert 0.2 <= no_point <= 0.5  # about a third named without a point
    broad = {f.broad for f in FAMILIES}
    assert any(a.dac in broad for a in evalset.activities)
    traits = {t for p in evalset.pairs for t in p["traits"]}
    assert {"cross_language", "broad_code", "name_only_place"} <= traits


def test_titles_are_not_the_demo_generators():
    from pathlib import Path

    import demo

    demo_text = "".join(p.read_text(encoding="utf-8") for p in Path(demo.__file__).parent.glob("*.py"))
    for family in FAMILIES:
        for template in family.en + family.ar:
            for part in template.split("{p}"):
                if len(part.strip()) >= 30:  # a phrasing, not a domain term ("municipal development plan")
                    assert part.strip() not in demo_text, part


def test_measure_counts_per_class_and_hard_negatives():
    from demo.iati_eval.measure import eval_measure

    labels = {"pairs": [
        {"a": "A", "b": "B", "duplicate": True, "class": "double_report", "traits": ["broad_code"]},
        {"a": "C", "b": "D", "duplicate": True, "class": "overlap", "traits": []},
        {"a": "A", "b": "E", "duplicate": False, "class": "neighbour", "traits": []},
    ]}
    found = {("A", "B"): "reported_twice", ("A", "E"): "reported_twice", ("F", "G"): "overlap"}
    m = eval_measure(found, labels)
    assert (m["precision"], m["recall"]) == (round(1 / 3, 4), 0.5)
    assert m["per_class"]["double_report"]["recall"] == 1.0 and m["per_class"]["overlap"]["recall"] == 0.0
    assert m["per_trait"]["broad_code"] == {"found": 1, "of": 1, "recall": 1.0}
    assert m["hard_negatives"]["neighbour"] == {"wrongly_found": 1, "of": 1}
    assert m["false_positives_unlabelled"] == 1
