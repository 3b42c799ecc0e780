"""Who reads and writes the committee's meetings and actions: the rule of coordination.meeting_rules as a
matrix (persona × record), held for one record (``meeting_can_view``) and for the lists alike."""

from __future__ import annotations

import datetime as dt

import pytest

from coordination.meeting_rules import (
    action_can_change_status,
    actions_visible_to,
    meeting_can_edit,
    meeting_can_view,
    meetings_visible_to,
)
from coordination.services import meeting_actions as acts
from coordination.services import meetings as svc

pytestmark = pytest.mark.django_db

# Columns: a planned meeting UNDP attends; a finalised meeting UNDP attends; a finalised meeting without UNDP.
MEETINGS = ("planned_undp", "finalised_undp", "finalised_other")
VIEW = {
    "ministry_admin":     "YYY",
    "ministry_analyst":   "YYY",
    "rapporteur":         "YYY",
    "viewer":             "-YY",
    "undp_focal_point":   "-Y-",
    "unicef_focal_point": "--Y",
    "anonymous":          "---",
}
EDIT = {  # only before finalising, and only the recorders
    "ministry_admin":     "Y--", "ministry_analyst": "Y--", "rapporteur": "Y--", "viewer": "---",
    "undp_focal_point":   "---", "unicef_focal_point": "---", "anonymous": "---",
}
# Actions: UNDP's on the planned meeting; UNICEF's on the finalised one; a ministry unit's on the finalised one.
ACTIONS = ("undp_planned", "unicef_finalised", "unit_finalised")
ACTION_VIEW = {
    "ministry_admin":     "YYY", "ministry_analyst": "YYY", "rapporteur": "YYY", "viewer": "-YY",
    "undp_focal_point":   "Y--", "unicef_focal_point": "-Y-", "anonymous": "---",
}
ACTION_STATUS = {
    "ministry_admin":     "YYY", "ministry_analyst": "YYY", "rapporteur": "YYY", "viewer": "---",
    "undp_focal_point":   "Y--", "unicef_focal_point": "-Y-", "anonymous": "---",
}


@pytest.fixture
def records(personas, undp, unicef):
    user = personas["rapporteur"]
    series = svc.series_create(user=user, title_en="UN agencies")
    planned = svc.meeting_create(user=user, series=series, date=dt.date(2026, 5, 1))
    finalised_undp = svc.meeting_create(user=user, series=series, date=dt.date(2026, 1, 1))
    finalised_other = svc.meeting_create(user=user, series=series, date=dt.date(2026, 2, 1))
    for meeting in (planned, finalised_undp):
        svc.attendee_add(user=user, meeting=meeting, name="Amal", partner=undp)
    svc.attendee_add(user=user, meeting=finalised_other, name="Sara", partner=unicef)
    actions = {
        "undp_planned": acts.action_record(user=user, meeting=planned, text_en="a", owner_partner=undp),
        "unicef_finalised": acts.action_record(user=user, meeting=finalised_other, text_en="b", owner_partner=unicef),
        "unit_finalised": acts.action_record(user=user, meeting=finalised_other, text_en="c", owner_unit="Water"),
    }
    for meeting in (finalised_undp, finalised_other):
        svc.meeting_finalise(user=user, meeting=meeting)
    meetings = {"planned_undp": planned, "finalised_undp": finalised_undp, "finalised_other": finalised_other}
    for m in meetings.values():
        m.refresh_from_db()
    return meetings, actions


def _cells(matrix, columns):
    return [(persona, column, row[i] == "Y") for persona, row in matrix.items() for i, column in enumerate(columns)]


@pytest.mark.parametrize(("persona", "column", "allowed"), _cells(VIEW, MEETINGS))
def test_meeting_view_matrix(personas, records, persona, column, allowed):
    meetings, _actions = records
    assert meeting_can_view(personas[persona], meetings[column]) is allowed


@pytest.mark.parametrize(("persona", "column", "allowed"), _cells(EDIT, MEETINGS))
def test_meeting_edit_matrix(personas, records, persona, column, allowed):
    meetings, _actions = records
    assert meeting_can_edit(personas[persona], meetings[column]) is allowed


@pytest.mark.parametrize(("persona", "column", "allowed"), _cells(ACTION_STATUS, ACTIONS))
def test_action_status_matrix(personas, records, persona, column, allowed):
    _meetings, actions = records
    assert action_can_change_status(personas[persona], actions[column]) is allowed


@pytest.mark.parametrize("persona", list(VIEW))
def test_lists_show_exactly_what_the_matrix_allows(personas, records, persona):
    meetings, actions = records
    user = personas[persona]
    expected = {meetings[c].pk for i, c in enumerate(MEETINGS) if VIEW[persona][i] == "Y"}
    assert set(meetings_visible_to(user).values_list("pk", flat=True)) == expected
    expected_actions = {actions[c].pk for i, c in enumerate(ACTIONS) if ACTION_VIEW[persona][i] == "Y"}
    # Carried-over copies (the planned meeting is the latest: the open actions of the others carried to it)
    # are the recorders' and the viewer's to see along with their meeting; compare the originals only.
    originals = set(actions_visible_to(user).filter(carried_over_from__isnull=True).values_list("pk", flat=True))
    assert originals == expected_actions
