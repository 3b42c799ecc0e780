"""Learning from reviewers: a threshold per kind of finding fitted on the decisions staff recorded.

A decision on a flag says whether the pair is a duplicate (confirmed) or not (related, dismissed). For
each kind, a one-variable logistic regression of the decisions on the score (pulled towards the
engine's threshold, so that a few decisions move it a little) gives the score where a duplicate is
as likely as not: the kind's threshold. With too few decisions of a kind, the kind keeps the
engine's threshold. The thresholds only ever say which undecided pairs are shown: a recorded
decision stands whatever the model says (``findings_shown``, ``decided_or_predicted``)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MIN_DECISIONS = 8  # of one kind before its threshold moves
FLOOR = 0.4  # no kind's threshold goes below this: pairs under it are never scored for display
CEILING = 0.95
PRIOR_SLOPE = 12.0  # before any decision, the chance of a duplicate rises from 0.5 at the threshold ...
PRIOR_WEIGHT = 2.0  # ... and the decisions move the curve against this pull


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str
    score: float
    duplicate: bool  # confirmed; False for related or dismissed


def _logistic_fit(decisions: list[Decision], default: float) -> tuple[float, float]:
    """(slope, offset) of P(duplicate | score) = 1 / (1 + exp(-(slope * (score - default) + offset))),
    by gradient descent on the log-loss with a pull towards the prior (the engine's threshold)."""
    w, b = PRIOR_SLOPE, 0.0
    xs = [(d.score - default, 1.0 if d.duplicate else 0.0) for d in decisions]
    rate = 0.5 / (len(xs) + PRIOR_WEIGHT)
    for _ in range(2000):
        gw = PRIOR_WEIGHT * (w - PRIOR_SLOPE) * 0.01
        gb = PRIOR_WEIGHT * b
        for x, y in xs:
            z = max(-30.0, min(30.0, w * x + b))
            p = 1.0 / (1.0 + math.exp(-z))
            gw += (p - y) * x
            gb += p - y
        w -= rate * gw * 10
        b -= rate * gb
        w = max(w, 0.5)  # a higher score never makes a duplicate less likely
    return w, b


def thresholds_fit(decisions: Iterable[Decision], *, default: float, min_decisions: int = MIN_DECISIONS
                   ) -> dict[str, float]:
    """Per kind, the score where the fitted chance of a duplicate is one half, between ``FLOOR`` and
    ``CEILING``. Decided pairs that were all duplicates lower it (pairs just under the engine's threshold
    are likely duplicates too); dismissed pairs near it raise it. Kinds with fewer than
    ``min_decisions`` decisions are left out (they keep the engine's threshold)."""
    by_kind: dict[str, list[Decision]] = {}
    for d in decisions:
        by_kind.setdefault(d.kind, []).append(d)
    out: dict[str, float] = {}
    for kind, ds in sorted(by_kind.items()):
        if len(ds) < min_decisions:
            continue
        w, b = _logistic_fit(ds, default)
        out[kind] = round(min(CEILING, max(FLOOR, default - b / w)), 4)
    return out


def decided_or_predicted(score: float, kind: str, decision: bool | None, thresholds: dict[str, float],
                         default: float) -> bool:
    """Is the pair a duplicate: the recorded decision when there is one, else the kind's threshold."""
    if decision is not None:
        return decision
    return score >= thresholds.get(kind, default)


def scan_threshold(thresholds: dict[str, float], default: float) -> float:
    """The threshold to score pairs with: the lowest of the kinds' (each kind is cut at its own after)."""
    return min([default, *thresholds.values()])


def findings_shown(findings: Iterable, thresholds: dict[str, float], decided: set[tuple[int, int]],
                   default: float) -> list:
    """The findings to flag: each kind cut at its learned threshold (the engine's for a kind without
    one), except the pairs a reviewer decided: their decision stands, and their flag keeps its score."""
    if not thresholds:
        return list(findings)
    return [f for f in findings if (f.a, f.b) in decided or f.score >= thresholds.get(f.kind, default)]
