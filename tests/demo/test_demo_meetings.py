"""seed_demo writes the committee's demo series: a finalised meeting about Murzuq (decisions, two actions, one
overdue, figures frozen) and a planned one that the open actions carry over to; marked as demo, replaced on a
second run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from coordination.models import FollowUpAction, Meeting, MeetingSeries, MeetingStatus
from demo.meetings import DEMO_NOTE, SERIES_AR, SERIES_EN
from municipalities.models import Municipality
from tests.demo.reference import demo_reference_in_db

TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def with_murzuq(db):
    demo_reference_in_db()
    Municipality.objects.filter(pk=Municipality.objects.order_by("pk").first().pk).update(slug="murzuq")


def test_seed_demo_writes_the_committee_series_about_murzuq(with_murzuq, personas):
    call_command("seed_demo", "--projects=60", "--seed=1", f"--today={TODAY}", verbosity=0)
    series = MeetingSeries.objects.get()
    assert (series.title_ar, series.title_en) == (SERIES_AR, SERIES_EN)
    held, planned = Meeting.objects.filter(series=series).order_by("date")
    assert held.status == MeetingStatus.FINALISED and planned.status == MeetingStatus.PLANNED
    assert DEMO_NOTE in held.notes_en and DEMO_NOTE in planned.notes_en and held.snapshot["as_of"]
    assert any(f.get("kind") == "municipality" for f in held.snapshot["figures"]), held.snapshot["figures"][:1]
    assert held.links.filter(kind="municipality", municipality__slug="murzuq").exists()
    assert held.decisions.count() == 2
    actions = list(FollowUpAction.objects.filter(meeting=held).order_by("order"))
    assert len(actions) == 2 and sum(a.due < TODAY for a in actions) == 1  # one overdue
    assert planned.actions.filter(carried_over_from__in=actions).count() == 2
    from coordination.selectors.meetings import meeting_report_content

    content = meeting_report_content(meeting_id=held.pk, user=personas["viewer"], language="ar")
    assert not content["is_live"] and "مرزق" in content["agenda"][0]["title"]
    call_command("seed_demo", "--projects=60", "--seed=1", f"--today={TODAY}", "--clear", verbosity=0)
    assert MeetingSeries.objects.count() == 1 and Meeting.objects.count() == 2  # replaced, not doubled
