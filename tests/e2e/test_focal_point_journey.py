"""A focal point reports a project and the ministry reviews it, in a real browser (Arabic pages):
create → submit → returned with a comment → fixed and resubmitted → accepted."""

from __future__ import annotations

import pytest

from projects.models import Project, ReviewState
from tests import factories
from tests.e2e.conftest import PASSWORD, browser_failure, sign_in

pytestmark = pytest.mark.django_db(transaction=True)



@pytest.fixture
def people(db):
    from django.contrib.auth.models import Group

    from coordination import roles

    roles.roles_sync()
    undp = factories.PartnerFactory(acronym="UNDP", name_en="United Nations Development Programme",
                                    name_ar="برنامج الأمم المتحدة الإنمائي", iati_ref="XM-DAC-41114")
    focal_point = factories.UserFactory(username="undp_fp", password=PASSWORD)
    focal_point.groups.add(Group.objects.get(name=roles.FOCAL_POINT))
    factories.FocalPointFactory(user=focal_point, partner=undp)
    analyst = factories.UserFactory(username="analyst", password=PASSWORD)
    analyst.groups.add(Group.objects.get(name=roles.MINISTRY_ANALYST))
    sector = factories.SectorFactory(code="water", name_en="Water", name_ar="المياه")
    town = factories.MunicipalityFactory(name_en="Zawiya", name_ar="الزاوية")
    return {"undp": undp, "sector": sector, "town": town}


def _review_from_the_queue(page, live_server, project, decision, comment=""):
    page.goto(f"{live_server.url}/projects/review/")
    row = page.locator(f'tr.tansiq-review-row[data-kind="project"][data-id="{project.pk}"]')
    if comment:
        row.locator("textarea[name=comment]").fill(comment)
    row.locator(f"button[name=decision][value={decision}]").click()
    # htmx swaps the row for the outcome, without leaving the page.
    page.locator(f'tr[data-id="{project.pk}"] [data-testid=review-outcome]').wait_for()
    assert page.url == f"{live_server.url}/projects/review/"


def test_a_focal_point_reports_a_project_and_the_analyst_returns_then_accepts_it(browser, page, live_server, people):
    failed = []
    page.on("requestfailed", lambda request: browser_failure(request) and failed.append(request.url))
    sign_in(page, live_server, "undp_fp")
    assert page.get_attribute("html", "dir") == "rtl"

    page.goto(f"{live_server.url}/projects/new/")
    page.fill("#id_title_ar", "شبكة مياه الزاوية")
    page.fill("#id_title_en", "Zawiya water network")
    page.select_option("#id_status", "2")
    page.fill("#id_budget", "250000")
    page.select_option("#id_sectors-0-sector", str(people["sector"].pk))
    page.fill("#id_sectors-0-percentage", "100")
    page.select_option("#id_places-0-municipality", str(people["town"].pk))
    page.click("form[method=post] button.btn-primary[type=submit]")
    page.wait_for_url(f"{live_server.url}/projects/*/")
    project = Project.objects.get(title_en="Zawiya water network")
    assert project.reporting_partner == people["undp"] and project.state == ReviewState.DRAFT

    page.click(f'form[action="/projects/{project.pk}/submit/"] button')
    page.wait_for_selector('[data-state="submitted"]')

    reviewer = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
    analyst = reviewer.new_page()
    try:
        sign_in(analyst, live_server, "analyst")
        _review_from_the_queue(analyst, live_server, project, "return", comment="أضيفوا البلديات الأخرى.")
        project.refresh_from_db()
        assert project.state == ReviewState.RETURNED

        page.goto(f"{live_server.url}/projects/{project.pk}/")
        assert "أضيفوا البلديات الأخرى." in page.inner_text("[data-testid=review-comment]")
        assert "analyst" in page.inner_text("[data-testid=history]")
        page.click(f'a[href="/projects/{project.pk}/edit/"]')
        page.fill("#id_title_en", "Zawiya water network, phase 1")
        page.click("form[method=post] button.btn-primary[type=submit]")
        page.wait_for_url(f"{live_server.url}/projects/{project.pk}/")
        page.click(f'form[action="/projects/{project.pk}/submit/"] button')
        page.wait_for_selector('[data-state="submitted"]')

        _review_from_the_queue(analyst, live_server, project, "accept")
    finally:
        reviewer.close()
    project.refresh_from_db()
    assert project.state == ReviewState.ACCEPTED and project.title_en == "Zawiya water network, phase 1"
    assert project.reviewed_by.username == "analyst"
    assert failed == []  # every script and style came from this server
