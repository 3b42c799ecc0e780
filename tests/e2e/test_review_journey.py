"""A ministry analyst (not staff) reviews the committee's flags in a real browser: confirms a duplicate from the
side-by-side view and dismisses a delay with a note, both without a page reload; reads the gap queue; in Arabic,
then in English. Full-page screenshots: duplicate-detail-ar/en, gaps-ar/en, delays-ar/en."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.coordination.place_helpers import murzuq_portfolio, project
from tests.e2e.conftest import NOTHING_WRONG, screenshot_path, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _flags(undp, unicef) -> dict:
    from coordination.models import DelayFlag, DuplicateFlag, GapFlag

    w = murzuq_portfolio(undp, unicef)
    again = project(undp, w["murzuq"], w["electricity"], title_en="Repair of the Murzuq electricity network",
                    title_ar="صيانة شبكة كهرباء مرزق", budget=Decimal("900000"), currency="EUR",
                    planned_start=dt.date(2025, 2, 1))
    a, b = sorted([w["grid"], again], key=lambda p: p.pk)
    w["pair"] = DuplicateFlag.objects.create(
        project_a=a, project_b=b, kind=DuplicateFlag.Kind.OVERLAP, score=0.91,
        reasons=[{"code": "similar_titles", "params": {"similarity": 0.86}},
                 {"code": "same_names", "params": {"names": ["murzuq"]}},
                 {"code": "same_municipality", "params": {"municipalities": [w["murzuq"].pk]}},
                 {"code": "dates_overlap", "params": {"share": 0.95}}])
    GapFlag.objects.create(municipality=w["murzuq"], sector=w["water"], score=0.7, severity=4, people_in_need=20000,
                           reasons=[{"code": "need_without_project",
                                     "params": {"severity": 4, "threshold": 3, "people_in_need": 20000}}])
    GapFlag.objects.create(municipality=w["other"], sector=None, score=0.9, severity=None,
                           reasons=[{"code": "no_active_project", "params": {}}])
    w["delay"] = DelayFlag.objects.create(
        project=w["grid"], rule=DelayFlag.Rule.END_PASSED, severity=2, score=0.6,
        reasons=[{"code": "end_passed", "params": {"planned_end": "2025-06-30"}}])
    return w


def _mark_page(page) -> None:
    """A mark that a reload would wipe: the decision must leave it in place."""
    page.evaluate("() => { window.__noReload = true; }")


def _still_same_page(page) -> bool:
    return page.evaluate("() => window.__noReload === true")


def test_an_analyst_confirms_a_duplicate_and_dismisses_a_delay(page, live_server, watch, personas, undp, unicef):
    from coordination.models import FlagStatus

    w = _flags(undp, unicef)
    sign_in(page, live_server, "ministry_analyst")
    assert page.get_attribute("html", "dir") == "rtl"

    # The duplicate queue leads to the pair's side-by-side page.
    page.click("nav a[href='/coordination/duplicates/']")
    page.click(f"tr[data-flag='{w['pair'].pk}'] a[data-testid=pair-link]")
    page.wait_for_selector("#pair-map[data-loaded]")
    table = page.inner_text("#pair-table")
    assert "إصلاح شبكة الكهرباء في مرزق" in table and "صيانة شبكة كهرباء مرزق" in table
    assert "900,000 يورو" in table and "990,000 دولار أمريكي" in table
    assert page.locator("#pair-table tr[data-differs]").count() == 3  # title, dates, budget
    reasons = page.inner_text("#pair-reasons")
    assert "86%" in reasons and "murzuq" not in reasons.lower()
    assert page.get_attribute("#pair-map", "data-loaded") == "2"  # the substation (A) and B's municipality
    page.screenshot(path=str(screenshot_path("duplicate-detail-ar")), full_page=True)

    _mark_page(page)
    page.check("#decision-confirmed")
    page.fill("#decision-note", "المشروع نفسه مسجل مرتين")
    page.click("[data-testid=pair-save]")
    page.wait_for_selector("#pair-decision [role=status]")
    assert "مؤكد" in page.inner_text("[data-testid=pair-status]") and _still_same_page(page)
    w["pair"].refresh_from_db()
    assert w["pair"].status == FlagStatus.CONFIRMED and w["pair"].decision_note == "المشروع نفسه مسجل مرتين"

    # The gap queue: municipality × sector, the need, what reaches it.
    page.click("nav a[href='/coordination/gaps/']")
    page.wait_for_selector("#gap-queue")
    gaps = page.inner_text("#gap-queue")
    assert "مرزق" in gaps and "المياه والإصحاح" in gaps and "20,000" in gaps and "أم الأرانب" in gaps
    page.screenshot(path=str(screenshot_path("gaps-ar")), full_page=True)

    # The delay queue: dismiss with a note, in place.
    page.click("nav a[href='/coordination/delays/']")
    row = f"#delay-queue tr[data-flag='{w['delay'].pk}']"
    page.wait_for_selector(row)
    assert "30 يونيو 2025" in page.inner_text(row)
    _mark_page(page)
    page.select_option(f"{row} select[name=status]", "dismissed")
    page.fill(f"{row} input[name=note]", "اتُّفق على موعد انتهاء جديد مع البلدية")
    page.click(f"{row} button[type=submit]")
    page.wait_for_selector(f"{row} [data-testid=flag-note]")
    assert "مستبعد" in page.inner_text(f"{row} [data-testid=flag-status]") and _still_same_page(page)
    w["delay"].refresh_from_db()
    assert w["delay"].status == FlagStatus.DISMISSED and "موعد انتهاء جديد" in w["delay"].decision_note
    page.screenshot(path=str(screenshot_path("delays-ar")), full_page=True)

    # The same pages in English.
    page.click("button[name=language][value=en]")
    page.wait_for_selector("#delay-queue")
    assert page.get_attribute("html", "dir") == "ltr"
    assert "Planned end passed" in page.inner_text("#delay-queue") and "Dismissed" in page.inner_text("#delay-queue")
    page.screenshot(path=str(screenshot_path("delays-en")), full_page=True)
    page.click("nav a[href='/coordination/gaps/']")
    page.wait_for_selector("#gap-queue")
    assert "Water and sanitation" in page.inner_text("#gap-queue") and "20,000" in page.inner_text("#gap-queue")
    page.screenshot(path=str(screenshot_path("gaps-en")), full_page=True)
    page.goto(f"{live_server.url}/coordination/duplicates/{w['pair'].pk}/")
    page.wait_for_selector("#pair-map[data-loaded]")
    assert "USD 990,000" in page.inner_text("#pair-table") and "Confirmed" in page.inner_text("#pair-decision")
    page.screenshot(path=str(screenshot_path("duplicate-detail-en")), full_page=True)
    assert watch.problems() == NOTHING_WRONG
