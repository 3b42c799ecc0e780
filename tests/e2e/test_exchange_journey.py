"""A UNDP focal point exchanges a 3W sheet with the ministry, in a real browser (Arabic pages):
download the template → upload a sheet with a bad row → read the row's error → upload the fixed sheet →
read the preview → import → the projects wait for the ministry's review. And the job page follows a job
still in the queue with htmx until it has been checked."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from projects.models import ImportJob, Partner, Project, ReviewState
from tests import factories
from tests.e2e.conftest import NOTHING_WRONG, PASSWORD, sign_in
from tests.projects.exchange.support import load_reference, sheet_csv, sheet_row

pytestmark = pytest.mark.django_db(transaction=True)

CSV = "text/csv"


@pytest.fixture
def people(db):
    from django.contrib.auth.models import Group

    from coordination import roles

    load_reference()  # UNDP, the municipalities and their p-codes, as an import reads them
    roles.roles_sync()
    undp = Partner.objects.get(iati_ref="XM-DAC-41114")
    focal_point = factories.UserFactory(username="undp_fp", password=PASSWORD)
    focal_point.groups.add(Group.objects.get(name=roles.FOCAL_POINT))
    factories.FocalPointFactory(user=focal_point, partner=undp)
    return {"undp": undp, "focal_point": focal_point}


def _upload(page, live_server, name: str, data: bytes) -> ImportJob:
    page.goto(f"{live_server.url}/exchange/")
    page.select_option("#id_kind", "spreadsheet")
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": CSV, "buffer": data}])
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/exchange/jobs/*/")
    job = ImportJob.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    assert job.original_name == name
    return job


def _template_rows(download) -> list[list[str | None]]:
    from openpyxl import load_workbook

    data = Path(download.path()).read_bytes()
    assert data[:2] == b"PK"  # a zip, as every XLSX is
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_a_focal_point_fixes_a_3w_sheet_and_imports_it_for_review(page, live_server, people, watch):
    from projects.exchange.selectors.threew import COLUMNS

    sign_in(page, live_server, "undp_fp")
    page.goto(f"{live_server.url}/exchange/")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    assert page.locator("h1").inner_text() == "تبادل البيانات"

    with page.expect_download() as info:
        page.click('a[href="/exchange/template.xlsx"]')
    download = info.value
    assert download.suggested_filename == "tansiq-3w-template.xlsx" and download.failure() is None
    rows = _template_rows(download)
    assert rows[0] == [c[0] for c in COLUMNS] and rows[1] == [c[1] for c in COLUMNS]
    assert rows[2] == [c[2] for c in COLUMNS]  # the HXL hashtag row, as HXL tools look for it
    assert all(value is None for row in rows[3:] for value in row)  # no data: a sheet to fill in

    good = sheet_row()
    bad = sheet_row(**{"#activity+name+i_en": "Water network", "#activity+name+i_ar": "شبكة المياه",
                       "#adm3+code": "LY999999"})
    job = _upload(page, live_server, "3w-undp.csv", sheet_csv([good, bad]))
    assert page.locator("[data-status]").get_attribute("data-status") == "invalid"
    assert page.locator("#job-progress").get_attribute("hx-get") is None  # finished: nothing to poll
    assert page.inner_text("[data-count=errors]") == "1"
    errors = page.locator("table[aria-describedby=preview-title] tbody tr")
    assert errors.count() == 1
    assert "لا توجد بلدية بالرمز المكاني LY999999" in errors.first.inner_text()
    assert "#adm3+code" in errors.first.locator("code").inner_text()
    assert page.locator(f'form[action="/exchange/jobs/{job.pk}/commit/"]').count() == 0  # no Import with errors
    assert Project.objects.count() == 0

    fixed = bad | {"#adm3+code": "LY021104"}
    job = _upload(page, live_server, "3w-undp-fixed.csv", sheet_csv([good, fixed]))
    assert page.locator("[data-status]").get_attribute("data-status") == "checked"
    counts = {name: page.inner_text(f"[data-count={name}]") for name in ("new", "changed", "unchanged", "errors")}
    assert counts == {"new": "2", "changed": "0", "unchanged": "0", "errors": "0"}
    assert Project.objects.count() == 0  # the check saves nothing

    page.click(f'form[action="/exchange/jobs/{job.pk}/commit/"] button[type=submit]')
    page.wait_for_url(f"{live_server.url}/exchange/jobs/{job.pk}/")
    page.wait_for_selector('[data-status="done"]')
    assert "2" in page.inner_text(".alert-success[role=status]")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.partner == people["undp"]

    projects = {p.title_en: p for p in Project.objects.all()}
    assert set(projects) == {"Solar street lights", "Water network"}
    for project in projects.values():
        assert project.reporting_partner == people["undp"] and project.state == ReviewState.SUBMITTED

    page.goto(f"{live_server.url}/projects/")
    for project in projects.values():
        row = page.locator(f'tr[data-project="{project.pk}"]')
        assert row.locator('[data-state="submitted"]').count() == 1
        assert project.title_ar in row.inner_text()  # Arabic titles on the Arabic page

    page.goto(f"{live_server.url}/exchange/")
    assert page.locator("tr[data-job]").count() == 2  # both uploads, the invalid one kept for the record
    assert watch.problems() == NOTHING_WRONG


def test_the_job_page_follows_a_queued_job_until_it_is_checked(page, live_server, people, watch):
    from django.core.files.base import ContentFile

    data = sheet_csv([sheet_row()])
    job = ImportJob(kind=ImportJob.Kind.SPREADSHEET, status=ImportJob.Status.QUEUED, partner=people["undp"],
                    original_name="3w-large.csv", size=len(data), sha256="0" * 64, created_by=people["focal_point"],
                    language="ar", preview={"estimated_rows": 1})
    job.file.save(job.sha256, ContentFile(data), save=False)
    job.save()  # as a large file waits for the worker (which the tests do not run)

    sign_in(page, live_server, "undp_fp")
    progress_url = f"/exchange/jobs/{job.pk}/progress/"
    page.goto(f"{live_server.url}/exchange/jobs/{job.pk}/")
    assert page.get_attribute("#job-progress", "hx-get") == progress_url
    assert page.locator("[data-status]").get_attribute("data-status") == "queued"
    with page.expect_response(lambda r: urlsplit(r.url).path == progress_url, timeout=10_000) as polled:
        pass  # htmx asks every 2 s
    assert polled.value.status == 200 and polled.value.request.headers.get("hx-request") == "true"
    assert page.get_attribute("#job-progress", "hx-get") == progress_url  # still queued: still polling

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CHECKED,
        preview={"rows": 1, "new": 1, "changed": 0, "unchanged": 0, "error_count": 0, "errors": []})
    # The next poll answers HX-Refresh: the whole page reloads with the preview and without polling.
    page.wait_for_selector('[data-status="checked"]', timeout=10_000)
    page.wait_for_load_state()
    assert page.get_attribute("#job-progress", "hx-get") is None
    assert page.inner_text("[data-count=new]") == "1"
    assert page.locator(f'form[action="/exchange/jobs/{job.pk}/commit/"]').count() == 1
    assert watch.problems() == NOTHING_WRONG
