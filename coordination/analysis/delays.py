"""Delay rules: explainable, each with a severity, a score and a reason. Pure Python, no ORM.

Rules (thresholds from ``settings.TANSIQ_DELAY_THRESHOLDS``, defaults as in the demo truth):

=================  ==========================================================================
end_passed         in implementation (2) and the planned end has passed
start_passed       still in the pipeline (1) and the planned start has passed
late_start         in implementation and the actual start came more than ``late_start_days``
                   after the planned start
progress_behind    in implementation, at least ``behind_elapsed`` of the planned period has
                   elapsed and reported progress is at most ``behind_progress`` %
no_recent_update   in implementation and no accepted update for more than ``silence_days``:
                   counted from the latest accepted update's period end, else from the actual
                   start, else the planned start
suspended          status 6
=================  ==========================================================================

Finalisation, closed and cancelled projects are never delayed. A rule that needs a date the project
does not have is not tripped (a project without dates can still be suspended, and can still be
silent when it has an accepted update or a start date).

Severity (1 low, 2 medium, 3 high) by rule: end_passed is medium, high beyond 180 days; start_passed
and late_start are low, medium beyond twice the threshold (180 days); progress_behind is medium,
high once the planned period is over; no_recent_update is medium, high beyond twice the reporting
period; suspended is medium. Score, for ordering the queue: ``(severity + min(1, excess / scale)) / 4``
in [0.25, 1], where the excess is how far past the threshold the project is (days, counted in whole
30-day months, over a 365-day scale; for progress, the points by which progress trails the elapsed
share rounded to 10 %, over 100). The rounding keeps a flag's stored score and reasons still from
one night to the next, so a nightly scan rewrites only the flags whose facts changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

PIPELINE, IMPLEMENTATION, SUSPENDED = 1, 2, 6
LOW, MEDIUM, HIGH = 1, 2, 3
RULES = ("end_passed", "start_passed", "late_start", "progress_behind", "no_recent_update", "suspended")
RULE_LABELS = {
    "end_passed": _("Planned end passed"),
    "start_passed": _("Planned start passed, still in the pipeline"),
    "late_start": _("Started late"),
    "progress_behind": _("Progress behind time"),
    "no_recent_update": _("No recent accepted update"),
    "suspended": _("Suspended"),
}
_DAY_SCALE = 365


@dataclass(frozen=True, slots=True)
class DelayThresholds:
    late_start_days: int = 90
    silence_days: int = 90
    behind_elapsed: float = 0.8
    behind_progress: float = 30

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> DelayThresholds:
        values = dict(values or {})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"Unknown delay thresholds: {', '.join(sorted(unknown))}")
        result = cls(**values)
        if result.late_start_days < 0 or result.silence_days < 1:
            raise ValueError("late_start_days must be >= 0 and silence_days >= 1.")
        if not 0 < result.behind_elapsed <= 1 or not 0 <= result.behind_progress <= 100:
            raise ValueError("behind_elapsed is in (0, 1] and behind_progress in [0, 100].")
        return result


@dataclass(frozen=True, slots=True)
class DelayIn:
    id: int
    status: int
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    progress: float
    last_accepted_end: date | None  # period end of the latest accepted update


@dataclass(frozen=True, slots=True)
class DelayFinding:
    project_id: int
    rule: str
    severity: int
    score: float
    params: dict[str, Any]  # what the reason says (JSON-safe)
    facts: tuple[Any, ...]  # what a reviewer's decision is about (see fingerprint)

    @property
    def fingerprint(self) -> str:
        return facts_fingerprint(("delay", self.project_id, self.rule, *self.facts))

    def reason(self) -> dict[str, Any]:
        return {"code": self.rule, "params": self.params}


def facts_fingerprint(facts: Iterable[Any]) -> str:
    """A stable digest of the facts a decision was about (64 hex characters)."""
    text = "|".join("" if f is None else str(f) for f in facts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _score(severity: int, excess: float, scale: float) -> float:
    return round((severity + min(1.0, max(0.0, excess / scale))) / 4, 4)


def _months(days: int) -> int:
    """Days in whole 30-day months: a score moves once a month, not every night (so a nightly scan
    rewrites few flags)."""
    return (max(0, days) // 30) * 30


def project_delays(p: DelayIn, today: date, t: DelayThresholds) -> list[DelayFinding]:
    """The rules one project trips, in :data:`RULES` order.

    A finding's ``params`` hold stable facts (dates, thresholds), never "days ago": the reason text
    counts the days when it is shown, so the stored flag does not change every night."""
    found: list[DelayFinding] = []
    if p.status == IMPLEMENTATION:
        if p.planned_end is not None and p.planned_end < today:
            days = (today - p.planned_end).days
            sev = HIGH if days > 180 else MEDIUM
            found.append(DelayFinding(p.id, "end_passed", sev, _score(sev, _months(days), _DAY_SCALE),
                                      {"planned_end": p.planned_end.isoformat()}, (p.status, p.planned_end)))
        if p.actual_start and p.planned_start:
            late = (p.actual_start - p.planned_start).days
            if late > t.late_start_days:
                sev = MEDIUM if late > 2 * t.late_start_days else LOW
                found.append(DelayFinding(
                    p.id, "late_start", sev, _score(sev, late - t.late_start_days, _DAY_SCALE),
                    {"planned_start": p.planned_start.isoformat(), "actual_start": p.actual_start.isoformat(),
                     "days": late, "threshold": t.late_start_days},
                    (p.planned_start, p.actual_start)))
        if p.planned_start and p.planned_end and p.planned_end > p.planned_start:
            elapsed = (today - p.planned_start).days / (p.planned_end - p.planned_start).days
            if elapsed >= t.behind_elapsed and p.progress <= t.behind_progress:
                sev = HIGH if elapsed >= 1 else MEDIUM
                found.append(DelayFinding(
                    p.id, "progress_behind", sev, _score(sev, round(min(elapsed, 1.0) * 10) * 10 - p.progress, 100),
                    {"planned_start": p.planned_start.isoformat(), "planned_end": p.planned_end.isoformat(),
                     "progress": round(p.progress, 1), "threshold": t.behind_progress},
                    # Decided about "this plan and roughly this progress": a change of plan or
                    # ten more points of progress is worth another look.
                    (p.planned_start, p.planned_end, int(p.progress // 10))))
        since = p.last_accepted_end or p.actual_start or p.planned_start
        if since is not None and (today - since).days > t.silence_days:
            days = (today - since).days
            sev = HIGH if days > 2 * t.silence_days else MEDIUM
            found.append(DelayFinding(
                p.id, "no_recent_update", sev, _score(sev, _months(days - t.silence_days), _DAY_SCALE),
                {"since": since.isoformat(), "threshold": t.silence_days, "never_reported": p.last_accepted_end is None},
                (since,)))
    elif p.status == PIPELINE and p.planned_start is not None and p.planned_start < today:
        days = (today - p.planned_start).days
        sev = MEDIUM if days > 180 else LOW
        found.append(DelayFinding(p.id, "start_passed", sev, _score(sev, _months(days), _DAY_SCALE),
                                  {"planned_start": p.planned_start.isoformat()}, (p.status, p.planned_start)))
    elif p.status == SUSPENDED:
        found.append(DelayFinding(p.id, "suspended", MEDIUM, _score(MEDIUM, 0, 1), {}, (p.status,)))
    return found


def delay_findings(projects: Iterable[DelayIn], today: date,
                   thresholds: DelayThresholds | None = None) -> list[DelayFinding]:
    t = thresholds or DelayThresholds()
    out: list[DelayFinding] = []
    for p in projects:
        if p.status in (IMPLEMENTATION, PIPELINE, SUSPENDED):
            out.extend(project_delays(p, today, t))
    return out


# -- reasons, readable in Arabic and English (rendered in the active language when shown) ----------

_REASON_TEXTS = {
    "end_passed": _("In implementation, but the planned end (%(planned_end)s) passed %(days)s days ago."),
    "start_passed": _("Still in the pipeline, but the planned start (%(planned_start)s) passed %(days)s days ago."),
    "late_start": _("Started on %(actual_start)s, %(days)s days after the planned start (%(planned_start)s); "
                    "the limit is %(threshold)s days."),
    "progress_behind": _("%(elapsed_percent)s%% of the planned period has elapsed but reported progress is "
                         "%(progress)s%% (at most %(threshold)s%%)."),
    "no_recent_update": _("No accepted update for %(days)s days (since %(since)s); the reporting period is "
                          "%(threshold)s days."),
    "suspended": _("The project is suspended."),
}


def _as_of(code: str, params: dict[str, Any], today: date) -> dict[str, Any]:
    """The stored facts plus what depends on the day they are read: days since, share of time elapsed."""
    out = dict(params)
    anchor = {"end_passed": "planned_end", "start_passed": "planned_start", "no_recent_update": "since"}.get(code)
    if anchor and anchor in out:
        out["days"] = (today - date.fromisoformat(out[anchor])).days
    if code == "progress_behind":
        start, end = date.fromisoformat(out["planned_start"]), date.fromisoformat(out["planned_end"])
        out["elapsed_percent"] = round(100 * (today - start).days / max(1, (end - start).days))
    return out


def delay_reason_text(reason: Mapping[str, Any], today: date | None = None,
                      shown: Callable[[str, Any], Any] | None = None) -> str:
    """One stored reason ({"code", "params"}) as a sentence in the active language, as of ``today``.
    ``shown(name, value)``: how each figure is written (the pages' formatting layer); as stored when None."""
    code = reason.get("code", "")
    template = _REASON_TEXTS.get(code)
    if template is None:
        return str(code)
    try:
        params = _as_of(code, dict(reason.get("params") or {}), today or date.today())
        if shown is not None:
            params = {name: shown(name, value) for name, value in params.items()}
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(RULE_LABELS.get(code, code))
