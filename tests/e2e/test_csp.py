"""The main pages run in a real browser under the site's Content-Security-Policy without a single violation
(no inline script or style, nothing from another site), and still work: the map draws its layer, the import
job's bar shows its progress, the review queue's buttons answer through htmx, the API docs render."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django_otp.plugins.otp_totp.models import TOTPDevice

from municipalities.services import municipality_derive_approximate_areas
from projects.models import ImportJob, ProjectUpdate, ReviewState
from tests import factories
from tests.e2e.conftest import NOTHING_WRONG, PASSWORD, BrowserLog, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(db):
    from django.contrib.auth.models import Group

    from coordination import roles
    from coordination.models import DuplicateFlag

    roles.roles_sync()
    admin = factories.UserFactory(username="admin", password=PASSWORD, is_staff=True)
    admin.groups.add(Group.objects.get(name=roles.MINISTRY_ADMIN))
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)  # administrators sign in with two factors
    towns = [factories.MunicipalityFactory(point=Point(13.0 + i * 0.1, 32.7, srid=4326)) for i in range(4)]
    municipality_derive_approximate_areas()
    partner = factories.PartnerFactory()
    project = factories.ProjectFactory(reporting_partner=partner, state=ReviewState.SUBMITTED)
    project.locations.create(municipality=towns[0])
    other = factories.ProjectFactory(reporting_partner=partner, state=ReviewState.ACCEPTED)
    DuplicateFlag.objects.create(project_a=project, project_b=other, score=0.9,
                                 kind=DuplicateFlag.Kind.REPORTED_TWICE)
    update = ProjectUpdate.objects.create(project=other, partner=other.reporting_partner, period_start="2025-01-01", period_end="2025-03-31",
                                          progress_percent=10, status=2, state=ReviewState.DRAFT)
    job = ImportJob.objects.create(kind=ImportJob.Kind.SPREADSHEET, status=ImportJob.Status.FAILED,
                                   file="imports/3w.csv", original_name="3w.csv", size=10, sha256="0" * 64,
                                   progress_done=3, progress_total=10, created_by=admin,
                                   error="line one\nline two")
    return {"project": project, "update": update, "job": job}


def _screenshots():
    from django.conf import settings

    path = settings.VAR_DIR / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_main_pages_run_without_a_policy_violation(page, live_server, site, language):
    from django.conf import settings

    watch = BrowserLog(page, live_server)
    page.goto(f"{live_server.url}/accounts/login/")  # before signing in: the login page itself
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    sign_in(page, live_server, "admin")
    pages = ["/", "/municipalities/map/", "/projects/", f"/projects/{site['project'].pk}/", "/projects/new/",
             f"/projects/updates/{site['update'].pk}/", "/projects/review/", "/exchange/",
             f"/exchange/jobs/{site['job'].pk}/", "/reporting/", "/reporting/scorecards/",
             "/coordination/duplicates/", "/projects/api-token/", "/api/docs/"]
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "lang") in (language, None), path  # Swagger UI's page has no lang
        if path == "/municipalities/map/":
            page.wait_for_selector("#municipality-map[data-loaded='4']")
            assert page.locator("path.leaflet-interactive").count() == 4
            page.screenshot(path=str(_screenshots() / f"csp-map-{language}.png"))
        if path.startswith("/exchange/jobs/"):
            bar = page.locator(".progress-bar")
            assert bar.get_attribute("data-percent") == "30"
            width = page.evaluate("getComputedStyle(document.querySelector('.progress-bar')).width")
            track = page.evaluate("getComputedStyle(document.querySelector('.progress')).width")
            assert abs(float(width[:-2]) / float(track[:-2]) - 0.3) < 0.02, (width, track)  # set by import_job.js
            assert page.evaluate("getComputedStyle(document.querySelector('.tansiq-pre-line')).whiteSpace") \
                == "pre-line"
        if path == "/api/docs/":
            page.wait_for_selector(".swagger-ui .opblock-tag", timeout=15_000)
            assert page.locator(".swagger-ui .opblock").count() > 20
            page.locator(".swagger-ui .opblock-summary").first.click()  # an operation opens, its schema drawn
            page.locator(".swagger-ui .opblock-body").first.wait_for()
            page.screenshot(path=str(_screenshots() / f"csp-api-docs-{language}.png"), full_page=False)
    assert watch.problems() == NOTHING_WRONG


def test_the_review_queue_still_answers_through_htmx(page, live_server, site):
    watch = BrowserLog(page, live_server)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/projects/review/")
    form = page.locator("form.tansiq-review-form").first
    form.wait_for()
    assert form.get_attribute("hx-post")
    # htmx is running (its configuration came from the page's meta element, not an injected style)
    assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('head style').length") == 0
    assert watch.problems() == NOTHING_WRONG


def test_a_violation_would_be_seen(page, live_server, site):
    """The collector works: an inline script that the policy blocks is reported."""
    watch = BrowserLog(page, live_server)
    sign_in(page, live_server, "admin")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                           document.body.appendChild(s); }""")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__ran") == "undefined"
    assert any("script-src" in item for item in watch.problems()["csp"]), watch.problems()
