"""The shared templates, the import pages, the reporting pages and the reminder e-mails format their figures
through the one formatting layer (common.formatting): periods in words, named months, grouped numbers."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation

from common.formatting import filesize_format


@pytest.mark.parametrize(("size", "ar", "en"), [
    (512, "512 بايت", "512 bytes"), (1536, "1.5 كيلوبايت", "1.5 KB"), (50 * 1024 * 1024, "50 ميغابايت", "50 MB"),
    (None, "—", "—"),
])
def test_file_sizes_read_the_same_in_both_languages(size, ar, en):
    assert filesize_format(size, "ar") == ar
    assert filesize_format(size, "en") == en


def _row(start, end, due, overdue):
    period = SimpleNamespace(start=start, end=end, due=due)
    return SimpleNamespace(schedule=SimpleNamespace(project_id=7, title="Water", partner_name="UNDP"),
                           report=SimpleNamespace(period=period), days_overdue=overdue, days_to_due=0,
                           write_url="/x/")


def test_report_rows_give_the_period_in_words_and_days_grouped():
    rows = [_row(dt.date(2025, 1, 1), dt.date(2025, 3, 31), dt.date(2025, 4, 15), 1234)]
    with translation.override("ar"):
        html = render_to_string("projects/reporting/_report_rows.html", {"page": rows, "show_partner": True})
    assert "من 1 يناير 2025 إلى 31 مارس 2025" in html and "15 أبريل 2025" in html
    shown = re.sub(r'\sdata-[a-z-]+="[^"]*"', "", html)  # the dates as data, for scripts, are not shown text
    assert "1,234" in html and "2025-01-01" not in shown and 'data-start="2025-01-01"' in html
    with translation.override("en"):
        html = render_to_string("projects/reporting/_report_rows.html", {"page": rows})
    assert "1 Jan 2025 – 31 Mar 2025" in html and "15 Apr 2025" in html


def test_pagination_groups_its_numbers():
    page = Paginator(list(range(30_000)), 2).page(1200)
    with translation.override("en"):
        html = render_to_string("includes/pagination.html", {"page": page})
    assert "Page 1,200 of 15,000" in html
    assert "page=1201" in html  # the address keeps the plain number


def test_scorecards_show_rates_and_counts_through_the_layer():
    card = {"partner_id": 1, "name": "UNDP", "acronym": "", "projects": 12_345, "returned": 2,
            "reports": {"due": 4_000, "on_time": 3_000, "late": 500, "missing": 500, "on_time_rate": 0.75},
            "project_fields": {"overall": 0.5}, "update_fields": {"overall": None}}
    with translation.override("en"):
        html = render_to_string("projects/reporting/scorecard_list.html", {"page": [card]})
    assert "12,345" in html and "4,000" in html and "75%" in html and "50%" in html
