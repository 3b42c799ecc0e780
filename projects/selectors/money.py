"""Money totals in USD at the staff-set exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import ExtractYear

from projects.models import ExchangeRate, Project
from projects.money import RateTable, to_usd


def exchange_rate_table() -> RateTable:
    table: RateTable = {}
    for currency, year, rate in ExchangeRate.objects.values_list("currency", "year", "usd_per_unit"):
        table.setdefault(currency, {})[year] = rate
    return table


def budget_total_usd(projects: QuerySet[Project] | None = None) -> dict[str, Any]:
    """Total budget in USD, each budget converted at the rate of its planned start year.

    Grouped in the database by (currency, year), so it is two queries whatever the size.
    Budgets in a currency with no rate are reported, not silently dropped; a record the
    committee confirmed as a double report of another is not counted a second time.
    """
    qs = Project.objects.all() if projects is None else projects
    groups = (
        qs.filter(budget__isnull=False, duplicate_of__isnull=True)
        .annotate(year=ExtractYear("planned_start"))
        .values("currency", "year")
        .annotate(total=Sum("budget"))
        .order_by()
    )
    rates = exchange_rate_table()
    this_year = dt.date.today().year
    total = Decimal("0")
    unconverted: dict[str, Decimal] = {}
    for row in groups:
        usd = to_usd(row["total"], row["currency"], row["year"] or this_year, rates)
        if usd is None:
            unconverted[row["currency"]] = unconverted.get(row["currency"], Decimal("0")) + row["total"]
        else:
            total += usd
    return {"usd": total, "unconverted": unconverted}
