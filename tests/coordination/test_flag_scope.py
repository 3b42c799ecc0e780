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
