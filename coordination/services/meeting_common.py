"""What every write to a meeting shares: the recorder's check, the read-only rule of a finalised meeting,
setting fields from keyword arguments, saving with who did it, and a record's links (refused when the user may
not see their target)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from coordination.meeting_rules import meeting_can_edit, meeting_recorder
from coordination.models import LINK_FIELDS, Meeting, MeetingLink
from coordination.selectors.meeting_links import links_refused

MEETING_FIELDS = ("title_ar", "title_en", "date", "start_time", "end_time", "place", "online_link", "chair",
                  "rapporteur", "notes_ar", "notes_en")
ATTENDEE_FIELDS = ("name", "title", "partner", "body", "present", "language", "email")
AGENDA_FIELDS = ("title_ar", "title_en", "notes_ar", "notes_en")
Link = tuple[str, int]


def recorder_require(user: Any) -> None:
    if not meeting_recorder(user):
        raise PermissionDenied(_("Only the committee's rapporteur, the ministry's analysts and administrators "
                                 "record meetings."))


def meeting_edit_require(user: Any, meeting: Meeting) -> None:
    """Refuse a change to ``meeting`` by ``user``: not a recorder, or the meeting is finalised."""
    recorder_require(user)
    if not meeting_can_edit(user, meeting):
        raise ValidationError(_("This meeting is finalised and read-only: reopen it to correct it."))


def fields_set(record: Any, values: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    for name, value in values.items():
        # A text field left empty is "", a nullable one (dates, times, foreign keys) None.
        if value is None and not record._meta.get_field(name).null:
            value = ""
        setattr(record, name, value)


def record_save(record: Any, user: Any, *, reason: str = "") -> None:
    record.full_clean()
    record._history_user = user
    if reason:
        record._change_reason = reason[:100]
    record.save()


def links_replace(*, user: Any, meeting: Meeting, owner: dict[str, Any], links: Iterable[Link]) -> None:
    """Set the links of one agenda item, decision or action (``owner``: {"agenda_item": item}, ...), refusing
    any to a record ``user`` may not see with one clear message."""
    wanted = []
    for kind, pk in links:
        if kind not in LINK_FIELDS:
            raise ValidationError({"links": _("Unknown kind of link: %(kind)s.") % {"kind": kind}})
        try:
            wanted.append((kind, int(pk)))
        except (TypeError, ValueError):
            raise ValidationError({"links": _("A link needs the number of its record.")}) from None
    wanted = list(dict.fromkeys(wanted))
    refused = links_refused(user, wanted)
    if refused:
        raise ValidationError({"links": _(
            "These records do not exist or you may not see them, so they cannot be linked: %(records)s."
        ) % {"records": ", ".join(f"{kind} #{pk}" for kind, pk in refused)}})
    MeetingLink.objects.filter(**owner).delete()
    MeetingLink.objects.bulk_create([
        MeetingLink(meeting=meeting, kind=kind, **owner, **{f"{LINK_FIELDS[kind]}_id": pk}) for kind, pk in wanted
    ])
