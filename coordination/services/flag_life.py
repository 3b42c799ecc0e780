"""The life of a gap or delay flag: kept in step with an analysis's findings, and reviewed.

``flags_sync`` applies one run's findings to the flags in its scope (all flags of a kind for a full
run, the flags of some projects or municipalities for a re-check):

* a finding without a flag creates one (open); ``bulk_create(ignore_conflicts=True)`` against the
  unique constraints means two overlapping runs never make two flags for one finding;
* a finding with a flag updates its score, reasons and fingerprint; a decided flag (confirmed,
  dismissed) stays decided unless its facts changed materially — the fingerprint of the facts now
  differs from the one recorded at decision — and is then reopened;
* a flag in scope without a finding no longer holds: ``resolved_at`` is set. It is kept (with its
  review history) and leaves the queues; should the condition return, the same flag carries on.

It serves any concrete ``Flag``: a model without ``resolved_at`` has its open flags that no longer
hold deleted instead (decided ones are kept: the decision stands), and one without ``fingerprint``
compares the decided fingerprint with the run's without storing the latest.

The existing flags in scope are locked (``select_for_update``, in id order) for the whole sync, so
overlapping runs take turns on PostgreSQL instead of overwriting each other.
History rows are written for life events only (created, reopened, resolved, back, reviewed), not
for each nightly change of a score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import AnalysisRun, Flag, FlagStatus

DECIDED = (FlagStatus.CONFIRMED, FlagStatus.DISMISSED, FlagStatus.RELATED)
REVIEW_STATUSES = (FlagStatus.OPEN, FlagStatus.CONFIRMED, FlagStatus.DISMISSED)
_DECISION_FIELDS = ["status", "decided_by", "decided_at", "decision_note", "decided_fingerprint"]
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Observed:
    """What a run found: the flag's identity, the digest of its facts, and the values to store."""

    key: tuple[Any, ...]
    fingerprint: str
    values: dict[str, Any]


def _reopen(flag: Flag) -> None:
    flag.status = FlagStatus.OPEN
    flag.decided_by = None
    flag.decided_at = None
    flag.decision_note = ""
    flag.decided_fingerprint = ""


def flags_sync(*, model: type[Flag], scope: models.QuerySet, observed: Sequence[Observed],
               key_of: Callable[[Any], tuple[Any, ...]], build: Callable[[Observed], Any],
               value_fields: Sequence[str], run: AnalysisRun) -> dict[str, int]:
    """Apply ``observed`` to the flags in ``scope``. Returns counts (created, updated, reopened, ...)."""
    now = timezone.now()
    names = {f.name for f in model._meta.get_fields()}
    keeps_fingerprint, keeps_resolved = "fingerprint" in names, "resolved_at" in names
    counts = {"created": 0, "updated": 0, "unchanged": 0, "reopened": 0, "resolved": 0, "returned": 0, "removed": 0}
    with transaction.atomic():
        existing = {key_of(f): f for f in scope.select_for_update().order_by("pk")}
        new: list[Any] = []
        changed: list[Any] = []  # only their values (score, reasons, ...) changed
        life: list[Any] = []  # their state changed: reopened, resolved, back, new facts
        seen: list[int] = []
        for obs in observed:
            flag = existing.pop(obs.key, None)
            if flag is None:
                flag = build(obs)
                for name, value in obs.values.items():
                    setattr(flag, name, value)
                if keeps_fingerprint:
                    flag.fingerprint = obs.fingerprint
                flag.first_seen_run = flag.last_seen_run = run
                new.append(flag)
                continue
            seen.append(flag.pk)
            dirty = is_life = False
            for name, value in obs.values.items():
                if getattr(flag, name) != value:
                    setattr(flag, name, value)
                    dirty = True
            if keeps_fingerprint and flag.fingerprint != obs.fingerprint:
                flag.fingerprint = obs.fingerprint
                dirty = is_life = True
            if keeps_resolved and flag.resolved_at is not None:
                flag.resolved_at = None
                dirty = is_life = True
                counts["returned"] += 1
            if flag.status in DECIDED and flag.decided_fingerprint != obs.fingerprint:
                _reopen(flag)
                dirty = is_life = True
                counts["reopened"] += 1
            if dirty:
                flag.updated_at = now
                (life if is_life else changed).append(flag)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        gone: list[int] = []
        for flag in existing.values():
            if keeps_resolved and flag.resolved_at is None:
                flag.resolved_at = now
                flag.updated_at = now
                life.append(flag)
                counts["resolved"] += 1
            elif not keeps_resolved and flag.status == FlagStatus.OPEN:
                gone.append(flag.pk)
        if gone:
            model.objects.filter(pk__in=gone).delete()  # one by one through the signals: history keeps them
            counts["removed"] = len(gone)
        # Django's bulk_update writes a CASE per field: the many rows whose values only moved get
        # the few value fields, the few whose state changed get all of them.
        model.objects.bulk_update(changed, [*value_fields, "updated_at"], batch_size=500)
        model.objects.bulk_update(life, [*value_fields, *(["fingerprint"] if keeps_fingerprint else []),
                                         *(["resolved_at"] if keeps_resolved else []), "updated_at",
                                         *_DECISION_FIELDS], batch_size=500)
        for start in range(0, len(seen), _CHUNK):
            model.objects.filter(pk__in=seen[start:start + _CHUNK]).update(last_seen_run=run)
        model.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        created = list(model.objects.filter(first_seen_run=run))
        counts["created"] = len(created)
        counts["conflicts"] = len(new) - len(created)  # made meanwhile by an overlapping run
        history = model.history  # type: ignore[attr-defined]
        if created:
            history.bulk_history_create(created, batch_size=1000, default_date=now)
        if life:
            history.bulk_history_create(life, batch_size=1000, update=True, default_date=now)
    return counts


def flag_review(*, model: type[Flag], flag: Flag, user: AbstractBaseUser | None, status: str, note: str = "",
                permission: str, by_committee: bool = False) -> Flag:
    """Record a reviewer's decision (confirmed, dismissed; or open again), with who, when and why.

    The decision is about the facts as the reviewer saw them: the flag's current fingerprint is
    kept with it, and a later run reopens the flag only if those facts change materially."""
    note = flag_review_check(user=user, status=status, note=note, permission=permission,
                             statuses=REVIEW_STATUSES, by_committee=by_committee)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=flag.pk)
        flag_set_decision(locked, user=user, status=status, note=note)
        locked.save()
    return locked


def flag_review_check(*, user, status: str, note: str, permission: str, statuses: Sequence[str],
                      by_committee: bool = False) -> str:
    """What every review checks first (who may decide, which decisions, a reason to dismiss);
    returns the cleaned note. ``by_committee``: the decision is the committee's, recorded in a meeting by one
    who may record meetings (checked here too), who needs no flag-review permission of their own."""
    if by_committee:
        from coordination.meeting_rules import meeting_recorder

        if not meeting_recorder(user):
            raise PermissionDenied(_("Only the ones who record the committee's meetings record its decisions."))
    elif user is None or not user.has_perm(permission):
        raise PermissionDenied(_("Only the ministry's administrators and analysts review flags."))
    if status not in statuses:
        labels = ", ".join(str(FlagStatus(s).label) for s in statuses)
        raise ValidationError({"status": _("Choose one of: %(choices)s.") % {"choices": labels}})
    note = (note or "").strip()
    if status == FlagStatus.DISMISSED and not note:
        raise ValidationError({"note": _("Say why the flag is dismissed.")})
    return note


def flag_set_decision(flag: Flag, *, user, status: str, note: str) -> None:
    """Record a decision on a (locked) flag: open again, or decided by ``user`` about the facts
    as they are now (the current fingerprint is kept with the decision)."""
    if status == FlagStatus.OPEN:
        _reopen(flag)
    else:
        flag.status = status
        flag.decided_by = user
        flag.decided_at = timezone.now()
        flag.decided_fingerprint = flag.fingerprint
    flag.decision_note = note
    flag._history_user = user  # django-simple-history: who decided
