"""The coded values Tansiq accepts where IATI has a codelist and the model holds free text (currencies): read from
the project's own reference files (projects/reference/, written from IATI's 2.03 codelists; see its README)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
_SDG_PREFIX = re.compile(r"sdg[\s:-]*", re.IGNORECASE)  # "SDG 6.1", "sdg-6" in a typed list
_SDG_SEPARATORS = re.compile(r"[\s,;،]+")


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """The ISO 4217 codes of IATI's Currency codelist (USD, EUR, LYD, ...)."""
    rows = json.loads((REFERENCE_DIR / "currencies.json").read_text(encoding="utf-8"))
    return frozenset(row["code"] for row in rows)


def currency_is_known(code: str) -> bool:
    return code.upper() in currency_codes()


@lru_cache(maxsize=1)
def sdg_codes() -> tuple[frozenset[str], frozenset[str]]:
    """The SDG goals ("6") and targets ("6.1", "6.a") of IATI's UNSDG-Goals and UNSDG-Targets codelists."""
    data = json.loads((REFERENCE_DIR / "sdg.json").read_text(encoding="utf-8"))
    return frozenset(g["code"] for g in data["goals"]), frozenset(data["targets"])


def sdg_code_normalised(code: object) -> str | None:
    """An SDG goal, target or indicator as the codelists write it ("SDG 6.A" → "6.a", "06" → "6"), or None
    when it is none of them. An indicator ("6.1.1") is accepted when its target is known."""
    text = str(code).strip().upper().replace("SDG", "").strip().lstrip("-: ").lower()
    parts = [p.strip() for p in text.split(".")]
    if not parts[0].isdigit() or len(parts) > 3 or not all(parts):
        return None
    parts[0] = str(int(parts[0]))
    if len(parts) > 1 and parts[1].isdigit():
        parts[1] = str(int(parts[1]))
    goals, targets = sdg_codes()
    if parts[0] not in goals:
        return None
    if len(parts) >= 2 and ".".join(parts[:2]) not in targets:
        return None
    if len(parts) == 3:
        if not parts[2].isdigit() or not 1 <= int(parts[2]) <= 30:
            return None
        parts[2] = str(int(parts[2]))
    return ".".join(parts)


def sdg_tags_clean(values: object) -> tuple[list[str], list[str]]:
    """SDG codes from a list (or a text separated by commas, semicolons or spaces), normalised and kept once in
    the order given; and the values that are not SDG codes."""
    if isinstance(values, str):
        values = [v for v in _SDG_SEPARATORS.split(_SDG_PREFIX.sub("", values)) if v]
    kept: list[str] = []
    unknown: list[str] = []
    for value in values or ():
        code = sdg_code_normalised(value)
        if code is None:
            unknown.append(str(value))
        elif code not in kept:
            kept.append(code)
    return kept, unknown
