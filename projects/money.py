"""Currency conversion to US dollars with the staff-edited exchange rates (pure functions)."""

from __future__ import annotations

from decimal import Decimal

RateTable = dict[str, dict[int, Decimal]]  # currency -> year -> USD per unit


def usd_rate(rates: RateTable, currency: str, year: int) -> Decimal | None:
    """The rate for the year, else the nearest year known for that currency (earlier wins a tie)."""
    if currency == "USD":
        return Decimal("1")
    by_year = rates.get(currency)
    if not by_year:
        return None
    if year in by_year:
        return by_year[year]
    nearest = min(by_year, key=lambda y: (abs(y - year), y))
    return by_year[nearest]


def to_usd(amount: Decimal | None, currency: str, year: int, rates: RateTable) -> Decimal | None:
    if amount is None:
        return None
    rate = usd_rate(rates, currency, year)
    if rate is None:
        return None
    return (amount * rate).quantize(Decimal("0.01"))
