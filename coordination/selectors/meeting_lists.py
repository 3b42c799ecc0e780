"""Lists of the committee's work that other pages show: the follow-up actions across meetings (overdue first)
and the meetings, decisions and open actions about a municipality (the municipality file's section). Kept apart
from ``coordination.selectors.meetings`` so the places selectors can use them without an import circle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from common.bilingual import bilingual_text
from coordination.meeting_rules import actions_visible_to, meetings_visible_to
from coordination.models import OPEN_ACTION_STATUSES, Decision, FollowUpAction, LinkKind, MeetingLink


def action_is_overdue(due: dt.date | None, status: str, today: dt.date) -> bool:
    return bool(due and due < today and status in OPEN_ACTION_STATUSES)


def actions_about(municipality: Any) -> Q:
    """Actions linked to a municipality, or recorded under a decision of an agenda item about it."""
    concerns = MeetingLink.objects.filter(kind=LinkKind.MUNICIPALITY, municipality=municipality)
    return (Q(pk__in=concerns.exclude(action__isnull=True).values("action_id"))
            | Q(decision__agenda_item_id__in=concerns.exclude(agenda_item__isnull=True).values("agenda_item_id")))


def action_list(user: Any, *, filters: dict[str, Any] | None = None, today: dt.date | None = None
                ) -> QuerySet[FollowUpAction]:
    """The follow-up actions ``user`` may see, as they stand now (an action carried over is listed once, in
    the meeting it was carried to), overdue first then by due date. Filters: owner_partner (id), owner_unit
    (text), series (id), status, municipality (id, through the action's links), due_from, due_to (dates)."""
    filters = filters or {}
    today = today or timezone.localdate()
    actions = actions_visible_to(user).filter(carried_to__isnull=True)
    if filters.get("owner_partner"):
        actions = actions.filter(owner_partner_id=filters["owner_partner"])
    if filters.get("owner_unit"):
        actions = actions.filter(owner_unit__icontains=filters["owner_unit"])
    if filters.get("series"):
        actions = actions.filter(meeting__series_id=filters["series"])
    if filters.get("status"):
        actions = actions.filter(status=filters["status"])
    if filters.get("municipality"):
        actions = actions.filter(actions_about(filters["municipality"]))
    if filters.get("due_from"):
        actions = actions.filter(due__gte=filters["due_from"])
    if filters.get("due_to"):
        actions = actions.filter(due__lte=filters["due_to"])
    overdue = Q(status__in=OPEN_ACTION_STATUSES, due__lt=today)
    return (actions.select_related("meeting__series", "owner_partner")
            .annotate(is_overdue=Case(When(overdue, then=Value(1)), default=Value(0), output_field=IntegerField()))
            .order_by("-is_overdue", "due", "pk"))


def municipality_meetings(user: Any, municipality: Any, *, rows: int = 10) -> dict[str, Any]:
    """The meetings, decisions and open actions that concern a municipality (linked to it), as ``user`` may
    see them (three queries)."""
    concerns = MeetingLink.objects.filter(kind=LinkKind.MUNICIPALITY, municipality=municipality)
    meetings = list(meetings_visible_to(user).filter(pk__in=concerns.values("meeting_id"))
                    .select_related("series").order_by("-date", "-pk")[:rows])
    visible = meetings_visible_to(user).values("pk")
    about = (Q(pk__in=concerns.exclude(decision__isnull=True).values("decision_id"))
             | Q(agenda_item_id__in=concerns.exclude(agenda_item__isnull=True).values("agenda_item_id")))
    decisions = list(Decision.objects.filter(about, meeting__in=visible).select_related("meeting__series")
                     .order_by("-meeting__date", "order")[:rows])
    actions = list(action_list(user, filters={"municipality": municipality.pk})
                   .filter(status__in=OPEN_ACTION_STATUSES)[:rows])
    today = timezone.localdate()
    return {
        "meetings": [{"id": m.pk, "title": str(m), "date": m.date, "status_label": m.get_status_display()}
                     for m in meetings],
        "decisions": [{"meeting_id": d.meeting_id, "meeting": str(d.meeting), "date": d.meeting.date,
                       "text": bilingual_text(d.text_ar, d.text_en)} for d in decisions],
        "open_actions": [{"id": a.pk, "meeting_id": a.meeting_id, "text": bilingual_text(a.text_ar, a.text_en),
                          "owner": a.owner, "due": a.due, "status_label": a.get_status_display(),
                          "overdue": action_is_overdue(a.due, a.status, today)} for a in actions],
    }
