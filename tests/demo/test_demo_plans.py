"""Demo plans: written with the portfolio (marked demo), their planted truth, and the engine against it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.demo.reference import demo_reference_in_db

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_demo_plans_and_the_engine_finds_the_planted_links(tmp_path, django_capture_on_commit_callbacks):
    from coordination.models import AlignmentFlag, ObjectiveLink
    from municipalities.models import DevelopmentPlan, Municipality

    demo_reference_in_db()
    path = tmp_path / "truth.json"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", f"--truth={path}", "--today=2025-06-30", "--projects=300", "--seed=3", verbosity=0)
    truth = json.loads(path.read_text(encoding="utf-8"))["alignment"]
    plans = DevelopmentPlan.objects.all()
    assert plans.exists() and not plans.filter(is_demo=False).exists()
    assert plans.filter(level="national").count() == 1 and plans.filter(level="sector").exists()
    local = plans.filter(level="municipal").count()
    assert local == -(-Municipality.objects.count() // 3)  # a third of the municipalities
    assert truth["counts"]["links"] > 100 and truth["priority_unfunded"] and truth["outside_plans"]
    wanted = {(t["project_id"], t["objective_id"]) for t in truth["links"]}
    assert None not in {x for pair in wanted for x in pair}
    found = set(ObjectiveLink.objects.values_list("project_id", "objective_id"))  # the run on commit
    hits = len(wanted & found)
    assert hits / len(found) >= 0.9 and hits / len(wanted) >= 0.9
    unfunded = set(AlignmentFlag.objects.filter(kind="priority_unfunded").values_list("objective_id", flat=True))
    planted = {t["objective_id"] for t in truth["priority_unfunded"]}
    assert len(planted & unfunded) / len(planted) >= 0.8 and len(planted & unfunded) / len(unfunded) >= 0.8
