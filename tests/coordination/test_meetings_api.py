"""/api/v1/ meetings, agenda items, decisions and actions: the pages' scoping, writes through the services,
fixed query counts, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from coordination.models import ActionStatus, MeetingStatus
from coordination.services import meeting_actions as acts
from coordination.services import meetings as svc
from tests.coordination.meeting_helpers import committee_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, undp, unicef):
    w = committee_world(personas, undp, unicef)
    user = personas["rapporteur"]
    svc.attendee_add(user=user, meeting=w["meeting"], name="Amal", partner=undp)
    svc.agenda_item_add(user=user, meeting=w["meeting"], title_en="Murzuq", links=[("municipality", w["murzuq"].pk)])
    acts.decision_record(user=user, meeting=w["meeting"], text_en="Merge")
    w["undp_action"] = acts.action_record(user=user, meeting=w["meeting"], text_en="Plan", owner_partner=undp)
    w["unit_action"] = acts.action_record(user=user, meeting=w["meeting"], text_en="Visit", owner_unit="Water")
    return w


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(("persona", "sees_planned"), [("rapporteur", True), ("ministry_analyst", True),
                                                       ("viewer", False), ("undp_focal_point", False),
                                                       ("unicef_focal_point", False)])
def test_the_lists_follow_the_meeting_rules(client_for, world, personas, persona, sees_planned):
    client, meeting = client_for(persona, "en", api=True), world["meeting"]
    assert (meeting.pk in _ids(client.get(reverse("api:meeting-list")))) is sees_planned
    assert bool(_ids(client.get(reverse("api:meeting-agenda-item-list")))) is sees_planned
    assert bool(_ids(client.get(reverse("api:meeting-decision-list")))) is sees_planned
    detail = client.get(reverse("api:meeting-detail", args=[meeting.pk]))
    assert detail.status_code == (200 if sees_planned else 404)
    actions = _ids(client.get(reverse("api:meeting-action-list")))
    expected = {world["undp_action"].pk, world["unit_action"].pk} if sees_planned else (
        {world["undp_action"].pk} if persona == "undp_focal_point" else set())
    assert actions == expected


def test_after_finalising_the_viewer_and_the_attending_partner_read_it(client_for, world, personas):
    svc.meeting_finalise(user=personas["rapporteur"], meeting=world["meeting"])
    for persona, expected in (("viewer", 200), ("undp_focal_point", 200), ("unicef_focal_point", 404)):
        response = client_for(persona, "en", api=True).get(reverse("api:meeting-detail", args=[world["meeting"].pk]))
        assert response.status_code == expected, persona
    row = client_for("viewer", "en", api=True).get(reverse("api:meeting-detail", args=[world["meeting"].pk])).json()
    assert row["status"] == MeetingStatus.FINALISED and "snapshot" not in row


def test_creating_a_meeting_and_finalising_through_the_api(client_for, world, personas):
    client = client_for("rapporteur", "en", api=True)
    response = client.post(reverse("api:meeting-list"), {"series": world["series"].pk, "date": "2026-06-01",
                                                         "place": "Sabha"}, format="json")
    assert response.status_code == 201 and response.json()["number"] == 2
    refused = client_for("viewer", "en", api=True).post(reverse("api:meeting-list"), {
        "series": world["series"].pk, "date": "2026-06-01"}, format="json")
    assert refused.status_code == 403
    bad = client.post(reverse("api:meeting-list"), {"series": world["series"].pk, "date": "2026-06-01",
                                                    "start_time": "10:00", "end_time": "09:00"}, format="json")
    assert bad.status_code == 400 and "end_time" in bad.content.decode()
    done = client.post(reverse("api:meeting-finalise", args=[world["meeting"].pk]))
    assert done.status_code == 200 and done.json()["status"] == "finalised"
    again = client.post(reverse("api:meeting-finalise", args=[world["meeting"].pk]))
    assert again.status_code == 400


def test_a_focal_point_changes_its_actions_status_through_the_api(client_for, world):
    client = client_for("undp_focal_point", "en", api=True)
    url = reverse("api:meeting-action-change-status", args=[world["undp_action"].pk])
    response = client.post(url, {"status": "in_progress", "note": "Started"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == ActionStatus.IN_PROGRESS
    other = reverse("api:meeting-action-change-status", args=[world["unit_action"].pk])
    assert client.post(other, {"status": "done", "note": "x"}, format="json").status_code == 404


def test_the_lists_keep_a_fixed_number_of_queries(client_for, world, personas, undp, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, user = client_for("rapporteur", "en", api=True), personas["rapporteur"]
    names = ["api:meeting-list", "api:meeting-agenda-item-list", "api:meeting-decision-list", "api:meeting-action-list"]
    counts = []
    for name in names:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        counts.append(len(captured))
    for i in range(8):
        m = svc.meeting_create(user=user, series=world["series"], date=dt.date(2026, 7, 1) + dt.timedelta(days=i))
        svc.agenda_item_add(user=user, meeting=m, title_en=f"Item {i}", links=[("partner", undp.pk)])
        acts.decision_record(user=user, meeting=m, text_en=f"Decision {i}", links=[("partner", undp.pk)])
        acts.action_record(user=user, meeting=m, text_en=f"Do {i}", owner_unit="Planning", links=[("partner", undp.pk)])
    for name, n in zip(names, counts, strict=True):
        with django_assert_num_queries(n):
            assert client.get(reverse(name)).status_code == 200


def test_the_openapi_document_has_the_meeting_routes(client_for):
    schema = client_for("ministry_analyst", "en").get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"] if schema["Content-Type"].startswith("application/json") else {}
    text = schema.content.decode()
    for route in ("/api/v1/meetings/", "/api/v1/meeting-actions/{id}/status/", "/api/v1/meeting-decisions/",
                  "/api/v1/meeting-agenda-items/"):
        assert route in paths or route in text
