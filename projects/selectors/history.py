"""The audit trail of a record, read from django-simple-history, in words a person can follow.

Each entry says when, who, what happened (created, changed, deleted) and, for a change, which
fields went from what to what: choices by their label and foreign keys by the related record's
name, in the user's language. ``histories_for`` reads the trail of many records of one model at
once (a page of flags), so a list page costs a fixed number of queries, not one per row.

Who sees what: the history of a record is as confidential as its drafts. The ministry and the
record's own partner (``full=True``) see every version; anyone else sees only the versions that were
accepted, each compared with the accepted one before it, without the review bookkeeping (what was
proposed, returned or commented on in between stays with its owner). A foreign key to a project the
reader may not see is not named.

A project can change partner (the ministry moves it), so its trail is read version by version
(``project_history``): a focal point sees the accepted versions and those its own partner reported, and the
review bookkeeping of an entry only when both versions compared carry notes written for its partner
(``projects.permissions.project_review_notes_visible``). An update never changes partner: its trail is its
writer's in full (``update_history``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import Project, ProjectUpdate, ReviewState
from projects.permissions import (
    project_review_notes_visible,
    update_review_notes_visible,
    user_oversees,
    user_partner_id,
)
from projects.selectors.projects import projects_visible_to

# Bookkeeping columns that change with every save and say nothing a reader needs.
NOT_SHOWN = frozenset({"id", "created_at", "updated_at", "last_seen_run", "fingerprint", "decided_fingerprint"})

# What a reader outside the ministry and the owning partner does not see of a version.
REVIEW_FIELDS = frozenset({"state", "review_comment", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"})

# Phrased as what the person did ("undp_fp · created the record"); a bare "created" is already the
# catalogue's word for the creation-date column.
ACTIONS = {"+": gettext_lazy("created the record"), "~": gettext_lazy("changed"),
           "-": gettext_lazy("deleted the record")}


@dataclass
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    action: str  # what was done (created, changed, deleted), in the user's language
    action_code: str  # "+", "~" or "-" (for styling and tests)
    changes: list[Change] = field(default_factory=list)
    reason: str = ""


@dataclass(frozen=True)
class HistoryScope:
    """What of a trail a reader sees: the versions ``versions`` selects (a filter on the history rows of a
    reviewed record; None: every version) and, in an entry, the review bookkeeping when ``notes`` allows it for
    both versions compared."""

    versions: Q | None
    notes: Callable[[Any], bool]


IN_FULL = HistoryScope(versions=None, notes=lambda version: True)
ACCEPTED_ONLY = HistoryScope(versions=Q(state=ReviewState.ACCEPTED), notes=lambda version: False)


def project_history_scope(user: Any) -> HistoryScope:
    """A project's trail as ``user`` may read it (see the module note)."""
    if user_oversees(user):
        return IN_FULL
    partner_id = user_partner_id(user)
    if partner_id is None:
        return ACCEPTED_ONLY
    return HistoryScope(versions=Q(state=ReviewState.ACCEPTED) | Q(reporting_partner_id=partner_id),
                        notes=lambda version: project_review_notes_visible(user, version))


def project_history(project: Project, *, user: Any, limit: int = 50) -> list[HistoryEntry]:
    return record_history(project, user=user, scope=project_history_scope(user), limit=limit)


def update_history(update: ProjectUpdate, *, user: Any, limit: int = 50) -> list[HistoryEntry]:
    return record_history(update, user=user, full=update_review_notes_visible(user, update), limit=limit)


def record_history(instance: models.Model, *, user: Any, full: bool = False, scope: HistoryScope | None = None,
                   limit: int = 50) -> list[HistoryEntry]:
    """The latest ``limit`` versions of ``instance`` that ``user`` may read, newest first (see the module
    note for ``full``; ``scope``, when given, says it version by version)."""
    return histories_for([instance], user=user, full=full, scope=scope, limit=limit).get(instance.pk, [])


def histories_for(instances: Sequence[models.Model], *, user: Any, full: bool = False,
                  scope: HistoryScope | None = None, limit: int = 50) -> dict[Any, list[HistoryEntry]]:
    """The trails of several records of one model, by primary key: two or three queries in all
    (the versions with their users, and one per kind of record a foreign key points to)."""
    if not instances:
        return {}
    scope = scope or (IN_FULL if full else ACCEPTED_ONLY)
    model = type(instances[0])
    pks = [obj.pk for obj in instances]
    versions_qs = model.history.filter(**{f"{model._meta.pk.attname}__in": pks})
    reviewed = any(f.name == "state" for f in model._meta.concrete_fields)
    if scope.versions is not None and reviewed:
        versions_qs = versions_qs.filter(scope.versions)
    rows = list(versions_qs.select_related("history_user")
                .order_by(model._meta.pk.attname, "-history_date", "-history_id"))
    by_record: dict[Any, list] = defaultdict(list)
    for row in rows:
        versions = by_record[getattr(row, model._meta.pk.attname)]
        # One more than shown: the oldest shown version is diffed against the one before it.
        if len(versions) <= limit:
            versions.append(row)
    fields = _shown_fields(model)
    without_notes = {name: f for name, f in fields.items() if name not in REVIEW_FIELDS}
    raw: dict[Any, list[tuple[Any, list[tuple[models.Field, Any, Any]]]]] = {}
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for pk, versions in by_record.items():
        entries = []
        for newer, older in zip(versions[:limit], [*versions[1:], None], strict=False):
            changes: list[tuple[models.Field, Any, Any]] = []
            if older is not None and newer.history_type == "~":
                shown = fields if scope.notes(newer) and scope.notes(older) else without_notes
                delta = newer.diff_against(older, included_fields=list(shown))
                for change in delta.changes:
                    model_field = shown[change.field]
                    changes.append((model_field, change.old, change.new))
                    if model_field.is_relation:
                        wanted[model_field.related_model].update(v for v in (change.old, change.new) if v is not None)
                changes.sort(key=lambda c: c[0].creation_counter)
            entries.append((newer, changes))
        raw[pk] = entries
    names = _related_names(wanted, user)
    return {
        pk: [
            HistoryEntry(
                when=version.history_date,
                who=_who(version.history_user),
                action=str(ACTIONS.get(version.history_type, version.history_type)),
                action_code=version.history_type,
                changes=[Change(str(f.verbose_name), _shown(f, old, names), _shown(f, new, names))
                         for f, old, new in changes],
                reason=version.history_change_reason or "",
            )
            for version, changes in entries
        ]
        for pk, entries in raw.items()
    }


def _shown_fields(model: type[models.Model]) -> dict[str, models.Field]:
    tracked = {f.name for f in model.history.model.tracked_fields}  # type: ignore[attr-defined]
    return {f.name: f for f in model._meta.concrete_fields
            if f.name in tracked and f.name not in NOT_SHOWN and f.editable}


def _related_names(wanted: dict[type[models.Model], set[Any]], user: Any) -> dict[tuple[type, Any], str]:
    names: dict[tuple[type, Any], str] = {}
    for related_model, pks in wanted.items():
        found = related_model._default_manager.filter(pk__in=pks)
        hidden: set[Any] = set()
        if related_model is Project:
            visible = set(projects_visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))
            hidden = set(pks) - visible
        for obj in found:
            names[(related_model, obj.pk)] = _("a record you may not see") if obj.pk in hidden else str(obj)
    return names


def _shown(model_field: models.Field, value: Any, names: dict[tuple[type, Any], str]) -> Any:
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        # A record deleted since is still named, by its number.
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else (
            value.strftime("%Y-%m-%d %H:%M"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _who(user: Any) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()
