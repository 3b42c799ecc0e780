"""Writes to a meeting's decisions and follow-up actions: recording them, a decision's effect on a flag, an
action's status (with a note at each change), and the carry-over of open actions to the next meeting.

A decision that resolves a flag goes through the flag's own review service (a reason to dismiss, the
duplicate's counting) as the committee's decision: whoever records meetings may record it, without a
flag-review permission of their own: the decision's text, with the meeting named, is the review note, and
the flag's history row names the meeting (its change reason ``meeting:<id>``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from common.bilingual import bilingual_text
from coordination.meeting_rules import action_can_change_status
from coordination.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    ActionStatusChange,
    Decision,
    DelayFlag,
    DuplicateFlag,
    FlagKind,
    FlagStatus,
    FollowUpAction,
    GapFlag,
    Meeting,
    MeetingLink,
)
from coordination.services.delays import delay_flag_review
from coordination.services.duplicates import duplicate_flag_review
from coordination.services.gaps import gap_flag_review
from coordination.services.meeting_common import Link, fields_set, links_replace, meeting_edit_require, record_save
from projects.models import Partner

DECISION_FIELDS = ("text_ar", "text_en", "agenda_item")
ACTION_FIELDS = ("text_ar", "text_en", "owner_partner", "owner_unit", "owner_person", "owner_email", "due", "decision")
FLAG_MODELS = {FlagKind.DUPLICATE: DuplicateFlag, FlagKind.GAP: GapFlag, FlagKind.DELAY: DelayFlag}
FLAG_EFFECTS = (FlagStatus.CONFIRMED, FlagStatus.DISMISSED)


def _order(items) -> int:
    return (items.aggregate(n=Max("order"))["n"] or 0) + 1


def _text_check(record: Any) -> None:
    record.text_ar, record.text_en = (record.text_ar or "").strip(), (record.text_en or "").strip()
    if not (record.text_ar or record.text_en):
        raise ValidationError({"text_ar": _("Write the text, in Arabic or English.")})


def _agenda_item_check(record: Any, meeting: Meeting) -> None:
    if record.agenda_item_id is not None and record.agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("This agenda item belongs to another meeting.")})


# --- decisions ----------------------------------------------------------------------------------------


def _flag_resolve(*, user: Any, meeting: Meeting, decision: Decision, kind: str, flag_id: int, status: str,
                  counted_project_id: int | None) -> None:
    if kind not in FLAG_MODELS:
        raise ValidationError({"flag_kind": _("Choose a duplicate, gap or delay flag.")})
    if status not in FLAG_EFFECTS:
        raise ValidationError({"flag_status": _("A decision confirms or dismisses the flag.")})
    flag = FLAG_MODELS[kind].objects.filter(pk=flag_id).first()
    if flag is None:
        raise ValidationError({"flag_id": _("This flag does not exist.")})
    note = _("Decision of %(meeting)s (%(date)s): %(text)s") % {
        "meeting": str(meeting), "date": meeting.date.isoformat(),
        "text": bilingual_text(decision.text_ar, decision.text_en)}
    # The committee decides: one who records its meetings records the decision's effect, without a flag-review
    # permission of their own (the direct review pages still refuse them).
    if kind == FlagKind.DUPLICATE:
        flag = duplicate_flag_review(flag=flag, user=user, decision=status, note=note,
                                     counted_project_id=counted_project_id, by_committee=True)
    elif kind == FlagKind.GAP:
        flag = gap_flag_review(flag=flag, user=user, status=status, note=note, by_committee=True)
    else:
        flag = delay_flag_review(flag=flag, user=user, status=status, note=note, by_committee=True)
    update_change_reason(flag, f"meeting:{meeting.pk}")
    decision.flag_kind, decision.flag_id, decision.flag_status = kind, flag.pk, status
    record_save(decision, user)


@transaction.atomic
def decision_record(*, user: Any, meeting: Meeting, links: Iterable[Link] = (), flag: dict[str, Any] | None = None,
                    **values: Any) -> Decision:
    """Record a decision, its links, and (``flag``: kind, id, status, counted_project) its effect on a flag."""
    meeting_edit_require(user, meeting)
    decision = Decision(meeting=meeting, order=_order(meeting.decisions.all()))
    fields_set(decision, values, DECISION_FIELDS)
    _text_check(decision)
    _agenda_item_check(decision, meeting)
    record_save(decision, user)
    links = list(links)
    if flag:
        kind, flag_id = flag.get("kind"), flag.get("id")
        try:
            flag_id = int(flag_id)
        except (TypeError, ValueError):
            raise ValidationError({"flag_id": _("Give the flag's number.")}) from None
        if (kind, flag_id) not in links:
            links.append((kind, flag_id))
        links_replace(user=user, meeting=meeting, owner={"decision": decision}, links=links)
        _flag_resolve(user=user, meeting=meeting, decision=decision, kind=kind, flag_id=flag_id,
                      status=flag.get("status", ""), counted_project_id=flag.get("counted_project"))
    else:
        links_replace(user=user, meeting=meeting, owner={"decision": decision}, links=links)
    return decision


@transaction.atomic
def decision_edit(*, user: Any, decision: Decision, links: Iterable[Link] | None = None, **values: Any) -> Decision:
    meeting_edit_require(user, decision.meeting)
    fields_set(decision, values, DECISION_FIELDS)
    _text_check(decision)
    _agenda_item_check(decision, decision.meeting)
    record_save(decision, user)
    if links is not None:
        links_replace(user=user, meeting=decision.meeting, owner={"decision": decision}, links=links)
    return decision


@transaction.atomic
def decision_remove(*, user: Any, decision: Decision) -> None:
    meeting_edit_require(user, decision.meeting)
    decision._history_user = user
    decision.delete()


# --- actions ------------------------------------------------------------------------------------------


def _owner_check(action: FollowUpAction) -> None:
    action.owner_unit = (action.owner_unit or "").strip()
    if action.owner_partner_id is None and not action.owner_unit:
        raise ValidationError({"owner_partner": _("Give the action's owner: a partner or a ministry unit.")})
    if action.owner_partner_id is not None and not Partner.objects.filter(pk=action.owner_partner_id).exists():
        raise ValidationError({"owner_partner": _("This partner does not exist.")})
    if action.decision_id is not None and action.decision.meeting_id != action.meeting_id:
        raise ValidationError({"decision": _("This decision belongs to another meeting.")})


@transaction.atomic
def action_record(*, user: Any, meeting: Meeting, links: Iterable[Link] = (), **values: Any) -> FollowUpAction:
    meeting_edit_require(user, meeting)
    action = FollowUpAction(meeting=meeting, order=_order(meeting.actions.all()))
    fields_set(action, values, ACTION_FIELDS)
    _text_check(action)
    _owner_check(action)
    record_save(action, user)
    ActionStatusChange.objects.create(action=action, to_status=action.status, changed_by=user)
    links_replace(user=user, meeting=meeting, owner={"action": action}, links=links)
    return action


@transaction.atomic
def action_edit(*, user: Any, action: FollowUpAction, links: Iterable[Link] | None = None,
                **values: Any) -> FollowUpAction:
    meeting_edit_require(user, action.meeting)
    fields_set(action, values, ACTION_FIELDS)
    _text_check(action)
    _owner_check(action)
    record_save(action, user)
    if links is not None:
        links_replace(user=user, meeting=action.meeting, owner={"action": action}, links=links)
    return action


@transaction.atomic
def action_status_change(*, user: Any, action: FollowUpAction, status: str, note: str = "") -> FollowUpAction:
    """Change an action's status with a note (allowed on a finalised meeting: the follow-up goes on). An action
    carried over is followed in the meeting it was carried to."""
    action = FollowUpAction.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    if not action_can_change_status(user, action):
        raise PermissionDenied(_("You may change the status of your organisation's actions only."))
    if status not in ActionStatus.values:
        labels = ", ".join(str(label) for label in ActionStatus.labels)
        raise ValidationError({"status": _("Choose one of: %(choices)s.") % {"choices": labels}})
    successor = FollowUpAction.objects.filter(carried_over_from=action).select_related("meeting").first()
    if successor is not None:
        raise ValidationError(_("This action was carried over to %(meeting)s: follow it there.")
                              % {"meeting": str(successor.meeting)})
    note = (note or "").strip()
    if status == action.status:
        raise ValidationError({"status": _("The action already has this status.")})
    if status in (ActionStatus.DONE, ActionStatus.DROPPED) and not note:
        raise ValidationError({"note": _("Say what was done, or why the action is dropped.")})
    before = action.status
    action.status = status
    record_save(action, user, reason=note)
    ActionStatusChange.objects.create(action=action, from_status=before, to_status=status, note=note, changed_by=user)
    return action


@transaction.atomic
def actions_carry_over(*, meeting: Meeting, user: Any) -> list[FollowUpAction]:
    """Carry the open actions of the series' earlier meetings (not yet carried anywhere) over to ``meeting``:
    each becomes a new action of this meeting pointing at the one it continues, with its owner, due date,
    status and links, and a first status change saying where it comes from. Safe to run twice."""
    if meeting.is_frozen:
        return []
    earlier = (FollowUpAction.objects.select_for_update(of=("self",))
               .filter(meeting__series_id=meeting.series_id, status__in=OPEN_ACTION_STATUSES,
                       carried_to__isnull=True)
               .filter(Q(meeting__date__lt=meeting.date) | Q(meeting__date=meeting.date, meeting_id__lt=meeting.pk))
               .exclude(meeting=meeting).select_related("meeting").order_by("meeting__date", "order", "pk"))
    earlier = list(earlier)
    if not earlier:
        return []
    order = _order(meeting.actions.all())
    made = []
    for offset, old in enumerate(earlier):
        new = FollowUpAction(meeting=meeting, order=order + offset, text_ar=old.text_ar, text_en=old.text_en,
                             owner_partner_id=old.owner_partner_id, owner_unit=old.owner_unit,
                             owner_person=old.owner_person, owner_email=old.owner_email, due=old.due, status=old.status, carried_over_from=old)
        record_save(new, user, reason=f"carried over from action {old.pk}")
        note = _("Carried over from %(meeting)s.") % {"meeting": str(old.meeting)}
        ActionStatusChange.objects.create(action=new, from_status=old.status, to_status=old.status, note=note,
                                          changed_by=user)
        made.append(new)
    olds = {old.pk: new for old, new in zip(earlier, made, strict=True)}
    MeetingLink.objects.bulk_create([
        MeetingLink(meeting=meeting, action=olds[link.action_id], kind=link.kind, municipality_id=link.municipality_id,
                    project_id=link.project_id, partner_id=link.partner_id, sector_id=link.sector_id,
                    objective_id=link.objective_id, duplicate_flag_id=link.duplicate_flag_id,
                    gap_flag_id=link.gap_flag_id, delay_flag_id=link.delay_flag_id)
        for link in MeetingLink.objects.filter(action_id__in=list(olds))
    ])
    return made
