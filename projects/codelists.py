"""The coded values Tansiq accepts where IATI has a codelist and the model holds free text (currencies): read from
the project's own reference files (projects/reference/, written from IATI's 2.03 codelists; see its README)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """The ISO 4217 codes of IATI's Currency codelist (USD, EUR, LYD, ...)."""
    rows = json.loads((REFERENCE_DIR / "currencies.json").read_text(encoding="utf-8"))
    return frozenset(row["code"] for row in rows)


def currency_is_known(code: str) -> bool:
    return code.upper() in currency_codes()
