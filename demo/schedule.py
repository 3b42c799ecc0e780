"""Dates, progress and reports of demo projects, shaped to trip exactly the delay rules wanted.

A *profile* names the status and the delay rules a project should trip. Its schedule is drawn
from ranges that keep every rule either clearly tripped or clearly not: on-time projects stay
well inside the thresholds (planned end at least 40 days ahead, start at most 25 days late,
progress at most 5 points below the elapsed share, an accepted report at most 40 days old) and
delayed ones clearly beyond them.

The values a schedule was drawn from (its *anchors*) can seed a second, similar schedule
(``like=``), which is how a project reported twice gets near-same dates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from demo.chance import Weighted, randint
from demo.records import UpdateRec
from demo.vocabulary import RETURN_COMMENTS, UPDATE_NARRATIVES, UPDATE_PROBLEMS
from projects.reporting.calendar import period_containing

PIPELINE, IMPLEMENTATION, FINALISATION, CLOSED, CANCELLED, SUSPENDED = 1, 2, 3, 4, 5, 6
ACCEPTED, SUBMITTED, DRAFT, RETURNED = "accepted", "submitted", "draft", "returned"

LATE_START_DAYS = 90
SILENCE_DAYS = 90
BEHIND_ELAPSED = 0.8
BEHIND_PROGRESS = 30
RULES = ("end_passed", "start_passed", "late_start", "progress_behind", "no_recent_update", "suspended")
RULE_DEFINITIONS = {
    "end_passed": "status 2 (implementation) and planned_end < today",
    "start_passed": "status 1 (pipeline) and planned_start < today",
    "late_start": f"status 2 and actual_start > planned_start + {LATE_START_DAYS} days",
    "progress_behind": (
        f"status 2 and (today - planned_start) / (planned_end - planned_start) >= {BEHIND_ELAPSED} "
        f"and progress_percent <= {BEHIND_PROGRESS}"
    ),
    "no_recent_update": (
        f"status 2 and more than {SILENCE_DAYS} days between today and the period_end of the latest "
        "accepted project update (the actual_start, else planned_start, when no update is accepted)"
    ),
    "suspended": "status 6",
}
DAY = timedelta(days=1)
LAST_STATE = Weighted((ACCEPTED, SUBMITTED), (85, 15))
PENDING_STATE = Weighted((SUBMITTED, DRAFT, RETURNED), (50, 25, 25))


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    status: int
    rules: frozenset[str]
    weight: float
    live: bool = False  # implementation, with today inside the planned period


def _p(name: str, status: int, weight: float, *, live: bool = False) -> Profile:
    rules = frozenset(r for r in name.split("+") if r in RULES)
    return Profile(name, status, rules, weight, live)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        _p("pipeline", PIPELINE, 9),
        _p("start_passed", PIPELINE, 2),
        _p("on_track", IMPLEMENTATION, 34, live=True),
        _p("end_passed", IMPLEMENTATION, 4),
        _p("late_start", IMPLEMENTATION, 2.5, live=True),
        _p("progress_behind", IMPLEMENTATION, 2.5, live=True),
        _p("no_recent_update", IMPLEMENTATION, 3, live=True),
        _p("end_passed+no_recent_update", IMPLEMENTATION, 1),
        _p("late_start+progress_behind", IMPLEMENTATION, 0.5, live=True),
        _p("end_passed+progress_behind", IMPLEMENTATION, 0.5),
        _p("finalisation", FINALISATION, 5),
        _p("closed", CLOSED, 30),
        _p("cancelled", CANCELLED, 4),
        _p("suspended", SUSPENDED, 2),
    )
}


@dataclass(slots=True)
class Schedule:
    profile: str
    status: int
    planned_start: date
    planned_end: date
    actual_start: date | None
    actual_end: date | None
    progress: float
    last_update_end: date | None  # period end of the latest update (accepted, for implementation)
    pending_update: bool = False  # implementation: a newer update exists that is not accepted
    anchors: dict[str, float] = field(default_factory=dict)


class _Picker:
    """Draws anchors uniformly, or near those of ``like``, or takes them from ``fixed``; always within range."""

    def __init__(self, rng: random.Random, like: dict[str, float] | None, day_jitter: int, pct_jitter: float,
                 fixed: dict[str, float] | None) -> None:
        self.rng, self.like, self.fixed = rng, like or {}, fixed or {}
        self.day_jitter, self.pct_jitter = day_jitter, pct_jitter
        self.anchors: dict[str, float] = {}

    def days(self, name: str, lo: float, hi: float) -> int:
        lo, hi = int(lo), int(max(lo, hi))
        if name in self.fixed:
            value = int(self.fixed[name])
        elif name in self.like:
            value = int(self.like[name]) + randint(self.rng, -self.day_jitter, self.day_jitter)
        else:
            value = randint(self.rng, lo, hi)
        value = min(max(value, lo), hi)
        self.anchors[name] = value
        return value

    def pct(self, name: str, lo: float, hi: float) -> float:
        hi = max(lo, hi)
        if name in self.fixed:
            value = self.fixed[name]
        elif name in self.like:
            value = self.like[name] + self.rng.uniform(-self.pct_jitter, self.pct_jitter)
        else:
            value = self.rng.uniform(lo, hi)
        value = min(max(value, lo), hi)
        self.anchors[name] = value
        return value

    def flag(self, name: str, probability: float) -> bool:
        if name in self.fixed:
            value = bool(self.fixed[name])
        elif name in self.like:
            value = bool(self.like[name])
        else:
            value = self.rng.random() < probability
        self.anchors[name] = float(value)
        return value


def _clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def _silence(p: _Picker, today: date, actual_start: date) -> tuple[date | None, bool]:
    """Last accepted report well over the silence threshold ago, or none at all."""
    if p.flag("never_reported", 0.3):
        return None, p.flag("pending", 0.4)
    room = (today - actual_start).days - 15
    gap = p.days("gap", SILENCE_DAYS + 30, min(400, room))
    return today - gap * DAY, p.flag("pending", 0.4)


def draw_schedule(profile_name: str, rng: random.Random, today: date, *, like: dict[str, float] | None = None,
                  day_jitter: int = 14, pct_jitter: float = 3.0, fixed: dict[str, float] | None = None) -> Schedule:
    profile = PROFILES[profile_name]
    p = _Picker(rng, like, day_jitter, pct_jitter, fixed)
    rules = profile.rules
    status = profile.status
    T = today
    actual_start: date | None = None
    actual_end: date | None = None
    last: date | None = None
    pending = False
    progress = 0.0

    if status == PIPELINE:
        if "start_passed" in rules:
            a = p.days("a", -400, -30)
            duration = p.days("D", max(180, -a + 60), 1100)
        else:
            a = p.days("a", 30, 400)
            duration = p.days("D", 180, 1100)
        planned_start = T + a * DAY
        planned_end = planned_start + duration * DAY
    elif status == IMPLEMENTATION:
        late = "late_start" in rules
        behind = "progress_behind" in rules
        if "end_passed" in rules:
            b = p.days("b", -400, -40)
            duration = p.days("D", 180, 1000)
            a = b - duration
            delay = p.days("delay", -10, 25)
            progress = p.pct("prog", 5, 28) if behind else p.pct("prog", 62, 95)
        elif behind:
            duration = p.days("D", 365, 1800)
            elapsed = p.pct("elapsed", 82, min(95, 100 - 3500 / duration)) / 100
            a = -round(elapsed * duration)
            b = a + duration
            delay = p.days("delay", 120, min(300, -a - 60)) if late else p.days("delay", -10, 25)
            progress = p.pct("prog", 3, 25)
        else:
            a = p.days("a", -1100, -200) if (late or "no_recent_update" in rules) else p.days("a", -1100, -70)
            b = p.days("b", 60, 900)
            delay = p.days("delay", 120, min(300, -a - 60)) if late else p.days("delay", -10, 25)
            elapsed = -a / (b - a)
            offset = p.pct("po", -12, 8) if late else p.pct("po", -5, 15)
            progress = _clamp(100 * elapsed + offset, 0, 99)
        planned_start = T + a * DAY
        planned_end = T + b * DAY
        actual_start = planned_start + delay * DAY
        if "no_recent_update" in rules:
            last, pending = _silence(p, T, actual_start)
        else:
            last = T - p.days("gap", 5, 40) * DAY
            pending = (not behind) and p.flag("pending", 0.25)
    else:
        if status == FINALISATION:
            b = p.days("b", -90, 30)
            duration = p.days("D", 300, 1400)
        elif status == CLOSED:
            b = p.days("b", -2000, -30)
            duration = p.days("D", 180, 1400)
        elif status == CANCELLED:
            b = p.days("a", -1500, -30) + p.days("D", 180, 1100)
            duration = int(p.anchors["D"])
        else:  # suspended
            b = p.days("a", -1200, -120) + p.days("D", 365, 1400)
            duration = int(p.anchors["D"])
        planned_end = T + b * DAY
        planned_start = planned_end - duration * DAY
        started = status != CANCELLED or ((T - planned_start).days >= 60 and p.flag("started", 0.5))
        if started:
            actual_start = planned_start + p.days("delay", -10, 25) * DAY
        if status == FINALISATION:
            assert actual_start is not None
            if planned_end < T:
                offset = p.days("ae", -20, 20)
                actual_end = _clamp_date(planned_end + offset * DAY, actual_start + 30 * DAY, T - DAY)
            progress = p.pct("prog", 92, 100)
            last = T - p.days("gap", 5, 60) * DAY
            if actual_end is not None:  # a project reports on what it did while it ran
                last = min(last, actual_end)
        elif status == CLOSED:
            assert actual_start is not None
            offset = p.days("ae", -30, 60)
            actual_end = _clamp_date(planned_end + offset * DAY, actual_start + 30 * DAY, T - DAY)
            progress = 100.0
            last = actual_end
        elif status == CANCELLED and actual_start is not None:
            room = (T - actual_start).days - 1
            actual_end = actual_start + p.days("ae", 30, min(400, room)) * DAY
            progress = p.pct("prog", 0, 30)
            last = actual_end
        elif status == SUSPENDED:
            assert actual_start is not None
            progress = p.pct("prog", 10, 70)
            last = T - p.days("gap", 30, min(200, (T - actual_start).days - 10)) * DAY
    return Schedule(profile_name, status, planned_start, planned_end, actual_start, actual_end,
                    round(progress, 1), last, pending, p.anchors)


def _clamp_date(value: date, lo: date, hi: date) -> date:
    return min(max(value, lo), hi)


def delay_rules(*, status: int, planned_start: date | None, planned_end: date | None, actual_start: date | None,
                progress: float, last_accepted_end: date | None, today: date) -> list[str]:
    """The delay rules a project trips (see :data:`RULE_DEFINITIONS`), in :data:`RULES` order."""
    tripped: list[str] = []
    if status == IMPLEMENTATION:
        if planned_end is not None and planned_end < today:
            tripped.append("end_passed")
        if actual_start and planned_start and (actual_start - planned_start).days > LATE_START_DAYS:
            tripped.append("late_start")
        if planned_start and planned_end and planned_end > planned_start:
            elapsed = (today - planned_start).days / (planned_end - planned_start).days
            if elapsed >= BEHIND_ELAPSED and progress <= BEHIND_PROGRESS:
                tripped.append("progress_behind")
        since = last_accepted_end or actual_start or planned_start
        if since is not None and (today - since).days > SILENCE_DAYS:
            tripped.append("no_recent_update")
    elif status == PIPELINE and planned_start is not None and planned_start < today:
        tripped.append("start_passed")
    elif status == SUSPENDED:
        tripped.append("suspended")
    return sorted(tripped, key=RULES.index)


def _stamp(day: date, hour: int, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour, randint(rng, 0, 59)), tzinfo=UTC)


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0.0):.2f}")


REPORTING_MONTHS = Weighted((3, 6, 12), (45, 40, 15))  # how often partners agree to report
SKIPPED_REPORT = 0.06  # an earlier period's report that never came
LATE_REPORT = 0.15  # sent after its due date


def reporting_blocks(first: date, last: date, months: int) -> list[tuple[date, date]]:
    """The calendar-aligned reporting periods (``projects.reporting.calendar``) from ``first`` to ``last``: the
    first clipped to start on ``first``, the last ending on ``last``."""
    blocks: list[tuple[date, date]] = []
    start, end = period_containing(first, months)
    start = first
    while start <= last:
        blocks.append((start, min(end, last)))
        start = end + DAY
        end = period_containing(start, months)[1]
    return blocks


def build_updates(rng: random.Random, schedule: Schedule, today: date, spend: Decimal,
                  reached: int | None, *, months: int = 3) -> list[UpdateRec]:
    """One report per reporting period of ``months`` months from the actual start to
    ``schedule.last_update_end`` (most on time, some late, a few never sent), oldest first, plus a pending one.
    A project reports on what it did while it ran: nothing after it ended."""
    s = schedule
    updates: list[UpdateRec] = []
    if s.actual_start is None:
        return updates
    delayed = bool(PROFILES[s.profile].rules)
    if s.last_update_end is not None and s.last_update_end >= s.actual_start:
        periods = reporting_blocks(s.actual_start, s.last_update_end, months)
        count = len(periods)
        for i, (start, end) in enumerate(periods):
            latest = i == count - 1
            if not latest and rng.random() < SKIPPED_REPORT:
                continue
            share = 1.0 if latest else (i + 1) / count * rng.uniform(0.9, 1.0)
            status = s.status if latest else IMPLEMENTATION
            if s.status == IMPLEMENTATION or not latest:
                state = ACCEPTED
            else:
                state = LAST_STATE.draw(rng)
            updates.append(_update(rng, start, end, s.progress * share, status, float(spend) * share,
                                   None if reached is None else int(reached * share), state, today,
                                   problem=latest and (delayed or rng.random() < 0.15),
                                   late=rng.random() < LATE_REPORT))
    if s.pending_update and s.status == IMPLEMENTATION:
        start = s.last_update_end + DAY if s.last_update_end else s.actual_start
        end = today - randint(rng, 0, max(0, (today - start).days)) * DAY
        state = PENDING_STATE.draw(rng)
        updates.append(_update(rng, start, end, min(100.0, s.progress + rng.uniform(0, 6)), IMPLEMENTATION,
                               float(spend) * rng.uniform(1.0, 1.08), reached, state, today,
                               problem=delayed))
    return updates


def _update(rng: random.Random, start: date, end: date, progress: float, status: int, spend: float,
            reached: int | None, state: str, today: date, *, problem: bool, late: bool = False) -> UpdateRec:
    narrative = rng.choice(UPDATE_NARRATIVES)
    problems = rng.choice(UPDATE_PROBLEMS) if problem else ("", "")
    lang = rng.randrange(3)  # Arabic, English or both, as focal points write
    text = {0: lambda pair: pair[1], 1: lambda pair: pair[0], 2: lambda pair: f"{pair[1]}\n{pair[0]}"}[lang]
    submitted_at = reviewed_at = None
    comment = ""
    if state != DRAFT:
        # On time: within the calendar's 15 days of grace; late: weeks after.
        delay = randint(rng, 20, 75) if late else randint(rng, 2, 12)
        submitted_day = min(end + delay * DAY, today)
        submitted_at = _stamp(submitted_day, 9, rng)
        if state in (ACCEPTED, RETURNED):
            reviewed_at = _stamp(min(submitted_day + randint(rng, 1, 10) * DAY, today), 14, rng)
        if state == RETURNED:
            comment = rng.choice(RETURN_COMMENTS)
    return UpdateRec(
        period_start=start, period_end=end, progress_percent=Decimal(f"{_clamp(progress, 0, 100):.2f}"),
        status=status, spend_to_date=_money(spend), beneficiaries_reached=reached,
        narrative=text(narrative), problems=text(problems) if problem else "", state=state,
        submitted_at=submitted_at, reviewed_at=reviewed_at, review_comment=comment,
    )
