"""Sectors given on transactions instead of the activity (IATI allows either, never both): the activity's
split derived from them. Pure: the importer derives the project's sector lines with it, and the exporter
checks with it that the transactions still give the project's lines before writing the sectors there."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

# SDGs given as sectors (vocabularies 7 goals, 8 targets, 9 indicators) are tags, not a share of the split.
SDG_SECTOR_VOCABULARIES = frozenset({"7", "8", "9"})
CENT = Decimal("0.01")


def sector_shares_from_transactions(
        transactions: Iterable[tuple[Decimal, list[tuple[str, str]]]]) -> list[tuple[str, str, Decimal]]:
    """(code, vocabulary, percentage) per code of the transactions' sectors, ``transactions`` being
    (value, [(code, vocabulary)...]) pairs: each code's share of the value (a transaction's value split
    equally between its codes), in the order first met; equal shares when the values add up to nothing.
    Rounded to cents, the remainder on the largest share, so the percentages add up to 100 exactly."""
    weights: dict[tuple[str, str], Decimal] = {}
    for value, sectors in transactions:
        kept = [(code, vocabulary) for code, vocabulary in sectors if vocabulary not in SDG_SECTOR_VOCABULARIES]
        for key in kept:
            weights[key] = weights.get(key, Decimal(0)) + value / len(kept)
    if not weights:
        return []
    total = sum(weights.values())
    keys = list(weights)
    shares = [((weights[k] * 100 / total) if total else Decimal(100) / len(keys)).quantize(CENT) for k in keys]
    shares[shares.index(max(shares))] += Decimal(100) - sum(shares)
    return [(code, vocabulary, share) for (code, vocabulary), share in zip(keys, shares, strict=True)]
