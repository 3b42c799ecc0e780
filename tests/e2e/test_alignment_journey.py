"""A ministry analyst follows alignment through the workspace in Arabic: the dashboard's share of money
aligned and its chart by partner, the Plans link, Murzuq's plan page (plan-ar.png), the project page's
objectives loaded by htmx, and the map coloured by the share of money aligned."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import NOTHING_WRONG, screenshot_path, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_analyst_follows_alignment_through_the_workspace(page, live_server, watch, personas, undp, unicef):
    from coordination.services.alignment import alignment_full_run
    from tests.coordination.test_alignment import plans as plans_fixture

    world = plans_fixture.__wrapped__(personas, undp, unicef)
    alignment_full_run()
    sign_in(page, live_server, "ministry_analyst")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("[data-testid=aligned-share]").strip()
    assert page.locator("[data-testid=chart-alignment] svg a").count() == 2  # UNDP and UNICEF, linked
    assert page.locator("[data-testid=flags-alignment]").count() == 1

    page.click("nav a:text-is('الخطط')")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/coordination/plans/{world['local'].pk}/")
    assert "حفر آبار مياه الشرب" in page.inner_text("main")
    page.screenshot(path=str(screenshot_path("plan-ar")), full_page=True)
    assert screenshot_path("plan-ar").exists()

    page.goto(f"{live_server.url}/projects/{world['grid'].pk}/")
    page.wait_for_selector("#project-alignment")
    assert "القطاع نفسه" in page.inner_text("#project-alignment")

    page.goto(f"{live_server.url}/municipalities/map/?measure=aligned_share")
    page.wait_for_selector("#map-legend li")
    assert "نسبة الأموال المنسجمة مع الخطط" in page.inner_text("#map-legend-title")
    assert watch.problems() == NOTHING_WRONG
