"""Flags name projects: a focal point reads only the flags whose projects they may see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coordination.models import DelayFlag, DuplicateFlag
from projects.models import ReviewState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairs(undp, unicef):
    own = factories.ProjectFactory(reporting_partner=undp, title_en="UNDP OWN DRAFT", state=ReviewState.DRAFT)
    accepted = factories.ProjectFactory(reporting_partner=unicef, title_en="UNICEF ACCEPTED",
                                        state=ReviewState.ACCEPTED)
    hidden = factories.ProjectFactory(reporting_partner=unicef, title_en="UNICEF HIDDEN DRAFT",
                                      state=ReviewState.DRAFT)
    seen = DuplicateFlag.objects.create(project_a=own, project_b=accepted, kind=DuplicateFlag.Kind.OVERLAP, score=0.9)
    unseen = DuplicateFlag.objects.create(project_a=own, project_b=hidden, kind=DuplicateFlag.Kind.OVERLAP,
                                          score=0.8)
    delay_seen = DelayFlag.objects.create(project=accepted, rule=DelayFlag.Rule.END_PASSED, severity=2, score=0.5)
    delay_unseen = DelayFlag.objects.create(project=hidden, rule=DelayFlag.Rule.END_PASSED, severity=2, score=0.5)
    return {"seen": seen, "unseen": unseen, "delay_seen": delay_seen, "delay_unseen": delay_unseen}


def test_duplicate_page_and_api_show_a_focal_point_only_pairs_they_may_see(client_for, personas, pairs):
    client = client_for(personas["undp_focal_point"], 'en')
    html = client.get(reverse("duplicate_list")).content.decode()
    assert "UNICEF ACCEPTED" in html and "UNICEF HIDDEN DRAFT" not in html
    listed = client.get("/api/v1/duplicates/").json()
    assert [row["id"] for row in listed["results"]] == [pairs["seen"].pk]
    assert client.get(f"/api/v1/duplicates/{pairs['unseen'].pk}/").status_code == 404
    # the ministry sees both
    staff = client_for(personas["ministry_analyst"], 'en').get("/api/v1/duplicates/").json()
    assert {row["id"] for row in staff["results"]} == {pairs["seen"].pk, pairs["unseen"].pk}


def test_delay_flags_of_hidden_projects_are_not_listed_to_a_focal_point(client_for, personas, pairs):
    client = client_for(personas["undp_focal_point"], 'en')
    listed = client.get("/api/v1/delays/").json()
    assert [row["id"] for row in listed["results"]] == [pairs["delay_seen"].pk]
    assert client.get(f"/api/v1/delays/{pairs['delay_unseen'].pk}/").status_code == 404
    staff = client_for(personas["viewer"], 'en').get("/api/v1/delays/").json()
    assert {row["id"] for row in staff["results"]} == {pairs["delay_seen"].pk, pairs["delay_unseen"].pk}


def test_the_committees_decision_note_is_for_ministry_staff(client_for, personas, pairs):
    flag = pairs["seen"]
    flag.decision_note, flag.decided_by = "COMMITTEE INTERNAL NOTE", personas["ministry_analyst"]
    flag.save()
    partner = client_for(personas["undp_focal_point"], 'en').get(f"/api/v1/duplicates/{flag.pk}/").json()
    assert partner["decision_note"] is None and partner["decided_by"] is None and partner["status"] == "open"
    staff = client_for(personas["viewer"], 'en').get(f"/api/v1/duplicates/{flag.pk}/").json()
    assert staff["decision_note"] == "COMMITTEE INTERNAL NOTE" and staff["decided_by"] == "ministry_analyst"


def test_reviewing_a_hidden_flag_from_the_page_is_not_found(client_for, personas, pairs):
    client = client_for(personas["undp_focal_point"], 'en')
    url = reverse("duplicate_review", args=[pairs["unseen"].pk])
    assert client.post(url, {"status": "dismissed", "note": "x"}).status_code == 404
    assert client.post(reverse("duplicate_review", args=[pairs["seen"].pk]),
                       {"status": "dismissed", "note": "x"}).status_code in (302, 403)


@pytest.fixture
def decided(personas, pairs):
    """The pair a focal point may see, dismissed by a ministry analyst other than the persona (so the
    decider's name on a page is not the signed-in user's own name in the menu)."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from coordination import roles

    decider = factories.UserFactory(username="layla_decider", first_name="Layla", last_name="Decider")
    decider.groups.add(Group.objects.get(name=roles.MINISTRY_ANALYST))
    flag = pairs["seen"]
    flag.status, flag.decided_by, flag.decided_at = "dismissed", decider, timezone.now()
    flag.decision_note = "COMMITTEE INTERNAL NOTE"
    flag.save()
    return flag


@pytest.mark.parametrize(("persona", "sees_decider"), [
    ("undp_focal_point", False), ("ministry_analyst", True), ("viewer", True),
])
def test_who_decided_a_duplicate_flag_is_shown_alike_on_the_page_and_in_the_api(client_for, decided, persona,
                                                                                 sees_decider):
    html = client_for(persona, "en").get(reverse("duplicate_list")).content.decode()
    response = client_for(persona, "en", api=True).get(f"/api/v1/duplicates/{decided.pk}/")
    body = response.content.decode()
    assert response.status_code == 200 and f'data-flag="{decided.pk}"' in html
    assert ("layla_decider" in html) is sees_decider
    assert ("layla_decider" in body) is sees_decider
    assert ("COMMITTEE INTERNAL NOTE" in body) is sees_decider
    if not sees_decider:
        assert "Layla" not in html and "Decider" not in html and "COMMITTEE INTERNAL NOTE" not in html
    # The status, and the day it was decided, are not the committee's private record: both show them to all.
    assert "Dismissed" in html and response.json()["status"] == "dismissed"
    assert decided.decided_at.date().isoformat() in html and response.json()["decided_at"] is not None
