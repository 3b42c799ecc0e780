"""Readable reasons for the engines' findings, in the user's language (Arabic or English)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

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
}

_RELATIONS = {
    "parent": gettext_lazy("parent"), "child": gettext_lazy("child"), "sibling": gettext_lazy("sibling"),
    "cofunded": gettext_lazy("co-funded"), "third": gettext_lazy("third party"),
}


def reason_text(reason: dict[str, Any], table: dict[str, Any] = DUPLICATE_REASONS) -> str:
    """One reason ({"code", "params"}) as a sentence in the active language."""
    code = reason.get("code", "")
    template = table.get(code)
    if template is None:
        return code
    params = dict(reason.get("params") or {})
    if "share" in params:
        params["percent"] = round(100 * float(params["share"]))
    if "names" in params:
        params["names_text"] = ", ".join(map(str, params["names"])) if params["names"] else ""
    if "how" in params:
        params["how"] = _RELATIONS.get(params["how"], params["how"])
    text = str(template)
    try:
        return text % params if "%(" in text else text
    except (KeyError, TypeError, ValueError):  # a reason recorded by an older engine version
        return text.split("(")[0].strip()
