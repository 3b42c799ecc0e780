"""A UNDP focal point edits their project: adds a participating partner's role and a site typed as
coordinates, saves, and sees the site on the project's map; another partner's draft stays out of their sight.
Screenshots: project-list-ar/en, project-detail-ar/en, project-form-ar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests import factories
from tests.e2e.conftest import NOTHING_WRONG, screenshot_path, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _portfolio(undp, unicef):
    from projects.models import ExchangeRate, ReviewState

    water = factories.SectorFactory(code="water", name_en="Water and sanitation", name_ar="المياه والإصحاح")
    town = factories.MunicipalityFactory(name_en="Zawiya", name_ar="الزاوية", slug="zawiya")
    ExchangeRate.objects.create(currency="EUR", year=2025, usd_per_unit=Decimal("1.10"))
    ours = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED, title_ar="شبكة مياه الزاوية",
                                    title_en="Zawiya water network", budget=Decimal("450000"), currency="EUR",
                                    planned_start=dt.date(2025, 2, 1), planned_end=dt.date(2026, 7, 31))
    ours.sector_shares.create(sector=water, percentage=Decimal("100"))
    ours.locations.create(municipality=town)
    theirs = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.DRAFT,
                                      title_ar="مسودة اليونيسف المخفية", title_en="UNICEF hidden draft")
    theirs.sector_shares.create(sector=water, percentage=Decimal("100"))
    theirs.locations.create(municipality=town)
    return ours, theirs


def test_a_focal_point_adds_a_site_and_a_partner_role_and_sees_them_on_the_map(page, live_server, watch, personas,
                                                                                undp, unicef):
    ours, theirs = _portfolio(undp, unicef)
    sign_in(page, live_server, "undp_fp")

    page.goto(f"{live_server.url}/projects/?scope=all&sort=title")
    assert page.get_attribute("html", "dir") == "rtl"
    table = page.inner_text("[data-testid=project-table]")
    assert "شبكة مياه الزاوية" in table and "450,000 يورو" in table and "495,000 دولار أمريكي" in table
    assert "مسودة اليونيسف المخفية" not in table  # another partner's draft
    page.screenshot(path=str(screenshot_path("project-list-ar")), full_page=True)

    page.click(f"tr[data-project='{ours.pk}'] a")
    page.wait_for_selector("#project-map[data-loaded]")
    page.wait_for_selector("[data-testid=project-flags]")  # the htmx fragment arrived
    assert page.get_attribute("#project-map", "data-sites") == "0"
    page.click("[data-testid=actions] a[href$='/edit/']")
    page.wait_for_selector("#site-picker[data-loaded]")
    page.select_option("#id_partners-0-partner", str(unicef.pk))
    page.select_option("#id_partners-0-role", "1")  # funding
    page.fill("#id_sites-0-name_ar", "خزان المياه الرئيسي")
    page.fill("#id_sites-0-lat", "32.7571")
    page.fill("#id_sites-0-lon", "12.7278")
    page.dispatch_event("#id_sites-0-lon", "change")
    assert page.get_attribute("#site-picker", "data-points") == "1"  # the typed point is drawn
    page.screenshot(path=str(screenshot_path("project-form-ar")), full_page=True)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/projects/{ours.pk}/")

    page.wait_for_selector("#project-map[data-loaded]")
    assert page.get_attribute("#project-map", "data-sites") == "1"
    assert page.locator("#project-map path.tansiq-project-site").count() == 1  # the site, drawn on the map
    assert "خزان المياه الرئيسي" in page.inner_text("[data-testid=site]")
    assert "UNICEF" in page.inner_text("[data-testid=participation]")
    page.wait_for_selector("[data-testid=project-flags]")
    page.screenshot(path=str(screenshot_path("project-detail-ar")), full_page=True)

    page.click("button[name=language][value=en]")
    page.wait_for_selector("#project-map[data-loaded]")
    page.wait_for_selector("[data-testid=project-flags]")
    assert page.get_attribute("html", "dir") == "ltr"
    assert "Funding" in page.inner_text("[data-testid=participation]")
    assert "EUR 450,000" in page.inner_text("[data-testid=budget]")
    page.screenshot(path=str(screenshot_path("project-detail-en")), full_page=True)
    page.goto(f"{live_server.url}/projects/?scope=all&sort=-budget")
    assert "UNICEF hidden draft" not in page.inner_text("[data-testid=project-table]")
    page.screenshot(path=str(screenshot_path("project-list-en")), full_page=True)
    assert watch.problems() == NOTHING_WRONG

    response = page.goto(f"{live_server.url}/projects/{theirs.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/projects/{theirs.pk}/flags/")
    assert response.status == 404
