"""Writes to the committee's meetings: series, meetings, attendees, agenda, finalising and distributing.

Each write runs inside ``transaction.atomic``, checks the rule of ``coordination.meeting_rules`` first and
records who made it (django-simple-history keeps every version with its user). A finalised meeting is
read-only except for its actions' status (``coordination.services.meeting_actions``); a correction needs
``meeting_reopen``, which is recorded with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import (
    AgendaItem,
    Attendee,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from coordination.selectors.meeting_data import agenda_proposals_for_meeting, meeting_figures
from coordination.selectors.meeting_links import meeting_link_labels
from coordination.services.meeting_actions import actions_carry_over
from coordination.services.meeting_common import (
    AGENDA_FIELDS,
    ATTENDEE_FIELDS,
    MEETING_FIELDS,
    Link,
    fields_set,
    links_replace,
    meeting_edit_require,
    record_save,
    recorder_require,
)
from projects.models import Partner

# --- series and meetings --------------------------------------------------------------------------


@transaction.atomic
def series_create(*, user: Any, title_ar: str = "", title_en: str = "") -> MeetingSeries:
    recorder_require(user)
    series = MeetingSeries(title_ar=(title_ar or "").strip(), title_en=(title_en or "").strip())
    if not (series.title_ar or series.title_en):
        raise ValidationError({"title_ar": _("Give the series a title, in Arabic or English.")})
    record_save(series, user)
    return series


@transaction.atomic
def meeting_create(*, user: Any, series: MeetingSeries, **values: Any) -> Meeting:
    """A new meeting of ``series``, numbered after the last; the open actions of the series' earlier meetings
    carry over to it."""
    recorder_require(user)
    MeetingSeries.objects.select_for_update().filter(pk=series.pk).first()  # numbers given in turn
    meeting = Meeting(series=series, created_by=user)
    fields_set(meeting, values, MEETING_FIELDS)
    if meeting.rapporteur_id is None:
        meeting.rapporteur = user
    last = Meeting.objects.filter(series=series).aggregate(n=Max("number"))["n"]
    meeting.number = (last or 0) + 1
    _times_check(meeting)
    record_save(meeting, user)
    actions_carry_over(meeting=meeting, user=user)
    return meeting


def _times_check(meeting: Meeting) -> None:
    if meeting.start_time and meeting.end_time and meeting.end_time < meeting.start_time:
        raise ValidationError({"end_time": _("The meeting cannot end before it starts.")})


@transaction.atomic
def meeting_edit(*, user: Any, meeting: Meeting, **values: Any) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting_edit_require(user, meeting)
    fields_set(meeting, values, MEETING_FIELDS)
    _times_check(meeting)
    record_save(meeting, user)
    return meeting


@transaction.atomic
def meeting_mark_held(*, user: Any, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting_edit_require(user, meeting)
    meeting.status = MeetingStatus.HELD
    record_save(meeting, user)
    return meeting


@transaction.atomic
def meeting_finalise(*, user: Any, meeting: Meeting) -> Meeting:
    """Freeze the figures the meeting discussed (``snapshot``) and make it read-only; its open actions carry
    over to the next meeting of the series if there is one already."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting_edit_require(user, meeting)
    now = timezone.now()
    meeting.snapshot = {"as_of": now.isoformat(), "figures": meeting_figures(user=user, meeting=meeting),
                        "labels": meeting_link_labels(meeting),
                        "actions": {str(pk): status for pk, status in meeting.actions.values_list("pk", "status")}}
    meeting.status = MeetingStatus.FINALISED
    meeting.finalised_at = now
    record_save(meeting, user, reason="finalised")
    following = (Meeting.objects.filter(series=meeting.series, date__gte=meeting.date).exclude(pk=meeting.pk)
                 .exclude(status__in=(MeetingStatus.FINALISED, MeetingStatus.DISTRIBUTED))
                 .order_by("date", "pk").first())
    if following is not None:
        actions_carry_over(meeting=following, user=user)
    return meeting


@transaction.atomic
def meeting_reopen(*, user: Any, meeting: Meeting, reason: str) -> Meeting:
    """Open a finalised meeting for a correction: recorded with who, when and why; its snapshot stays in the
    history and is taken again when it is finalised again."""
    recorder_require(user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_frozen:
        raise ValidationError(_("Only a finalised meeting can be reopened."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is reopened.")})
    meeting.status = MeetingStatus.HELD
    meeting.finalised_at = None
    meeting.distributed_at = None
    meeting.snapshot = {}
    meeting.reopened_count += 1
    record_save(meeting, user, reason=f"reopened: {reason}")
    return meeting


@transaction.atomic
def meeting_mark_distributed(*, user: Any, meeting: Meeting, when: dt.datetime | None = None) -> Meeting:
    recorder_require(user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.FINALISED:
        raise ValidationError(_("Only a finalised meeting can be marked as sent."))
    meeting.status = MeetingStatus.DISTRIBUTED
    meeting.distributed_at = when or timezone.now()
    record_save(meeting, user, reason="distributed")
    return meeting


# --- attendees ----------------------------------------------------------------------------------------


def _attendee_check(attendee: Attendee) -> None:
    attendee.name = (attendee.name or "").strip()
    attendee.body = (attendee.body or "").strip()
    if not attendee.name:
        raise ValidationError({"name": _("Give the attendee's name.")})
    if attendee.partner_id is None and not attendee.body:
        raise ValidationError({"partner": _("Give the attendee's organisation: a partner or a government body.")})
    if attendee.partner_id is not None and not Partner.objects.filter(pk=attendee.partner_id).exists():
        raise ValidationError({"partner": _("This partner does not exist.")})


@transaction.atomic
def attendee_add(*, user: Any, meeting: Meeting, **values: Any) -> Attendee:
    meeting_edit_require(user, meeting)
    attendee = Attendee(meeting=meeting)
    fields_set(attendee, values, ATTENDEE_FIELDS)
    _attendee_check(attendee)
    record_save(attendee, user)
    return attendee


@transaction.atomic
def attendee_edit(*, user: Any, attendee: Attendee, **values: Any) -> Attendee:
    meeting_edit_require(user, attendee.meeting)
    fields_set(attendee, values, ATTENDEE_FIELDS)
    _attendee_check(attendee)
    record_save(attendee, user)
    return attendee


@transaction.atomic
def attendee_remove(*, user: Any, attendee: Attendee) -> None:
    meeting_edit_require(user, attendee.meeting)
    attendee._history_user = user
    attendee.delete()


# --- agenda -------------------------------------------------------------------------------------------


def _next_order(items) -> int:
    return (items.aggregate(n=Max("order"))["n"] or 0) + 1


@transaction.atomic
def agenda_item_add(*, user: Any, meeting: Meeting, links: Iterable[Link] = (), source: str = AgendaItem.Source.MANUAL,
                    source_key: str = "", **values: Any) -> AgendaItem:
    meeting_edit_require(user, meeting)
    item = AgendaItem(meeting=meeting, source=source, source_key=source_key,
                      order=_next_order(meeting.agenda_items.all()))
    fields_set(item, values, AGENDA_FIELDS)
    if not (item.title_ar.strip() or item.title_en.strip()):
        raise ValidationError({"title_ar": _("Give the agenda item a title, in Arabic or English.")})
    record_save(item, user)
    links_replace(user=user, meeting=meeting, owner={"agenda_item": item}, links=links)
    return item


@transaction.atomic
def agenda_item_edit(*, user: Any, item: AgendaItem, links: Iterable[Link] | None = None,
                     **values: Any) -> AgendaItem:
    meeting_edit_require(user, item.meeting)
    fields_set(item, values, AGENDA_FIELDS)
    if not (item.title_ar.strip() or item.title_en.strip()):
        raise ValidationError({"title_ar": _("Give the agenda item a title, in Arabic or English.")})
    record_save(item, user)
    if links is not None:
        links_replace(user=user, meeting=item.meeting, owner={"agenda_item": item}, links=links)
    return item


@transaction.atomic
def agenda_item_remove(*, user: Any, item: AgendaItem) -> None:
    """Drop an item from the agenda; one accepted from a proposal is not proposed again."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    meeting_edit_require(user, meeting)
    if item.source_key and item.source_key not in meeting.proposals_dropped:
        meeting.proposals_dropped = [*meeting.proposals_dropped, item.source_key]
        record_save(meeting, user)
    item._history_user = user
    item.delete()


@transaction.atomic
def agenda_reorder(*, user: Any, meeting: Meeting, item_ids: Sequence[int]) -> list[AgendaItem]:
    """Put the agenda in the order of ``item_ids`` (every item of the meeting, once)."""
    meeting_edit_require(user, meeting)
    items = {i.pk: i for i in meeting.agenda_items.select_for_update()}
    try:
        ids = [int(i) for i in item_ids]
    except (TypeError, ValueError):
        raise ValidationError({"order": _("Give the agenda items by their numbers.")}) from None
    if sorted(ids) != sorted(items):
        raise ValidationError({"order": _("Give every item of this meeting's agenda once.")})
    for position, pk in enumerate(ids, start=1):
        items[pk].order = position
    AgendaItem.objects.bulk_update(items.values(), ["order"])
    AgendaItem.history.bulk_history_create(list(items.values()), update=True, default_user=user)
    return [items[pk] for pk in ids]


@transaction.atomic
def agenda_proposal_accept(*, user: Any, meeting: Meeting, key: str, filters: dict[str, Any] | None = None
                           ) -> AgendaItem:
    """Put one proposal (``agenda_proposals``) on the agenda, with its links."""
    meeting_edit_require(user, meeting)
    proposal = next((p for p in agenda_proposals_for_meeting(user=user, meeting=meeting, filters=filters or {},
                                                             include_dropped=True) if p["key"] == key), None)
    if proposal is None:
        raise ValidationError({"key": _("This proposal is no longer open or is already on the agenda.")})
    if key in meeting.proposals_dropped:
        meeting.proposals_dropped = [k for k in meeting.proposals_dropped if k != key]
        record_save(meeting, user)
    return agenda_item_add(user=user, meeting=meeting, links=proposal["links"], source=proposal["source"],
                           source_key=key, title_ar=proposal["title_ar"], title_en=proposal["title_en"])


@transaction.atomic
def agenda_proposal_drop(*, user: Any, meeting: Meeting, key: str) -> Meeting:
    """Leave a proposal out of this meeting's agenda (it is not proposed again for it)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting_edit_require(user, meeting)
    key = (key or "").strip()[:60]
    if not key:
        raise ValidationError({"key": _("Say which proposal to drop.")})
    if key not in meeting.proposals_dropped:
        meeting.proposals_dropped = [*meeting.proposals_dropped, key]
        record_save(meeting, user)
    return meeting
