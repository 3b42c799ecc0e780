"""Who may read and write the committee's meetings and actions: the one rule, for pages, API and reports.

* Recorders (``coordination.record_meeting``: the rapporteur, ministry analysts and administrators) read every
  meeting and edit any that is not finalised; they finalise, reopen and distribute.
* Other ministry staff who oversee projects (the read-only viewer) read finalised (and distributed) meetings.
* A partner's focal point reads the finalised meetings their partner attended, and the actions their partner
  owns (wherever recorded), and may change those actions' status; nothing else of the committee's work.
* Anyone else, and anonymous users, nothing.

``meetings_visible_to`` / ``actions_visible_to`` are the read rules as queries; ``meeting_can_view`` the same for
one record. Tests hold them to one matrix (tests/coordination/test_meeting_rules.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from coordination.models import FROZEN_STATUSES, FollowUpAction, Meeting
from projects.permissions import user_oversees, user_partner_id

RECORD = "coordination.record_meeting"


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def meeting_recorder(user: Any) -> bool:
    """May ``user`` record meetings (create, edit, finalise, send)?"""
    return _active(user) and user.has_perm(RECORD)


def meetings_visible_to(user: Any, meetings: QuerySet[Meeting] | None = None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.all() if meetings is None else meetings
    if meeting_recorder(user):
        return meetings
    frozen = Q(status__in=FROZEN_STATUSES)
    if user_oversees(user):
        return meetings.filter(frozen)
    partner_id = user_partner_id(user)
    if partner_id is None:
        return meetings.none()
    return meetings.filter(frozen, pk__in=Meeting.objects.filter(attendees__partner_id=partner_id).values("pk"))


def meeting_can_view(user: Any, meeting: Meeting) -> bool:
    return meetings_visible_to(user, Meeting.objects.filter(pk=meeting.pk)).exists()


def meeting_can_edit(user: Any, meeting: Meeting) -> bool:
    """Edit the meeting, its attendees, agenda, decisions and actions (not their status: see below)."""
    return meeting_recorder(user) and not meeting.is_frozen


def actions_visible_to(user: Any, actions: QuerySet[FollowUpAction] | None = None) -> QuerySet[FollowUpAction]:
    actions = FollowUpAction.objects.all() if actions is None else actions
    if meeting_recorder(user) or user_oversees(user):
        return actions.filter(meeting__in=meetings_visible_to(user).values("pk"))
    partner_id = user_partner_id(user)
    if partner_id is None:
        return actions.none()
    return actions.filter(owner_partner_id=partner_id)


def action_can_change_status(user: Any, action: FollowUpAction) -> bool:
    """The recorders, on any action; a focal point, on the actions their partner owns. Allowed on a finalised
    meeting too: the follow-up goes on after the meeting is closed."""
    if meeting_recorder(user):
        return True
    partner_id = user_partner_id(user)
    return partner_id is not None and action.owner_partner_id == partner_id
