import pytest
from django.contrib.gis.geos import Point

from municipalities.services import municipality_derive_approximate_areas
from tests import factories
from tests.e2e.conftest import PASSWORD, browser_failure, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page, live_server, username="analyst"):
    factories.UserFactory(username=username, password=PASSWORD)
    sign_in(page, live_server, username)


def test_a_user_logs_in_in_arabic_and_switches_to_english(page, live_server):
    _login(page, live_server)
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "لجنة الدعم الدولي"
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator("h1").inner_text() == "International Support Committee"


def test_the_map_draws_municipalities_without_a_tile_server(page, live_server):
    for i in range(4):
        factories.MunicipalityFactory(point=Point(13.0 + i * 0.1, 32.7, srid=4326))
    municipality_derive_approximate_areas()
    failed = []
    page.on("requestfailed", lambda request: browser_failure(request) and failed.append(request.url))
    _login(page, live_server)
    page.goto(f"{live_server.url}/municipalities/map/")
    page.wait_for_selector("#municipality-map[data-loaded]")
    assert page.get_attribute("#municipality-map", "data-loaded") == "4"
    assert page.locator("path.leaflet-interactive").count() == 4
    assert failed == []  # every script, style and layer came from this server
    page.screenshot(path=str(live_server_screenshot_dir() / "map.png"))


def live_server_screenshot_dir():
    from django.conf import settings

    path = settings.VAR_DIR / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path
