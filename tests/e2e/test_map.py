"""The municipality map in a real browser: names from the database (or an imported boundary file) show as
text in popups, never as markup, and a layer that cannot be loaded is said so on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Polygon

from tests import factories
from tests.e2e.conftest import NOTHING_WRONG, PASSWORD, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

EVIL_EN = '<img src=x onerror="window.__pwned=1">Evil'
EVIL_AR = '<img src=x onerror="window.__pwned=1">شرير'
LAYER = "**/municipalities/map/layer.geojson"
ERROR = {
    "ar": "تعذّر تحميل البلديات على الخريطة. أعد تحميل الصفحة للمحاولة مرة أخرى.",
    "en": "The municipalities could not be loaded onto the map. Reload the page to try again.",
}


def _screenshots() -> Path:
    path = settings.VAR_DIR / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _open_map(page, live_server, language: str) -> None:
    factories.UserFactory(username="analyst", password=PASSWORD)
    sign_in(page, live_server, "analyst")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/municipalities/map/")
    assert page.get_attribute("html", "lang") == language


@pytest.mark.parametrize("language, shown", [("en", EVIL_EN), ("ar", EVIL_AR)])
def test_a_name_with_markup_shows_as_text_in_its_popup(page, live_server, watch, language, shown):
    square = MultiPolygon(Polygon(((13.0, 32.7), (13.3, 32.7), (13.3, 32.95), (13.0, 32.95), (13.0, 32.7))),
                          srid=4326)
    factories.MunicipalityFactory(name_en=EVIL_EN, name_ar=EVIL_AR, area=square, area_is_official=False)
    _open_map(page, live_server, language)
    page.wait_for_selector("#municipality-map[data-loaded='1']")
    page.locator("path.leaflet-interactive").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("img").count() == 0 and page.locator("img[src='x']").count() == 0
    assert popup.locator("strong").inner_text() == shown  # the name as written, angle brackets and all
    # an <img> that slipped through would fire onerror once its request fails; give it the time to
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert watch.problems() == NOTHING_WRONG
    page.screenshot(path=str(_screenshots() / f"map-popup-{language}.png"))


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("answer", ["server-error", "not-json", "network-down"])
def test_the_map_says_so_when_its_layer_cannot_be_loaded(page, live_server, watch, language, answer):
    factories.MunicipalityFactory()

    def fail(route) -> None:
        if answer == "server-error":
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")
        elif answer == "not-json":  # what a lapsed session gets: the login page, answered 200
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Log in</title>")
        else:
            route.abort("internetdisconnected")

    page.route(LAYER, fail)
    _open_map(page, live_server, language)
    alert = page.locator("#municipality-map-error[role=alert]")
    alert.wait_for(timeout=10_000)
    assert alert.inner_text() == ERROR[language]
    assert alert.is_visible() and page.get_attribute("#municipality-map", "data-loaded") is None
    # handled, not an uncaught error: the only complaint in the console is the browser's own
    # "Failed to load resource" for the refused request
    assert [text for text, _url in watch.console if not text.startswith("Failed to load resource")] == []
    if answer == "server-error":
        page.screenshot(path=str(_screenshots() / f"map-error-{language}.png"))



def _square(x: float, y: float) -> MultiPolygon:
    return MultiPolygon(Polygon(((x, y), (x + 0.2, y), (x + 0.2, y + 0.2), (x, y + 0.2), (x, y))), srid=4326)


def _portfolio():
    """Three municipalities with areas, two sectors, a project with a site in each of two of them."""
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.contrib.gis.geos import Point

    from coordination import roles
    from projects.models import ProjectLocation, ProjectSector, ReviewState, Site

    roles.roles_sync()
    analyst = factories.UserFactory(username="analyst", password=PASSWORD)
    analyst.groups.add(Group.objects.get(name=roles.MINISTRY_ANALYST))
    water = factories.SectorFactory(code="water", name_en="Water", name_ar="المياه")
    power = factories.SectorFactory(code="power", name_en="Electricity", name_ar="الكهرباء")
    places = [factories.MunicipalityFactory(area=_square(13.0 + i * 0.3, 32.6), area_is_official=i == 0,
                                            point=Point(13.1 + i * 0.3, 32.7, srid=4326), population=1000 * (i + 1))
              for i in range(3)]
    for place, sector, budget in ((places[0], water, "50000"), (places[1], power, "9000")):
        project = factories.ProjectFactory(state=ReviewState.ACCEPTED, budget=Decimal(budget))
        ProjectLocation.objects.create(project=project, municipality=place)
        ProjectSector.objects.create(project=project, sector=sector, percentage=100)
        Site.objects.create(project=project, municipality=place, point=place.point, name_en="Pump", name_ar="مضخة")
    return places


def _figures_after(page, before: str) -> str:
    # a selector, not a function: the page's policy forbids evaluating strings
    page.wait_for_selector(f"#municipality-map[data-figures]:not([data-figures='{before}'])[aria-busy='false']")
    return page.get_attribute("#municipality-map", "data-figures")


@pytest.mark.parametrize("language", ["ar", "en"])
def test_an_analyst_colours_the_map_by_usd_per_capita_filters_a_sector_and_opens_a_file(page, live_server, watch,
                                                                                      language):
    from tests.e2e.conftest import screenshot_path

    places = _portfolio()
    sign_in(page, live_server, "analyst")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/municipalities/map/")
    page.wait_for_selector("#municipality-map[data-loaded='3']")
    page.screenshot(path=str(screenshot_path(f"map-{language}")), full_page=True)
    shown = page.get_attribute("#municipality-map", "data-figures")

    page.select_option("#id_measure", "usd_per_capita")
    shown = _figures_after(page, shown)
    assert page.get_attribute("#municipality-map", "data-measure") == "usd_per_capita"
    title = {"ar": "دولار للفرد", "en": "USD per capita"}[language]
    assert page.inner_text("#map-legend-title") == title
    legend_all = page.inner_text("#map-legend")
    projects_all = page.inner_text("#map-summary [data-key='projects'] strong")
    assert projects_all == "2"

    page.select_option("#id_sector", "water")
    shown = _figures_after(page, shown)
    assert "sector=water" in page.url and "measure=usd_per_capita" in page.url
    assert page.inner_text("#map-summary [data-key='projects'] strong") == "1"
    assert page.inner_text("#map-legend") != legend_all
    page.screenshot(path=str(screenshot_path(f"map-usd-per-capita-{language}")), full_page=True)

    page.reload()  # the address holds the view
    page.wait_for_selector("#municipality-map[data-loaded='3']")
    assert page.input_value("#id_measure") == "usd_per_capita" and page.input_value("#id_sector") == "water"
    assert page.inner_text("#map-summary [data-key='projects'] strong") == "1"

    page.check("input[name='layer'][value='sites']")
    page.wait_for_selector("#municipality-map[data-sites='1']", state="attached", timeout=10_000)
    assert page.locator("path.map-site, .marker-cluster").count() >= 1

    page.locator("path.map-area.map-official").click(position={"x": 12, "y": 12})  # beside the site in its middle
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("strong").inner_text() == (places[0].name_ar if language == "ar" else places[0].name_en)
    assert title in popup.inner_text()
    popup.locator("a.map-open-file").click()
    page.wait_for_url(f"{live_server.url}/municipalities/{places[0].slug}/")
    assert watch.problems() == NOTHING_WRONG
