"""The one formatting layer: the same figure reads the same everywhere in a language."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from common import formatting as f


@pytest.mark.parametrize("language", ["ar", "en"])
def test_numbers_are_grouped_with_the_same_digits_in_both_languages(language):
    assert f.number_format(901817868, language=language) == "901,817,868"
    assert f.number_format(Decimal("37.2049"), 1, language=language) == "37.2"
    assert f.number_format(None, language=language) == "—"
    assert f.number_format("not a number", language=language) == "—"
    assert f.number_format(-0.2, language=language) == "0"
    assert f.percent_format(0.372, 1, language=language) == "37.2%"
    assert f.percent_format(0.5, language=language) == "50%"


def test_money_shows_its_currency_in_the_reader_s_language():
    assert f.money_format(Decimal("22200.00"), "EUR", language="en") == "EUR 22,200"
    assert f.money_format(Decimal("22200.00"), "EUR", language="ar") == "22,200 يورو"
    assert f.money_format(1500000, "USD", language="ar") == "1,500,000 دولار أمريكي"
    assert f.money_format(10, "XOF", language="ar") == "10 XOF"  # no Arabic name known: the code
    assert f.money_format(None, "USD", language="en") == "—"


def test_compact_numbers_for_axes_and_legends():
    assert f.compact_number_format(1_250_000, language="en") == "1.3m"
    assert f.compact_number_format(1_250_000, language="ar") == "1.3 مليون"
    assert f.compact_number_format(12_000_000_000, language="en") == "12bn"
    assert f.compact_number_format(950, language="en") == "950"


def test_dates_name_their_month_and_periods_read_in_either_direction():
    day = dt.date(2025, 1, 1)
    assert f.date_format(day, language="ar") == "1 يناير 2025"
    assert f.date_format(day, language="en") == "1 Jan 2025"
    assert f.date_format("2025-06-30", language="en") == "30 Jun 2025"
    assert f.month_format(day, language="ar") == "يناير 2025"
    assert f.period_format(day, dt.date(2025, 6, 30), language="ar") == "من 1 يناير 2025 إلى 30 يونيو 2025"
    assert f.period_format(day, dt.date(2025, 6, 30), language="en") == "1 Jan 2025 – 30 Jun 2025"
    assert f.period_format(day, None, language="en") == "from 1 Jan 2025"
    assert f.period_format(None, None, language="ar") == "—"


def test_moments_are_shown_in_the_ministry_s_time_zone():
    moment = dt.datetime(2025, 3, 4, 22, 30, tzinfo=dt.UTC)  # Tripoli is UTC+2
    assert f.datetime_format(moment, language="en") == "5 Mar 2025, 00:30"
    assert f.datetime_format(moment, language="ar") == "5 مارس 2025، 00:30"


@pytest.mark.parametrize(("language", "expected"), [
    ("ar", "14,463 | 37.2% | 22,200 يورو | من 1 يناير 2025 إلى 31 ديسمبر 2025"),
    ("en", "14,463 | 37.2% | EUR 22,200 | 1 Jan 2025 – 31 Dec 2025"),
])
def test_template_filters_follow_the_active_language(language, expected):
    template = Template("{% load tansiq_format %}{{ n|num }} | {{ s|pct:1 }} | {{ a|money:'EUR' }} | {{ d1|period:d2 }}")
    with translation.override(language):
        out = template.render(Context({"n": 14463, "s": 0.372, "a": 22200, "d1": dt.date(2025, 1, 1),
                                       "d2": dt.date(2025, 12, 31)}))
    assert out == expected


@pytest.mark.parametrize("language", ["ar", "en"])
def test_django_s_own_formats_use_the_same_separators(language):
    template = Template("{{ x|floatformat:'2g' }} {{ d|date }}")
    with translation.override(language):
        out = template.render(Context({"x": 22200, "d": dt.date(2025, 1, 1)}))
    number, *_date = out.split(" ")
    assert number == "22,200.00"
    assert out.endswith("2025") and ("يناير" in out if language == "ar" else "Jan" in out)
