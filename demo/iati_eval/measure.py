"""Scoring the engine's findings against the evaluation labels: precision, recall and F1 overall,
recall per class of true pair and per trait (cross-language titles, a broad code, a place by name
only), and for each class of hard negative how many of its pairs were wrongly found."""

from __future__ import annotations

from collections import defaultdict


def _f1(tp: int, found: int, truth: int) -> dict:
    precision = tp / found if found else 1.0
    recall = tp / truth if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def eval_measure(found: dict[tuple[str, str], str], labels: dict) -> dict:
    """``found``: the pairs the engine calls duplicates (identifiers, sorted) → the finding's kind.
    A found pair the labels do not list is a false positive like a found hard negative."""
    truth: dict[tuple[str, str], dict] = {}
    negatives: dict[tuple[str, str], dict] = {}
    for pair in labels["pairs"]:
        key = tuple(sorted((pair["a"], pair["b"])))
        (truth if pair["duplicate"] else negatives)[key] = pair
    tp = sum(1 for key in found if key in truth)
    out = {"pairs_found": len(found), "true_pairs": len(truth), "true_found": tp, **_f1(tp, len(found), len(truth))}
    per_class: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_trait: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, pair in truth.items():
        hit = key in found
        per_class[pair["class"]][0] += hit
        per_class[pair["class"]][1] += 1
        for trait in pair["traits"]:
            per_trait[trait][0] += hit
            per_trait[trait][1] += 1
    # A class's precision: of the found pairs that are this class's or a look-alike's, how many are true
    # (the hard negatives count against every true class; unlabelled finds against none).
    wrong = {key for key in found if key not in truth}
    out["per_class"] = {
        cls: {"found": hit, "of": total, "recall": round(hit / total, 4) if total else None}
        for cls, (hit, total) in sorted(per_class.items())
    }
    out["per_trait"] = {t: {"found": hit, "of": total, "recall": round(hit / total, 4) if total else None}
                        for t, (hit, total) in sorted(per_trait.items())}
    neg: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, pair in negatives.items():
        neg[pair["class"]][0] += key in found
        neg[pair["class"]][1] += 1
    out["hard_negatives"] = {cls: {"wrongly_found": w, "of": total} for cls, (w, total) in sorted(neg.items())}
    out["false_positives_unlabelled"] = len(wrong - set(negatives))
    kinds_right = sum(1 for key, kind in found.items() if key in truth and
                      (kind == "overlap") == (truth[key]["class"] == "overlap"))
    out["kinds_correct"] = kinds_right
    return out
