"""The meeting pages: they render in both languages, writes go through the services, lists keep a fixed
number of queries, what a reader may not see is a 404, and the .ics invitation is RFC 5545 text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import ActionStatus, FlagStatus, FollowUpAction, MeetingStatus
from coordination.services import meeting_actions as acts
from coordination.services import meetings as svc
from tests.coordination.meeting_helpers import committee_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, undp, unicef):
    return committee_world(personas, undp, unicef)


def _ok(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_page_renders_for_the_rapporteur(client_for, world, undp, language):
    client, meeting = client_for("rapporteur", language), world["meeting"]
    acts.action_record(user=world["meeting"].rapporteur, meeting=meeting, text_en="Visit",
                       text_ar="زيارة", owner_partner=undp, due=dt.date(2020, 1, 1))
    for name, args in (("meeting_index", []), ("action_index", []), ("meeting_detail", [meeting.pk]),
                       ("meeting_agenda", [meeting.pk]), ("meeting_edit", [meeting.pk])):
        html = _ok(client.get(reverse(name, args=args)))
        assert ("زيارة" if language == "ar" else "Visit") in html or name in ("meeting_index", "meeting_agenda",
                                                                               "meeting_edit")
    detail = _ok(client.get(reverse("meeting_detail", args=[meeting.pk])))
    assert "tansiq-overdue" in detail and ("متأخر" if language == "ar" else "overdue") in detail
    assert _ok(client.get(reverse("meeting_create") + f"?series={world['series'].pk}"))


def test_the_rapporteur_builds_the_agenda_from_murzuqs_flags_and_finalises(client_for, world, personas, undp):
    client, meeting, m = client_for("rapporteur", "en"), world["meeting"], world["murzuq"]
    query = f"municipalities={m.pk}"
    html = _ok(client.get(reverse("meeting_agenda", args=[meeting.pk]) + "?" + query))
    assert "Possible duplicate" in html and "Coverage gap: Murzuq" in html
    key = f"duplicate:{world['duplicate'].pk}"
    response = client.post(reverse("meeting_agenda_accept", args=[meeting.pk]), {"key": key, "query": query})
    assert response.status_code == 302 and meeting.agenda_items.get().source_key == key
    client.post(reverse("meeting_agenda_drop", args=[meeting.pk]), {"key": f"delay:{world['delay'].pk}"})
    assert _ok(client.get(reverse("meeting_agenda", args=[meeting.pk]) + "?" + query)).count('class="list-group-item proposal"') == 1
    client.post(reverse("meeting_decision_add", args=[meeting.pk]), {
        "text_en": "UNDP and UNICEF will merge their Murzuq water projects.",
        "agenda_item": meeting.agenda_items.get().pk, "links": [f"project:{world['wells'].pk}"]})
    assert meeting.decisions.get().links.filter(project=world["wells"]).exists()
    client.post(reverse("meeting_action_add", args=[meeting.pk]), {"text_en": "Merge plan", "owner_partner": undp.pk,
                                                                   "due": "2026-04-01"})
    client.post(reverse("meeting_action_add", args=[meeting.pk]), {"text_en": "Site visit",
                                                                   "owner_unit": "Water sector"})
    assert meeting.actions.count() == 2
    client.post(reverse("meeting_transition", args=[meeting.pk]), {"step": "finalise"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.FINALISED and meeting.snapshot["figures"]
    html = _ok(client.get(reverse("meeting_detail", args=[meeting.pk])))
    assert "Figures as of" in html and "Today&#x27;s figures" in html or "Today's figures" in html
    # A correction is refused while finalised, with the message on the page.
    response = client.post(reverse("meeting_action_add", args=[meeting.pk]), {"text_en": "Late", "owner_unit": "X"},
                           follow=True)
    assert "read-only" in response.content.decode() and meeting.actions.count() == 2


def test_an_analyst_decision_on_the_page_confirms_the_flag(client_for, world):
    client, meeting = client_for("ministry_analyst", "en"), world["meeting"]
    svc.agenda_proposal_accept(user=world["meeting"].rapporteur, meeting=meeting,
                               key=f"duplicate:{world['duplicate'].pk}", filters={})
    client.post(reverse("meeting_decision_add", args=[meeting.pk]), {
        "text_en": "Merge.", "flag": f"duplicate:{world['duplicate'].pk}", "flag_status": "confirmed"})
    world["duplicate"].refresh_from_db()
    assert world["duplicate"].status == FlagStatus.CONFIRMED
    html = _ok(client.get(reverse("meeting_detail", args=[meeting.pk])))
    assert f"Duplicate flag #{world['duplicate'].pk} confirmed" in html


@pytest.mark.parametrize("persona", ["viewer", "undp_focal_point", "unicef_focal_point"])
def test_an_unfinalised_meeting_is_a_404_for_those_who_may_not_see_it(client_for, world, persona):
    client = client_for(persona, "en")
    for name in ("meeting_detail", "meeting_invitation", "meeting_agenda"):
        assert client.get(reverse(name, args=[world["meeting"].pk])).status_code == 404
    assert client.post(reverse("meeting_decision_add", args=[world["meeting"].pk]), {"text_en": "x"}).status_code == 404


def test_a_focal_point_updates_its_partners_action_and_no_other(client_for, world, personas, undp, unicef):
    rapporteur, meeting = personas["rapporteur"], world["meeting"]
    ours = acts.action_record(user=rapporteur, meeting=meeting, text_en="Ours", owner_partner=undp)
    theirs = acts.action_record(user=rapporteur, meeting=meeting, text_en="Theirs", owner_partner=unicef)
    client = client_for("undp_focal_point", "en")
    html = _ok(client.get(reverse("action_index")))
    assert "Ours" in html and "Theirs" not in html
    client.post(reverse("action_status", args=[ours.pk]), {"status": "in_progress", "note": "Started", "next": "actions"})
    assert client.post(reverse("action_status", args=[theirs.pk]), {"status": "done", "note": "x"}).status_code == 404
    ours.refresh_from_db(), theirs.refresh_from_db()
    assert ours.status == ActionStatus.IN_PROGRESS and theirs.status == ActionStatus.OPEN


def test_the_lists_keep_a_fixed_number_of_queries(client_for, world, personas, undp, django_assert_num_queries):
    client, user = client_for("rapporteur", "ar"), personas["rapporteur"]
    urls = [reverse("meeting_index"), reverse("action_index")]
    acts.action_record(user=user, meeting=world["meeting"], text_en="First", owner_partner=undp)  # a page of one
    client.get(urls[0])

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = [count(url) for url in urls]
    for i in range(12):
        extra = svc.meeting_create(user=user, series=world["series"], date=dt.date(2026, 5, 1) + dt.timedelta(days=i))
        acts.action_record(user=user, meeting=extra, text_en=f"Do {i}", owner_partner=undp if i % 2 else None,
                           owner_unit="" if i % 2 else "Planning", due=dt.date(2026, 1, 1 + i))
    assert FollowUpAction.objects.count() > 12
    for url, n in zip(urls, few, strict=True):
        with django_assert_num_queries(n):
            assert client.get(url).status_code == 200


def test_the_invitation_is_rfc_5545_text(client_for, world, personas):
    meeting = svc.meeting_edit(user=personas["rapporteur"], meeting=world["meeting"], start_time=dt.time(10, 0),
                               end_time=dt.time(12, 30), place="Tripoli; Ministry, room 3",
                               title_en="Committee, UN agencies", notes_en="Line one\nLine two " + "x" * 120)
    response = client_for("rapporteur", "en").get(reverse("meeting_invitation", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # only CRLF line ends
    assert "DTSTART:20260301T080000Z" in body and "DTEND:20260301T103000Z" in body  # Tripoli is UTC+2
    assert "LOCATION:Tripoli\\; Ministry\\, room 3" in body and "SUMMARY:Committee\\, UN agencies #1" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert "DESCRIPTION:Line one\\nLine two " + "x" * 120 in unfolded


def test_the_municipality_file_lists_the_meetings_about_it(client_for, world, personas, undp):
    user, meeting, m = personas["rapporteur"], world["meeting"], world["murzuq"]
    item = svc.agenda_item_add(user=user, meeting=meeting, title_en="Murzuq water", links=[("municipality", m.pk)])
    acts.decision_record(user=user, meeting=meeting, text_en="Merge the water projects", agenda_item=item)
    acts.action_record(user=user, meeting=meeting, text_en="Send the merge plan", owner_partner=undp,
                       links=[("municipality", m.pk)])
    html = _ok(client_for("rapporteur", "en").get(reverse("municipality_file", args=[m.slug])))
    assert "Merge the water projects" in html and "Send the merge plan" in html
    # Not finalised: a viewer sees none of it.
    assert "Send the merge plan" not in _ok(client_for("viewer", "en").get(reverse("municipality_file",
                                                                                   args=[m.slug])))
