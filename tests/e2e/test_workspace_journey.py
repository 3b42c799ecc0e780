"""The ministry's workspace in a real browser: an analyst reads the dashboard in Arabic, switches to English and
back, colours the map by USD per capita, filters a sector (legend and counts change), and opens a
municipality's file from its popup; a UNDP focal point sees none of another partner's draft on the dashboard,
in the map's data or in the file."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.coordination.place_helpers import DRAFT_TITLE, murzuq_portfolio
from tests.e2e.conftest import NOTHING_WRONG, screenshot_path, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT_TITLE_AR = "مسودة سرية لليونيسف في مرزق"


def _switch(page, language: str) -> None:
    page.click(f"button[name=language][value={language}]")
    page.wait_for_selector(f"html[lang='{language}']")
    page.wait_for_selector("[data-testid='budget-usd']")


def _figures_after(page, before: str) -> str:
    page.wait_for_selector(f"#municipality-map[data-figures]:not([data-figures='{before}'])[aria-busy='false']")
    return page.get_attribute("#municipality-map", "data-figures")


def test_an_analyst_reads_the_dashboard_in_both_languages_then_the_map_and_a_file(page, live_server, watch,
                                                                                  personas, undp, unicef):
    murzuq_portfolio(undp, unicef)
    sign_in(page, live_server, "ministry_analyst")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("[data-testid='budget-usd']")
    assert page.get_attribute("html", "dir") == "rtl"
    # The ministry counts every record, the draft included: 1,000,000 + 500,000 EUR at 1.10 + 9,000,000.
    assert page.inner_text("[data-testid='budget-usd']") == "10,550,000 دولار أمريكي"
    assert page.inner_text("[data-testid='projects-total']").strip().startswith("3")
    assert "الكهرباء" in page.inner_text("[data-testid='chart-sector']")
    page.screenshot(path=str(screenshot_path("dashboard-ar")), full_page=True)

    _switch(page, "en")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.inner_text("[data-testid='budget-usd']") == "USD 10,550,000"
    assert "Electricity" in page.inner_text("[data-testid='chart-sector']")
    page.screenshot(path=str(screenshot_path("dashboard-en")), full_page=True)

    _switch(page, "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("[data-testid='budget-usd']") == "10,550,000 دولار أمريكي"

    page.goto(f"{live_server.url}/municipalities/map/")
    page.wait_for_selector("#municipality-map[data-loaded]")
    shown = page.get_attribute("#municipality-map", "data-figures")
    page.select_option("#id_measure", "usd_per_capita")
    shown = _figures_after(page, shown)
    assert page.inner_text("#map-legend-title") == "دولار للفرد"
    legend_all = page.inner_text("#map-legend")
    assert page.inner_text("#map-summary [data-key='projects'] strong") == "3"

    page.select_option("#id_sector", "water")
    shown = _figures_after(page, shown)
    assert "sector=water" in page.url and "measure=usd_per_capita" in page.url
    assert page.inner_text("#map-summary [data-key='projects'] strong") == "1"
    assert page.inner_text("#map-legend") != legend_all

    page.locator("path.map-area").first.click(position={"x": 10, "y": 10})
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("strong").inner_text() == "مرزق"
    assert "دولار للفرد" in popup.inner_text()
    popup.locator("a.map-open-file").click()
    page.wait_for_url(f"{live_server.url}/municipalities/murzuq/")
    page.wait_for_selector("#place-map[data-loaded]")
    assert page.inner_text("#municipality-name") == "مرزق"
    assert watch.problems() == NOTHING_WRONG


def test_a_focal_point_sees_no_other_partners_draft_on_the_dashboard_map_or_file(page, live_server, watch,
                                                                                 personas, undp, unicef):
    murzuq_portfolio(undp, unicef)
    sign_in(page, live_server, "undp_fp")
    _switch(page, "en")
    text = page.inner_text("main")
    assert DRAFT_TITLE not in text and DRAFT_TITLE_AR not in text
    # Only the two accepted projects count: the UNICEF draft's 9,000,000 is not in any figure.
    assert page.inner_text("[data-testid='budget-usd']") == "USD 1,550,000"
    assert page.inner_text("[data-testid='projects-total']").strip().startswith("2")
    page.screenshot(path=str(screenshot_path("dashboard-focal-point-en")), full_page=True)

    page.goto(f"{live_server.url}/municipalities/map/")
    page.wait_for_selector("#municipality-map[data-loaded]")
    assert page.inner_text("#map-summary [data-key='projects'] strong") == "2"
    # What the map's popups and layers are built from: the figures and the sites, as the browser fetches them.
    for path in ("figures.json?measure=active_projects", "figures.json?measure=usd_per_capita", "sites.geojson",
                 "duplicates.geojson"):
        answer = page.request.get(f"{live_server.url}/municipalities/map/{path}")
        assert answer.status == 200
        body = answer.text()
        assert DRAFT_TITLE not in body and DRAFT_TITLE_AR not in body
    figures = page.request.get(f"{live_server.url}/municipalities/map/figures.json?measure=active_projects").json()
    assert figures["municipalities"]["murzuq"]["value_text"] == "2"  # the grid and the wells, not the draft

    page.goto(f"{live_server.url}/municipalities/murzuq/")
    page.wait_for_selector("#place-map[data-loaded]")
    text = page.inner_text("#municipality-file")
    assert "Electricity network repairs in Murzuq" in text
    assert DRAFT_TITLE not in text and DRAFT_TITLE_AR not in text
    assert watch.problems() == NOTHING_WRONG
