"""Classes of a map measure for a choropleth and its legend. Pure Python, no ORM.

A measure's values (one per municipality, None where it has no figure) fall into a few classes:

* *no data* — the value is unknown (no population for a per-capita figure, no need assessed);
* *zero* — for counts and money, nothing at all is its own class: "no active project" must not share a
  colour with "one or two";
* *quantile classes* of the remaining values (up to ``QUANTILE_CLASSES``), so each colour holds about as
  many municipalities whatever the spread of the figures; equal values never straddle two classes;
* or *fixed classes* for measures that have a scale of their own: the severity of need (1 to 5), the
  gap score and a share (0 to 1, in fifths).

Each class carries the steps of the palette it is drawn in (1 light … 5 dark, 0 for zero), so fewer
classes still spread over the whole palette.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

QUANTILE_CLASSES = 5
PALETTE_STEPS = 5
SEVERITY_CLASSES = ((1, 1), (2, 2), (3, 3), (4, 4), (5, 5))  # (low, high), inclusive
SCORE_BREAKS = (0.2, 0.4, 0.6, 0.8, 1.0)


@dataclass(frozen=True, slots=True)
class MapClass:
    key: str  # "none", "zero", or "c1".."c5"
    step: int | None  # palette step: None for no data, 0 for zero, 1..5
    low: float | None
    high: float | None
    count: int


@dataclass(frozen=True, slots=True)
class Classification:
    classes: list[MapClass]
    assigned: dict[int, str]  # municipality id -> class key


def quantile_breaks(values: Sequence[float], classes: int = QUANTILE_CLASSES) -> list[float]:
    """Upper bounds of up to ``classes`` classes holding about as many values each (ascending, distinct)."""
    ordered = sorted(values)
    if not ordered:
        return []
    breaks: list[float] = []
    for i in range(1, classes + 1):
        position = max(0, math.ceil(len(ordered) * i / classes) - 1)
        bound = ordered[position]
        if not breaks or bound > breaks[-1]:
            breaks.append(bound)
    return breaks


def _steps(count: int) -> list[int]:
    if count <= 1:
        return [PALETTE_STEPS // 2 + 1][:count]
    return [1 + round(i * (PALETTE_STEPS - 1) / (count - 1)) for i in range(count)]


def _ranges(breaks: Sequence[float], lowest: float) -> list[tuple[float, float]]:
    ranges, low = [], lowest
    for high in breaks:
        ranges.append((low, high))
        low = high
    return ranges


def classify(values: Mapping[int, float | None], *, scale: str) -> Classification:
    """Classes for ``values`` on ``scale``: "count" and "amount" (zero apart, quantiles above), "severity"
    (1..5), "score" or "share" (0..1 in fifths). A value belongs to the first class whose upper bound it does not
    exceed (the lower bound of a quantile class is the previous class's upper bound, excluded)."""
    if scale not in ("count", "amount", "severity", "score", "share"):
        raise ValueError(f"Unknown scale: {scale}")
    known = {k: float(v) for k, v in values.items() if v is not None}
    assigned: dict[int, str] = {k: "none" for k, v in values.items() if v is None}
    classes: list[MapClass] = []
    if scale in ("count", "amount"):
        zeros = [k for k, v in known.items() if v <= 0]
        rest = {k: v for k, v in known.items() if v > 0}
        if zeros:
            classes.append(MapClass("zero", 0, 0.0, 0.0, len(zeros)))
            assigned.update(dict.fromkeys(zeros, "zero"))
        breaks = quantile_breaks(list(rest.values()))
        ranges = _ranges(breaks, min(rest.values())) if rest else []
    elif scale == "severity":
        ranges = [(float(lo), float(hi)) for lo, hi in SEVERITY_CLASSES]
        rest = known
    else:
        ranges = _ranges(SCORE_BREAKS, 0.0)
        rest = known
    steps = _steps(len(ranges)) if scale in ("count", "amount") else list(range(1, len(ranges) + 1))
    counts = [0] * len(ranges)
    for k, v in rest.items():
        index = next((i for i, (_lo, hi) in enumerate(ranges) if v <= hi), len(ranges) - 1)
        counts[index] += 1
        assigned[k] = f"c{index + 1}"
    for i, (low, high) in enumerate(ranges):
        classes.append(MapClass(f"c{i + 1}", steps[i], low, high, counts[i]))
    missing = sum(1 for key in assigned.values() if key == "none")
    classes.append(MapClass("none", None, None, None, missing))
    return Classification(classes=classes, assigned=assigned)
