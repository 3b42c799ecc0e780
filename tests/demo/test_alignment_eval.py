"""The alignment evaluation on records the demo generator did not write, and bench_alignment's JSON."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

from django.core.management import call_command

from coordination.analysis.alignment import Suggestion
from demo.alignment_eval import FAMILY_TEMPLATE, eval_quality, eval_records
from demo.alignment_records import objective_records
from demo.gap_delay_records import synthetic_reference
from demo.generator import generate_portfolio
from demo.iati_eval.activities import BY_KEY
from demo.plans import generate_plans


def _world():
    reference, _ = synthetic_reference()
    portfolio = generate_portfolio(reference, 300, 1, date(2025, 6, 30))
    plans, _ = generate_plans(reference, portfolio, seed=1)
    return reference, plans


def test_the_records_use_the_other_authors_titles_in_one_language_and_label_by_family():
    reference, plans = _world()
    records, truth = eval_records(reference, plans, first_id=1001)
    assert records and {r.project.id for r in records} == set(range(1001, 1001 + len(records)))
    for r in records:
        assert bool(r.project.title_en) != bool(r.project.title_ar)  # one language only
        family = BY_KEY[r.family]
        phrasings = [t.split("{p}")[0] for t in family.en + family.ar]
        assert any((r.project.title_en or r.project.title_ar).startswith(p) for p in phrasings)
        assert r.template == FAMILY_TEMPLATE[r.family][0]
    codes = {(plan.code, o.code): (plan, o) for plan in plans for o in plan.objectives}
    for pid, key in truth:
        record = next(r for r in records if r.project.id == pid)
        plan, objective = codes[key]
        assert objective.template in (None, record.template)  # a broad sector objective, or its own work
        assert objective.municipality_id in (None, record.project.locations[0][0])
    negatives = [r for r in records if r.template is None]
    assert negatives and all(codes[k][1].template is None for p, k in truth if p in {r.project.id for r in negatives})


def test_the_quality_counts_hits_misses_and_hard_negatives():
    reference, plans = _world()
    records, truth = eval_records(reference, plans)
    _objectives, ids = objective_records(plans)
    broad = {ids[(plan.code, o.code)] for plan in plans for o in plan.objectives if o.template is None}
    perfect = {}
    for pid, key in truth:
        perfect.setdefault(pid, []).append(Suggestion(pid, ids[key], 1.0, []))
    assert eval_quality(perfect, truth, ids, broad, records)["all_links"]["precision"] == 1.0
    work = next(o for o in ids.values() if o not in broad)
    negative = next(r for r in records if r.template is None).project.id
    worse = {**perfect, negative: [*perfect.get(negative, []), Suggestion(negative, work, 0.9, [])]}
    quality = eval_quality(worse, truth, ids, broad, records)
    assert quality["hard_negatives"]["given_a_work_objective"] == 1
    assert quality["work_objectives"]["precision"] < 1.0 and quality["all_links"]["recall"] == 1.0


def test_bench_alignment_reports_the_distinct_records_and_the_incremental_median():
    out = StringIO()
    call_command("bench_alignment", "--projects=600", "--generate=300", "--objectives=200",
                 "--incremental-checks=20", "--today=2025-06-30", stdout=out)
    result = json.loads(out.getvalue())
    distinct = result["quality_distinct_records"]
    assert distinct["records"] > 100 and 0 <= distinct["work_objectives"]["precision"] <= 1
    assert distinct["all_links"]["true"] >= distinct["work_objectives"]["true"]
    assert result["incremental"]["checks"] == 20 and result["incremental"]["ms"]["median"] > 0
    assert "incremental_database" not in result
