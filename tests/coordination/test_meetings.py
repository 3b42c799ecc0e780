"""The committee's meetings: agenda from the data, decisions that resolve flags, actions that carry over,
the snapshot of a finalised meeting, and the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from coordination.models import ActionStatus, AgendaItem, FlagStatus, FollowUpAction, MeetingStatus
from coordination.selectors.meeting_data import agenda_proposals_for_meeting
from coordination.selectors.meetings import action_history, action_list, meeting_report_content
from coordination.services import meeting_actions as acts
from coordination.services import meetings as svc
from coordination.services.delays import delay_flag_review
from tests.coordination.meeting_helpers import committee_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(english, personas, undp, unicef):
    """In English, to read the messages (the Arabic ones are checked once, below)."""
    return committee_world(personas, undp, unicef)


def test_refusals_read_in_arabic(personas, undp, unicef):

    world = committee_world(personas, undp, unicef)
    with translation.override("ar"), pytest.raises(ValidationError) as end:
        svc.meeting_edit(user=personas["rapporteur"], meeting=world["meeting"], start_time=dt.time(10),
                         end_time=dt.time(9))
    assert "لا يمكن أن ينتهي الاجتماع قبل أن يبدأ" in str(end.value)


def _filters(world):
    return {"municipalities": [world["murzuq"].pk]}


def test_meetings_are_numbered_in_their_series_and_the_rapporteur_is_the_creator(personas, world):
    second = svc.meeting_create(user=personas["rapporteur"], series=world["series"], date=dt.date(2026, 4, 1))
    assert (world["meeting"].number, second.number) == (1, 2)
    assert second.rapporteur == personas["rapporteur"] and second.history.first().history_user == personas["rapporteur"]


@pytest.mark.parametrize("persona", ["viewer", "undp_focal_point", "anonymous"])
def test_only_recorders_create_meetings(personas, world, persona):
    with pytest.raises(PermissionDenied):
        svc.meeting_create(user=personas[persona], series=world["series"], date=dt.date(2026, 4, 1))


def test_bad_input_is_refused_with_a_clear_message(personas, world):
    user, meeting = personas["rapporteur"], world["meeting"]
    with pytest.raises(ValidationError) as end:
        svc.meeting_edit(user=user, meeting=meeting, start_time=dt.time(10), end_time=dt.time(9))
    assert "end before it starts" in str(end.value)
    with pytest.raises(ValidationError) as org:
        svc.attendee_add(user=user, meeting=meeting, name="Someone")
    assert "organisation" in str(org.value)
    with pytest.raises(ValidationError) as unknown:
        svc.meeting_edit(user=user, meeting=meeting, status="finalised")
    assert "Unknown fields" in str(unknown.value)
    with pytest.raises(ValidationError) as kind:
        svc.agenda_item_add(user=user, meeting=meeting, title_en="Water", links=[("planet", 1)])
    assert "Unknown kind" in str(kind.value)
    with pytest.raises(ValidationError):
        svc.agenda_item_add(user=user, meeting=meeting, title_en="", title_ar="  ")
    assert not AgendaItem.objects.filter(meeting=meeting).exists()  # nothing half-written


def test_a_link_to_a_record_the_user_may_not_see_is_refused(personas, world, unicef):
    """A focal point's view: the UNICEF draft is hidden from UNDP. The recorders see every project, so the
    refusal is checked on the rule itself and on a project that does not exist."""
    from coordination.selectors.meeting_links import links_refused

    draft = world["draft"]
    assert links_refused(personas["undp_focal_point"], [("project", draft.pk), ("project", world["grid"].pk)]) == [
        ("project", draft.pk)]
    assert links_refused(personas["undp_focal_point"], [("gap", world["gap"].pk)]) == [("gap", world["gap"].pk)]
    with pytest.raises(ValidationError) as refused:
        svc.agenda_item_add(user=personas["rapporteur"], meeting=world["meeting"], title_en="Ghost",
                            links=[("project", 999999), ("municipality", world["murzuq"].pk)])
    assert "project #999999" in str(refused.value) and "may not see" in str(refused.value)


def test_agenda_proposals_come_from_murzuqs_flags_and_can_be_accepted_reordered_and_dropped(personas, world):
    user, meeting = personas["rapporteur"], world["meeting"]
    proposals = agenda_proposals_for_meeting(user=user, meeting=meeting, filters=_filters(world))
    keys = {p["key"] for p in proposals}
    assert {f"duplicate:{world['duplicate'].pk}", f"gap:{world['gap'].pk}", f"delay:{world['delay'].pk}"} <= keys
    duplicate = next(p for p in proposals if p["source"] == "duplicate")
    assert "Murzuq water network" in duplicate["title_en"] and "شبكة مياه مرزق" in duplicate["title_ar"]
    elsewhere = agenda_proposals_for_meeting(user=user, meeting=meeting, filters={
        "municipalities": [world["other"].pk]})
    assert f"gap:{world['gap'].pk}" not in {p["key"] for p in elsewhere}  # the gap is Murzuq's
    first = svc.agenda_proposal_accept(user=user, meeting=meeting, key=f"gap:{world['gap'].pk}",
                                       filters=_filters(world))
    second = svc.agenda_proposal_accept(user=user, meeting=meeting, key=f"duplicate:{world['duplicate'].pk}",
                                        filters=_filters(world))
    assert {(link.kind, link.target_id) for link in first.links.all()} == {
        ("gap", world["gap"].pk), ("municipality", world["murzuq"].pk), ("sector", world["electricity"].pk)}
    svc.agenda_proposal_drop(user=user, meeting=meeting, key=f"delay:{world['delay'].pk}")
    left = {p["key"] for p in agenda_proposals_for_meeting(user=user, meeting=meeting, filters=_filters(world))}
    assert left.isdisjoint({f"gap:{world['gap'].pk}", f"duplicate:{world['duplicate'].pk}",
                            f"delay:{world['delay'].pk}"})
    svc.agenda_reorder(user=user, meeting=meeting, item_ids=[second.pk, first.pk])
    assert list(meeting.agenda_items.order_by("order").values_list("pk", flat=True)) == [second.pk, first.pk]
    with pytest.raises(ValidationError):
        svc.agenda_reorder(user=user, meeting=meeting, item_ids=[second.pk])
    with pytest.raises(ValidationError):
        svc.agenda_proposal_accept(user=user, meeting=meeting, key="gap:999999", filters=_filters(world))


def test_a_decision_confirms_the_duplicate_and_the_flag_history_shows_the_meeting(personas, world):
    analyst, meeting, flag = personas["ministry_analyst"], world["meeting"], world["duplicate"]
    decision = acts.decision_record(
        user=analyst, meeting=meeting, text_en="UNDP and UNICEF will merge their Murzuq water projects.",
        flag={"kind": "duplicate", "id": flag.pk, "status": "confirmed"})
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CONFIRMED and flag.decided_by == analyst
    assert "merge their Murzuq water projects" in flag.decision_note and str(meeting) in flag.decision_note
    latest = flag.history.first()
    assert latest.history_change_reason == f"meeting:{meeting.pk}" and latest.history_user == analyst
    assert (decision.flag_kind, decision.flag_id, decision.flag_status) == ("duplicate", flag.pk, "confirmed")
    assert decision.links.filter(kind="duplicate", duplicate_flag=flag).exists()
    content = meeting_report_content(meeting_id=meeting.pk, user=analyst, language="en")
    assert content["decisions"][0]["flag_effect"] == f"Duplicate flag #{flag.pk} confirmed"


def test_a_decision_dismissing_a_gap_and_the_rapporteur_resolves_flags_only_through_the_committee(personas, world):
    gap = world["gap"]
    acts.decision_record(user=personas["ministry_admin"], meeting=world["meeting"],
                         text_ar="لا فجوة: مشروع الحكومة يغطي الكهرباء.",
                         flag={"kind": "gap", "id": gap.pk, "status": "dismissed"})
    gap.refresh_from_db()
    assert gap.status == FlagStatus.DISMISSED and "مشروع الحكومة" in gap.decision_note
    # The committee decides: the rapporteur records the decision's effect without a review permission of their own
    rapporteur = personas["rapporteur"]
    assert not rapporteur.has_perm("coordination.change_delayflag")
    acts.decision_record(user=rapporteur, meeting=world["meeting"], text_en="Late, noted.",
                         flag={"kind": "delay", "id": world["delay"].pk, "status": "confirmed"})
    world["delay"].refresh_from_db()
    assert world["delay"].status == FlagStatus.CONFIRMED and world["delay"].decided_by == rapporteur
    assert world["delay"].history.first().history_change_reason == f"meeting:{world['meeting'].pk}"
    # ... but not directly, outside a meeting
    with pytest.raises(PermissionDenied):
        delay_flag_review(flag=world["delay"], user=rapporteur, status="dismissed", note="no")
    # and one who does not record meetings records no decision at all
    with pytest.raises(PermissionDenied):
        acts.decision_record(user=personas["viewer"], meeting=world["meeting"], text_en="No.",
                             flag={"kind": "gap", "id": gap.pk, "status": "confirmed"})
    assert world["meeting"].decisions.count() == 2


def test_action_status_changes_carry_a_note_and_open_actions_carry_over(personas, world, undp):
    user, meeting = personas["rapporteur"], world["meeting"]
    done = acts.action_record(user=user, meeting=meeting, text_en="Share the well sites", owner_partner=undp,
                              owner_person="A. Salem", due=dt.date(2026, 3, 20))
    kept = acts.action_record(user=user, meeting=meeting, text_en="Survey the network", owner_unit="Water sector",
                              due=dt.date(2026, 3, 15), links=[("municipality", world["murzuq"].pk)])
    with pytest.raises(ValidationError):
        acts.action_status_change(user=user, action=done, status=ActionStatus.DONE)  # a note is needed
    acts.action_status_change(user=personas["undp_focal_point"], action=done, status=ActionStatus.DONE,
                              note="Sites sent on 18 March.")
    with pytest.raises(PermissionDenied):
        acts.action_status_change(user=personas["unicef_focal_point"], action=kept, status=ActionStatus.IN_PROGRESS)
    acts.action_status_change(user=user, action=kept, status=ActionStatus.IN_PROGRESS, note="Team hired.")
    next_meeting = svc.meeting_create(user=user, series=world["series"], date=dt.date(2026, 4, 1))
    carried = FollowUpAction.objects.get(meeting=next_meeting)
    assert carried.carried_over_from == kept and carried.status == ActionStatus.IN_PROGRESS
    assert carried.links.filter(kind="municipality", municipality=world["murzuq"]).exists()
    history = action_history(carried)
    assert [h.note for h in history][-2:] == ["Team hired.", f"Carried over from {meeting}."]
    assert acts.actions_carry_over(meeting=next_meeting, user=user) == []  # safe to run twice
    with pytest.raises(ValidationError) as moved:
        acts.action_status_change(user=user, action=kept, status=ActionStatus.DONE, note="x")
    assert "carried over" in str(moved.value)
    listed = list(action_list(user))
    assert carried in listed and kept not in listed and done in listed


def test_overdue_actions_come_first(personas, world, undp):
    user, meeting = personas["rapporteur"], world["meeting"]
    later = acts.action_record(user=user, meeting=meeting, text_en="Later", owner_unit="Planning",
                               due=dt.date(2030, 1, 1))
    late = acts.action_record(user=user, meeting=meeting, text_en="Late", owner_unit="Planning",
                              due=dt.date(2020, 1, 1))
    rows = list(action_list(user, today=dt.date(2026, 1, 1)))
    assert rows[0] == late and rows[0].is_overdue == 1 and rows[1] == later and rows[1].is_overdue == 0
    assert list(action_list(user, filters={"owner_unit": "plan", "due_from": dt.date(2025, 1, 1)})) == [later]


def test_a_finalised_meeting_is_frozen_and_its_report_stays_the_same_after_projects_change(personas, world, undp):
    user, meeting = personas["rapporteur"], world["meeting"]
    svc.attendee_add(user=user, meeting=meeting, name="Amal", partner=undp, language="en")
    svc.agenda_item_add(user=user, meeting=meeting, title_en="Murzuq", links=[
        ("municipality", world["murzuq"].pk), ("project", world["grid"].pk), ("partner", undp.pk)])
    action = acts.action_record(user=user, meeting=meeting, text_en="Report", owner_partner=undp)
    meeting = svc.meeting_finalise(user=user, meeting=meeting)
    assert meeting.status == MeetingStatus.FINALISED and meeting.finalised_at is not None
    before = {lang: meeting_report_content(meeting_id=meeting.pk, user=user, language=lang) for lang in ("ar", "en")}
    assert before["en"]["is_live"] is False and before["en"]["as_of"] is not None
    kinds = {f["kind"] for f in before["en"]["figures"]}
    assert kinds == {"municipality", "partner", "project"}
    grid = world["grid"]
    grid.budget, grid.title_en = Decimal("7000000"), "Renamed project"
    grid.save()
    acts.action_status_change(user=user, action=action, status=ActionStatus.IN_PROGRESS, note="Started.")
    after = {lang: meeting_report_content(meeting_id=meeting.pk, user=user, language=lang) for lang in ("ar", "en")}
    assert after == before
    for change in (lambda: svc.meeting_edit(user=user, meeting=meeting, place="Benghazi"),
                   lambda: svc.agenda_item_add(user=user, meeting=meeting, title_en="Late item"),
                   lambda: acts.decision_record(user=user, meeting=meeting, text_en="Too late")):
        with pytest.raises(ValidationError):
            change()
    with pytest.raises(ValidationError):
        svc.meeting_reopen(user=user, meeting=meeting, reason="")
    reopened = svc.meeting_reopen(user=user, meeting=meeting, reason="Wrong date")
    assert reopened.status == MeetingStatus.HELD and reopened.reopened_count == 1
    assert reopened.history.first().history_change_reason == "reopened: Wrong date"
    live = meeting_report_content(meeting_id=meeting.pk, user=user, language="en")
    assert live["is_live"] is True and "Renamed project" in str(live["agenda"][0]["links"])


def test_report_content_has_the_contracts_shape(personas, world, undp):
    user, meeting = personas["rapporteur"], world["meeting"]
    svc.attendee_add(user=user, meeting=meeting, name="Amal", body="Ministry of Health", present=False)
    item = svc.agenda_item_add(user=user, meeting=meeting, title_ar="مرزق", links=[("municipality",
                                                                                    world["murzuq"].pk)])
    acts.decision_record(user=user, meeting=meeting, text_ar="قرار", agenda_item=item)
    acts.action_record(user=user, meeting=meeting, text_en="Do", owner_partner=undp, due=dt.date(2020, 1, 1))
    content = meeting_report_content(meeting_id=meeting.pk, user=user, language="en")
    assert set(content) == {"language", "meeting", "as_of", "is_live", "attendees", "agenda", "decisions",
                            "actions", "figures", "municipality_pcodes"}
    assert set(content["meeting"]) == {"id", "title", "series", "number", "date", "start_time", "end_time", "place",
                                       "online_link", "chair", "rapporteur", "status", "status_label", "finalised_at"}
    assert content["attendees"] == [{"name": "Amal", "title": "", "organisation": "Ministry of Health",
                                     "present": False, "presence_label": "Excused", "email": "", "language": ""}]
    assert content["agenda"][0] == {"number": 1, "title": "مرزق", "notes": "",
                                    "links": [{"kind": "municipality", "label": "Murzuq"}]}
    assert content["decisions"][0] == {"number": "1", "text": "قرار", "agenda_number": 1, "links": [],
                                       "flag_effect": ""}
    action = content["actions"][0]
    assert set(action) == {"number", "text", "owner", "owner_person", "due", "status", "status_label", "overdue"}
    assert action["owner"] == "UNDP" and action["overdue"] is True
    assert content["municipality_pcodes"] == ["LY031801"] and content["is_live"] is True
    assert meeting_report_content(meeting_id=meeting.pk, user=user, language="ar")["meeting"]["status_label"] == "مخطط"


def test_distribution_is_recorded_once_finalised(personas, world):
    user, meeting = personas["rapporteur"], world["meeting"]
    with pytest.raises(ValidationError):
        svc.meeting_mark_distributed(user=user, meeting=meeting)
    svc.meeting_finalise(user=user, meeting=meeting)
    sent = svc.meeting_mark_distributed(user=user, meeting=meeting)
    assert sent.status == MeetingStatus.DISTRIBUTED and sent.distributed_at is not None
    with pytest.raises(ValidationError):
        svc.meeting_mark_distributed(user=user, meeting=meeting)
