"""Learning from reviewers: a threshold per kind of finding fitted on the decisions staff recorded.

A decision on a flag says whether the pair is a duplicate (confirmed) or not (related, dismissed). For
each kind, the threshold is the score that best separates the decided pairs (the F1 of "score at or
above the threshold" against the decisions, over a grid of the decided scores); with too few
decisions of a kind, or decisions of one side only, the kind keeps the engine's threshold. The
thresholds only ever say which undecided pairs are shown: a recorded decision stands whatever the
model says (``decided_or_predicted``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MIN_DECISIONS = 8  # of one kind, with both answers among them, before its threshold moves


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str
    score: float
    duplicate: bool  # confirmed; False for related or dismissed


def _f1(decisions: list[Decision], threshold: float) -> float:
    tp = sum(1 for d in decisions if d.duplicate and d.score >= threshold)
    fp = sum(1 for d in decisions if not d.duplicate and d.score >= threshold)
    fn = sum(1 for d in decisions if d.duplicate and d.score < threshold)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def thresholds_fit(decisions: Iterable[Decision], *, default: float, min_decisions: int = MIN_DECISIONS
                   ) -> dict[str, float]:
    """Per kind, the threshold that best fits the decisions (never below ``default``: pairs under
    it were never shown, so no decision speaks for them). Kinds without enough decisions are left out."""
    by_kind: dict[str, list[Decision]] = {}
    for d in decisions:
        by_kind.setdefault(d.kind, []).append(d)
    out: dict[str, float] = {}
    for kind, ds in sorted(by_kind.items()):
        if len(ds) < min_decisions or all(d.duplicate for d in ds) or not any(d.duplicate for d in ds):
            continue
        grid = sorted({default, *(d.score for d in ds if d.score >= default)})
        # The best F1; of equals, the lowest threshold (the one that hides the fewest pairs).
        best = max(grid, key=lambda t: (round(_f1(ds, t), 9), -t))
        out[kind] = round(best, 4)
    return out


def decided_or_predicted(score: float, kind: str, decision: bool | None, thresholds: dict[str, float],
                         default: float) -> bool:
    """Is the pair a duplicate: the recorded decision when there is one, else the kind's threshold."""
    if decision is not None:
        return decision
    return score >= thresholds.get(kind, default)
