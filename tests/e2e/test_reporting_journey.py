"""A focal point catches up on an overdue report and the ministry accepts it, in a real browser (Arabic pages):
reporting calendar → write the update → attach a PDF → submit → the analyst accepts it from the review
queue → the period is no longer overdue; the analyst reads the partner's scorecard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from projects.reporting.services.periods import reporting_periods_sync
from tests import factories
from tests.e2e.conftest import NOTHING_WRONG, PASSWORD, BrowserLog, sign_in

pytestmark = pytest.mark.django_db(transaction=True)



def _pdf() -> bytes:
    """A minimal valid one-page PDF 1.4: catalog, pages, page, cross-reference table and trailer."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


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
    today = timezone.localdate()
    # Running for about a year and never reported: several quarters overdue, whatever day the tests run.
    project = factories.ProjectFactory(
        reporting_partner=undp, title_ar="إعادة تأهيل مدارس سبها", title_en="Sabha schools rehabilitation",
        status=ActivityStatus.IMPLEMENTATION, state=ReviewState.ACCEPTED, reporting_frequency=3,
        planned_start=today - dt.timedelta(days=400), planned_end=today + dt.timedelta(days=400))
    # Made by a factory, which announces nothing: its stored periods are built here (what seed_demo and
    # `sync_reporting_periods` do for bulk writers). Everything after goes through the services.
    reporting_periods_sync()
    return {"undp": undp, "project": project}


def _overdue_periods(page, project) -> list[tuple[dt.date, dt.date, str]]:
    """The periods of ``project`` the calendar lists as overdue: (start, end, the text shown)."""
    rows = page.locator(f'tr[data-project="{project.pk}"]:has(.badge.text-bg-danger)')
    cells = [rows.nth(i).locator("td").nth(1) for i in range(rows.count())]
    return [(dt.date.fromisoformat(cell.get_attribute("data-start")), dt.date.fromisoformat(cell.get_attribute("data-end")),
             cell.inner_text().strip()) for cell in cells]


def test_a_focal_point_reports_an_overdue_period_and_the_analyst_accepts_it(browser, page, live_server, people):
    project = people["project"]
    watch = BrowserLog(page, live_server)
    sign_in(page, live_server, "undp_fp")
    page.goto(f"{live_server.url}/reporting/")
    assert page.get_attribute("html", "dir") == "rtl"
    overdue = _overdue_periods(page, project)
    assert len(overdue) >= 3  # a year of quarters, the current one not yet due
    start, end, shown = overdue[0]
    assert start == project.planned_start  # the first period starts with the project
    assert shown.startswith("من ") and " إلى " in shown  # a period in words, which cannot flip right-to-left

    row = page.locator(f'tr[data-project="{project.pk}"]:has(.badge.text-bg-danger)').first
    row.locator(f'a[href="/projects/{project.pk}/updates/new/"]').click()
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/updates/new/")
    page.fill("#id_period_start", start.isoformat())
    page.fill("#id_period_end", end.isoformat())
    page.select_option("#id_status", str(ActivityStatus.IMPLEMENTATION))
    page.fill("#id_progress_percent", "35")
    page.fill("#id_spend_to_date", "42000")
    page.fill("#id_beneficiaries_reached", "1800")
    page.fill("#id_narrative", "أعيد تأهيل ثلاث مدارس من أصل ثماني.")
    page.fill("#id_problems", "تأخر توريد المواد بسبب إغلاق الطريق.")
    page.click("form[method=post] button.btn-primary[type=submit]")
    page.wait_for_url(f"{live_server.url}/projects/updates/*/")
    update = ProjectUpdate.objects.get(project=project)
    assert page.url == f"{live_server.url}/projects/updates/{update.pk}/"
    assert (update.state, update.period_start, update.period_end) == (ReviewState.DRAFT, start, end)

    page.click(f'a[href="/reporting/updates/{update.pk}/attachments/"]')
    page.wait_for_url(f"{live_server.url}/reporting/updates/{update.pk}/attachments/")
    page.set_input_files("#id_file", files=[{"name": "تقرير-الربع.pdf", "mimeType": "application/pdf",
                                             "buffer": _pdf()}])
    page.fill("#id_description", "تقرير الربع مع الصور")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("tr[data-attachment]")
    assert page.url == f"{live_server.url}/reporting/updates/{update.pk}/attachments/"
    assert "تقرير-الربع.pdf" in page.inner_text("tr[data-attachment]")
    attachment = update.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.size == len(_pdf())

    page.goto(f"{live_server.url}/projects/updates/{update.pk}/")
    assert "تقرير-الربع.pdf" in page.inner_text("[data-testid=attachments]")
    page.click(f'form[action="/projects/updates/{update.pk}/submit/"] button')
    page.wait_for_selector('[data-state="submitted"]')

    reviewer = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
    analyst = reviewer.new_page()
    analyst_watch = BrowserLog(analyst, live_server)
    try:
        sign_in(analyst, live_server, "analyst")
        analyst.goto(f"{live_server.url}/projects/review/")
        queued = analyst.locator(f'tr.tansiq-review-row[data-kind="update"][data-id="{update.pk}"]')
        assert project.title_ar in queued.inner_text()
        queued.locator("button[name=decision][value=accept]").click()
        # htmx swaps the row for the outcome, without leaving the page.
        analyst.locator(f'tr[data-id="{update.pk}"] [data-testid=review-outcome]').wait_for()
        assert analyst.url == f"{live_server.url}/projects/review/"
        update.refresh_from_db()
        assert update.state == ReviewState.ACCEPTED and update.reviewed_by.username == "analyst"

        analyst.goto(f"{live_server.url}/reporting/scorecards/")
        card = analyst.locator(f'tr[data-partner="{people["undp"].pk}"]')
        assert "برنامج الأمم المتحدة الإنمائي" in card.inner_text() and "UNDP" in card.inner_text()
        cells = [card.locator("td").nth(i).inner_text().strip() for i in range(6)]
        # projects, reports due, on time, late, missing: the caught-up period counts as late
        assert cells[1:6] == ["1", str(len(overdue)), "0", "1", str(len(overdue) - 1)]
    finally:
        reviewer.close()

    page.goto(f"{live_server.url}/reporting/")
    still_overdue = _overdue_periods(page, project)
    assert overdue[0] not in still_overdue and still_overdue == overdue[1:]
    project.refresh_from_db()
    assert project.progress_percent == 35  # the accepted update's figures are the project's now
    assert watch.problems() == NOTHING_WRONG
    assert analyst_watch.problems() == NOTHING_WRONG
