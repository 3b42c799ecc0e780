"""A confirmed double report marks the record that does not count as ``duplicate_of`` the one that does:
a write to a project, made by the projects service (history user, project_changed "duplicate"), which
refuses a record counted as a duplicate of itself, directly or around a ring."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coordination.models import DuplicateFlag, FlagStatus
from coordination.services.duplicates import duplicate_flag_review
from projects.events import project_changed
from projects.models import Project
from projects.services import project_set_duplicate_of
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    """(project_ids, changed, user) of every project_changed sent."""
    seen: list[tuple[list[int], set[str], object]] = []

    def on_project(sender, project_ids, changed, user=None, **kwargs):
        seen.append((list(project_ids), set(changed), user))

    project_changed.connect(on_project, dispatch_uid="test-duplicate-counting")
    yield seen
    project_changed.disconnect(dispatch_uid="test-duplicate-counting")


@pytest.fixture
def records(undp, unicef):
    """Three records of one grant (funder's, implementer's, a third one)."""
    return [factories.ProjectFactory(reporting_partner=partner) for partner in (undp, unicef, undp)]


def _flag(a: Project, b: Project) -> DuplicateFlag:
    first, second = sorted((a, b), key=lambda p: p.pk)
    return DuplicateFlag.objects.create(project_a=first, project_b=second, kind=DuplicateFlag.Kind.REPORTED_TWICE,
                                        score=0.95)


def test_confirming_a_double_report_writes_the_project_through_its_service(records, personas, announced):
    analyst = personas["ministry_analyst"]
    counted, other = records[0], records[1]
    flag = _flag(counted, other)

    duplicate_flag_review(flag=flag, user=analyst, decision=FlagStatus.CONFIRMED, counted_project_id=counted.pk,
                          note="Funder and implementer report the same grant.")
    other.refresh_from_db()
    assert other.duplicate_of_id == counted.pk
    latest = other.history.first()
    assert latest.duplicate_of_id == counted.pk and latest.history_user == analyst
    assert ([other.pk], {"duplicate"}, analyst) in announced

    announced.clear()
    duplicate_flag_review(flag=flag, user=analyst, decision=FlagStatus.OPEN)  # taken back: it counts again
    other.refresh_from_db()
    assert other.duplicate_of_id is None
    latest = other.history.first()
    assert latest.duplicate_of_id is None and latest.history_user == analyst
    assert ([other.pk], {"duplicate"}, analyst) in announced


def test_a_record_cannot_be_a_duplicate_of_itself(records, personas, announced):
    project = records[0]
    with pytest.raises(ValidationError) as refused:
        project_set_duplicate_of(project=project, duplicate_of=project, user=personas["ministry_analyst"])
    assert "duplicate_of" in refused.value.message_dict
    project.refresh_from_db()
    assert project.duplicate_of_id is None and announced == []


def test_records_cannot_count_each_other_around_a_ring(records, personas):
    """Three confirmed pairs of one grant must leave one record counted: the decision that would close
    the ring (every record a duplicate of another, none counted) is refused and changes nothing."""
    analyst = personas["ministry_analyst"]
    a, b, c = records
    duplicate_flag_review(flag=_flag(a, b), user=analyst, decision=FlagStatus.CONFIRMED, counted_project_id=a.pk)
    duplicate_flag_review(flag=_flag(b, c), user=analyst, decision=FlagStatus.CONFIRMED, counted_project_id=b.pk)
    closing = _flag(a, c)
    with pytest.raises(ValidationError) as refused:  # a -> c, while c -> b -> a
        duplicate_flag_review(flag=closing, user=analyst, decision=FlagStatus.CONFIRMED, counted_project_id=c.pk)
    assert "counted_project" in refused.value.message_dict  # the reviewer's choice, as the API names it
    closing.refresh_from_db()
    a.refresh_from_db()
    assert closing.status == FlagStatus.OPEN and closing.counted_project_id is None
    assert a.duplicate_of_id is None
