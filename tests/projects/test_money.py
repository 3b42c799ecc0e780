import datetime as dt
from decimal import Decimal

import pytest

from projects.models import ExchangeRate
from projects.money import to_usd, usd_rate
from projects.selectors.money import budget_total_usd
from tests import factories

RATES = {"EUR": {2020: Decimal("1.14"), 2024: Decimal("1.08")}, "LYD": {2024: Decimal("0.21")}}


def test_usd_converts_at_one_and_unknown_currencies_give_none():
    assert usd_rate(RATES, "USD", 2020) == 1
    assert usd_rate(RATES, "JPY", 2020) is None
    assert to_usd(Decimal("10"), "JPY", 2020, RATES) is None


def test_the_exact_year_wins_else_the_nearest_year():
    assert usd_rate(RATES, "EUR", 2024) == Decimal("1.08")
    assert usd_rate(RATES, "EUR", 2021) == Decimal("1.14")
    assert usd_rate(RATES, "EUR", 2022) == Decimal("1.14")  # a tie goes to the earlier year
    assert usd_rate(RATES, "EUR", 2030) == Decimal("1.08")
    assert to_usd(Decimal("1000"), "LYD", 2019, RATES) == Decimal("210.00")


@pytest.mark.django_db
def test_budget_totals_use_the_staff_edited_rates_in_two_queries(django_assert_num_queries):
    ExchangeRate.objects.create(currency="EUR", year=2024, usd_per_unit=Decimal("1.10"))
    factories.ProjectFactory(budget=Decimal("1000"), currency="EUR", planned_start=dt.date(2024, 3, 1))
    factories.ProjectFactory(budget=Decimal("500"), currency="USD", planned_start=dt.date(2023, 3, 1))
    factories.ProjectFactory(budget=Decimal("70"), currency="SEK", planned_start=dt.date(2024, 3, 1))
    with django_assert_num_queries(2):
        totals = budget_total_usd()
    assert totals["usd"] == Decimal("1600.00")
    assert totals["unconverted"] == {"SEK": Decimal("70")}
    ExchangeRate.objects.filter(currency="EUR").update(usd_per_unit=Decimal("1.20"))
    assert budget_total_usd()["usd"] == Decimal("1700.00")


@pytest.mark.django_db
def test_a_confirmed_double_report_is_counted_once():
    counted = factories.ProjectFactory(budget=Decimal("1000"), currency="USD", planned_start=dt.date(2024, 3, 1))
    factories.ProjectFactory(budget=Decimal("1000"), currency="USD", planned_start=dt.date(2024, 3, 1),
                             duplicate_of=counted)
    assert budget_total_usd()["usd"] == Decimal("1000.00")
