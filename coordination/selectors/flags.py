"""Who may read a flag's decision: one rule for every kind of flag (duplicate, gap, delay), used by
the review pages and the API serializers alike, so a page never shows what the API withholds; and who
is served the stored gap flags (``gap_flags_stored_for``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projects.permissions import user_oversees

# Who decided and the note they wrote are the committee's working record; the outcome (status) and
# the day it was reached are not, since a partner needs them to know where its project stands.
FLAG_COMMITTEE_FIELDS: tuple[str, ...] = ("decided_by", "decision_note")


def flag_decision_visible(user: Any) -> bool:
    """May ``user`` read who decided a flag and why (and the flag's audit trail)? Ministry staff only;
    a partner's focal point sees the status alone."""
    return user_oversees(user)


def gap_flags_stored_for(user: Any) -> bool:
    """Is ``user`` served the stored gap flags? They are the ministry's review queue, computed by the jobs
    over every project in every review state, so whether a place has one can hang on a project a focal
    point may not see: another partner's draft "reaching" a municipality that the focal point's own
    figures call unreached. Only a reader whose derived data may draw on every project (ministry staff)
    is served them. Anyone else is served the gaps found over their own ``projects_counted_for``, by the
    computation their coverage figures come from, so flags and figures agree (and have no review life).

    Mixing the two (a stored flag where the reader's view and the ministry's agree, a found one elsewhere)
    would not do: which kind a place gets would itself depend on the projects the reader may not see."""
    return user_oversees(user)


def flag_fields_hidden_from(user: Any) -> tuple[str, ...]:
    """The decision fields of a flag that ``user`` may not read (blanked in the API's answer)."""
    return () if flag_decision_visible(user) else FLAG_COMMITTEE_FIELDS


@dataclass(frozen=True, slots=True)
class FlagDecision:
    """A flag's decision as ``user`` may see it: ``decided_by`` and ``note`` are None when withheld."""

    decided_by: Any | None
    decided_at: datetime | None
    note: str | None


def flag_decision_for(user: Any, flag: Any) -> FlagDecision:
    hidden = flag_fields_hidden_from(user)
    return FlagDecision(
        decided_by=None if "decided_by" in hidden else flag.decided_by,
        decided_at=flag.decided_at,
        note=None if "decision_note" in hidden else flag.decision_note,
    )
