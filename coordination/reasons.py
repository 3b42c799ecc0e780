"""Readable reasons for the engines' findings, in the user's language (Arabic or English)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy

from common.bilingual import language_is_arabic
from common.formatting import date_format, number_format, percent_format
from common.text import skeleton, words
from coordination.analysis.delays import delay_reason_text
from coordination.analysis.gaps import gap_reason_text

DUPLICATE_REASONS = {
    "linked_activity_ids": gettext_lazy("The records point at each other's IATI identifiers (the same money reported twice)."),
    "related_activity": gettext_lazy("One record lists the other as a related activity (%(how)s)."),
    "similar_titles": gettext_lazy("Their titles describe the same activity (similarity %(similarity)s)."),
    "different_names": gettext_lazy("They name different places or facilities."),
    "different_numbers": gettext_lazy("Their titles carry different numbers (another site or round)."),
    "same_municipality": gettext_lazy("They work in the same municipality."),
    "sites_close": gettext_lazy("Their sites are %(km)s km apart."),
    "dates_overlap": gettext_lazy("Their periods overlap (%(percent)s%% of the shorter one)."),
    "similar_budgets": gettext_lazy("Their budgets are close in US dollars (ratio %(ratio)s)."),
    "same_implementer": gettext_lazy("The same partner implements both."),
    "funder_is_implementer": gettext_lazy("The funder of one is the implementer of the other."),
    "same_funder": gettext_lazy("The same partner funds both."),
    "same_partners": gettext_lazy("The same partners run both."),
    "different_partners": gettext_lazy("Different partners run them, independently."),
    "different_phases": gettext_lazy("They are different phases (%(a)s and %(b)s)."),
    "same_names": gettext_lazy("They name the same place or facility (%(names_text)s)."),
    "different_activities": gettext_lazy("They describe different activities."),
    "different_municipalities": gettext_lazy("They work in different municipalities."),
    "different_sectors": gettext_lazy("They have no sector in common."),
    "same_parent": gettext_lazy("Both are parts of the same parent activity (%(parent)s)."),
    "different_parents": gettext_lazy("They belong to different funding decisions (%(a)s and %(b)s)."),
    "same_funder_hierarchy": gettext_lazy("Both sit in the same funder's hierarchy of decisions and contracts."),
    "successive_periods": gettext_lazy("One follows the other in time (%(days_apart)s days apart)."),
    "same_publisher": gettext_lazy("The same organisation published both records without linking them: two contracts it manages."),
    "both_sides_report": gettext_lazy("Two organisations published them, naming the same funder and implementer: the funder's and the implementer's record of one project."),
}

_RELATIONS = {
    "parent": gettext_lazy("parent"), "child": gettext_lazy("child"), "sibling": gettext_lazy("sibling"),
    "cofunded": gettext_lazy("co-funded"), "third": gettext_lazy("third party"),
}
# A reason recorded by an engine version this table does not know, or whose names cannot be shown as
# the titles write them: said in words, never by its code or the engine's word stems.
_SAME_NAMES_PLAIN = gettext_lazy("They name the same place or facility.")
_UNKNOWN = gettext_lazy("Another sign that the two records describe the same work.")


def _title_words(title: str) -> list[tuple[str, set[str]]]:
    """The title's words as written, each with the keys it matches (normalised, stemmed, cross-script)."""
    out = []
    for raw in title.split():
        keys: set[str] = set()
        for w in words(raw):
            if not w.stop:
                keys.update({w.text, w.key, skeleton(w.key)})
        out.append((raw.strip("()[]،,.:;\"'«»"), keys))
    return out


def _as_written(name: str, titles: Sequence[str]) -> str | None:
    """``name`` (as the engine keeps it: a label, or a normalised stem) as one of ``titles`` writes it:
    the run of title words that carries every one of its words; None when no title does."""
    wanted = [w.key for w in words(str(name)) if not w.stop]
    if not wanted:
        return None
    for title in titles:
        if not title:
            continue
        spelled = _title_words(title)
        hits = [i for i, (_raw, keys) in enumerate(spelled)
                if any(k in keys or skeleton(k) in keys for k in wanted)]
        covered = {k for k in wanted if any(k in spelled[i][1] or skeleton(k) in spelled[i][1] for i in hits)}
        if hits and covered == set(wanted) and hits[-1] - hits[0] < len(wanted) + 3:
            return " ".join(raw for raw, _keys in spelled[hits[0]:hits[-1] + 1])
    return None


def _numbers(params: dict[str, Any]) -> None:
    """The figures of a reason through the formatting layer (digits and separators of the language)."""
    if "share" in params:
        params["percent"] = number_format(round(100 * float(params["share"])))
    if "similarity" in params:
        params["similarity"] = percent_format(float(params["similarity"]))
    if "ratio" in params:
        params["ratio"] = number_format(params["ratio"], 2)
    if "km" in params:
        params["km"] = number_format(params["km"], 1)
    for key in ("days_apart", "a", "b"):
        if isinstance(params.get(key), int | float):
            params[key] = number_format(params[key])


def reason_text(reason: dict[str, Any], table: dict[str, Any] = DUPLICATE_REASONS, *,
                titles: Sequence[str] = ()) -> str:
    """One reason ({"code", "params"}) as a sentence in the active language. ``titles``: the pair's titles
    (the reader's language first); names are shown only as a title writes them, never as the engine's
    stems, and without titles not at all."""
    code = reason.get("code", "")
    template = table.get(code)
    if template is None:
        return str(_UNKNOWN)
    params = dict(reason.get("params") or {})
    _numbers(params)
    if "names" in params:
        shown = [n for n in (_as_written(name, titles) for name in params["names"] or ()) if n]
        if not shown:
            return str(_SAME_NAMES_PLAIN)
        params["names_text"] = "، ".join(dict.fromkeys(shown)) if language_is_arabic() else ", ".join(
            dict.fromkeys(shown))
    if "how" in params:
        params["how"] = _RELATIONS.get(params["how"], params["how"])
    text = str(template)
    try:
        return text % params if "%(" in text else text
    except (KeyError, TypeError, ValueError):  # a reason recorded by an older engine version
        return text.split("(")[0].strip()


def pair_titles(flag: Any) -> list[str]:
    """The titles of a duplicate flag's two projects, the reader's language first (for ``reason_text``)."""
    a, b = flag.project_a, flag.project_b
    if language_is_arabic():
        return [a.title_ar, b.title_ar, a.title_en, b.title_en]
    return [a.title_en, b.title_en, a.title_ar, b.title_ar]


def gap_reason_words(reason: dict[str, Any]) -> str:
    """A gap flag's reason in words, its figures formatted for the language."""
    params = dict(reason.get("params") or {})
    for key in ("people_in_need", "severity", "threshold", "population"):
        if isinstance(params.get(key), int | float):
            params[key] = number_format(params[key])
    return gap_reason_text({"code": reason.get("code", ""), "params": params})


def _delay_figure(name: str, value: Any) -> Any:
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        return date_format(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_format(value)
    return value


def delay_reason_words(reason: dict[str, Any], today: Any = None) -> str:
    """A delay flag's reason in words (the rule, its dates and thresholds), as of ``today``, its dates
    and figures formatted for the language."""
    return delay_reason_text(reason, today, shown=_delay_figure)
