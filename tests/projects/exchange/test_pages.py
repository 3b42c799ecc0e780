"""The exchange pages: upload, the job page with its progress and preview, import and cancel, downloads."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from projects.models import ImportJob, Participation, Partner, Project, ReviewState
from tests.projects.exchange.support import load_reference, sheet_csv, sheet_row, upload

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Status = ImportJob.Status


@pytest.fixture
def p(db):
    load_reference()


@pytest.fixture
def people(p, personas):
    return personas


def _job(user, status=Status.CHECKED, *, partner=None, preview=None) -> ImportJob:
    job = ImportJob(kind="spreadsheet", status=status, partner=partner, original_name="3w.csv", size=3,
                    sha256="0" * 64, created_by=user, preview=preview or {})
    job.file.save(job.sha256, ContentFile(b"abc"), save=False)
    job.save()
    return job


def _upload(client, data: bytes, name="3w.csv", kind="spreadsheet"):
    return client.post(reverse("exchange_home"), {"kind": kind, "file": upload(name, data)})


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("exchange_home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_upload_check_then_import_from_the_pages(client_for, people, client, django_capture_on_commit_callbacks):
    c = client_for(people["ministry_admin"], 'en')
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(c, sheet_csv([sheet_row()]))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import_job_detail", args=[job.pk])

    page = c.get(response["Location"]).content.decode()
    assert 'data-status="checked"' in page and 'data-count="new">1<' in page
    assert reverse("import_job_commit", args=[job.pk]) in page and 'hx-get' not in page  # finished: no polling

    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("import_job_commit", args=[job.pk]))
    assert response.status_code == 302
    page = c.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and "Imported: 1 new projects" in page
    assert Project.objects.get().title_en == "Solar street lights"


@pytest.mark.parametrize(("language", "message"), [
    ("en", "unknown municipality p-code LY999999"), ("ar", "لا توجد بلدية بالرمز المكاني LY999999")])
def test_row_errors_are_shown_in_the_users_language_and_paginated(client_for, people, client, django_capture_on_commit_callbacks,
                                                                   language, message):
    c = client_for(people["ministry_admin"], language)
    rows = [sheet_row(**{"#adm3+code": "LY999999", "#activity+name+i_en": f"Lights {i}"}) for i in range(60)]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(c, sheet_csv(rows))
    job = ImportJob.objects.get()
    assert job.status == Status.INVALID and job.language == language
    page = c.get(reverse("import_job_detail", args=[job.pk])).content.decode()
    assert message in page and page.count("<tr><td>") == 50  # the first page of 60 errors
    assert reverse("import_job_commit", args=[job.pk]) not in page  # errors: no Import button
    second = c.get(reverse("import_job_detail", args=[job.pk]), {"page": 2}).content.decode()
    assert second.count("<tr><td>") == 10
    assert Project.objects.count() == 0


def test_bad_upload_shows_the_reason_on_the_form(client_for, people, client):
    c = client_for(people["ministry_admin"], 'en')
    response = _upload(c, b"%PDF-1.4\x00\x00binary", name="report.csv")
    assert response.status_code == 400
    assert "report.csv is not a CSV or XLSX file." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_progress_polls_while_running_then_reloads(client_for, people, client):
    c = client_for(people["ministry_admin"], 'en')
    job = _job(people["ministry_admin"], Status.IMPORTING)
    ImportJob.objects.filter(pk=job.pk).update(progress_done=30, progress_total=120)
    url = reverse("import_job_progress", args=[job.pk])
    response = c.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert f'hx-get="{url}"' in body and 'aria-valuenow="25"' in body and "HX-Refresh" not in response
    ImportJob.objects.filter(pk=job.pk).update(status=Status.DONE, progress_done=120)
    response = c.get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true" and "hx-get" not in response.content.decode()


def test_focal_points_see_their_partners_jobs_only(client_for, people, client, django_assert_max_num_queries):
    undp_fp, unicef_fp = people["undp_focal_point"], people["unicef_focal_point"]
    mine = [_job(undp_fp, partner=undp_fp.focal_point.partner) for _i in range(3)]
    theirs = _job(unicef_fp, partner=unicef_fp.focal_point.partner)
    c = client_for(undp_fp, 'en')
    with django_assert_max_num_queries(8):
        page = c.get(reverse("exchange_home")).content.decode()
    assert page.count("data-job=") == 3 and f'data-job="{theirs.pk}"' not in page
    assert c.get(reverse("import_job_detail", args=[theirs.pk])).status_code == 404
    assert c.post(reverse("import_job_cancel", args=[theirs.pk])).status_code == 404
    assert c.get(reverse("import_job_detail", args=[mine[0].pk])).status_code == 200


def test_ministry_sees_every_job_with_few_queries(client_for, people, client, django_assert_max_num_queries):
    for persona in ("undp_focal_point", "unicef_focal_point", "ministry_admin"):
        for _i in range(4):
            _job(people[persona])
    c = client_for(people["ministry_analyst"], 'en')
    with django_assert_max_num_queries(8):
        page = c.get(reverse("exchange_home")).content.decode()
    assert page.count("data-job=") == 12
    assert 'type="file"' not in page  # analysts do not import


def test_viewer_cannot_upload(client_for, people, client):
    c = client_for(people["viewer"], 'en')
    assert _upload(c, sheet_csv([sheet_row()])).status_code == 403
    assert ImportJob.objects.count() == 0


def test_cancel_from_the_page(client_for, people, client):
    job = _job(people["ministry_admin"], Status.CHECKED, preview={"rows": 1, "new": 1, "error_count": 0})
    c = client_for(people["ministry_admin"], 'en')
    page = c.get(reverse("import_job_detail", args=[job.pk])).content.decode()
    assert reverse("import_job_cancel", args=[job.pk]) in page
    c.post(reverse("import_job_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Status.CANCELLED


def test_downloads_respect_the_users_scope(client_for, people, client):
    undp = Partner.objects.get(acronym="UNDP")
    unicef = Partner.objects.get(acronym="UNICEF")
    Project.objects.create(reporting_partner=undp, title_en="UNDP draft", state=ReviewState.DRAFT)
    Project.objects.create(reporting_partner=unicef, title_en="UNICEF draft", state=ReviewState.DRAFT)
    accepted = Project.objects.create(reporting_partner=unicef, title_en="UNICEF accepted", state=ReviewState.ACCEPTED,
                                      planned_start="2025-01-01")
    Participation.objects.create(project=accepted, partner=unicef, role=4)
    c = client_for(people["undp_focal_point"], 'en')

    template = c.get(reverse("exchange_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = c.get(reverse("exchange_3w"), {"format": "csv"}).getvalue().decode("utf-8-sig")
    assert "#org+impl" in sheet and "UNDP draft" in sheet
    assert "UNICEF accepted" not in sheet  # a focal point's download: their own partner's, unless they ask for more
    more = c.get(reverse("exchange_3w"), {"format": "csv", "scope": "all"}).getvalue().decode("utf-8-sig")
    assert "UNDP draft" in more and "UNICEF accepted" in more and "UNICEF draft" not in more
    assert c.get(reverse("exchange_3w"), {"format": "pdf"}).status_code == 400
    xlsx = c.get(reverse("exchange_3w"), {"format": "xlsx"})
    assert xlsx.getvalue()[:2] == b"PK"

    assert c.get(reverse("exchange_iati")).status_code == 302  # their own: UNDP's draft has no start date
    xml = c.get(reverse("exchange_iati"), {"scope": "all"})
    assert xml.status_code == 200 and b"UNICEF accepted" in xml.getvalue() and b"UNDP draft" not in xml.getvalue()
    empty = c.get(reverse("exchange_iati"), {"partner": "XM-DAC-41114"})  # UNDP's draft has no start date
    assert empty.status_code == 302


def test_3w_download_follows_the_project_lists_filters(client_for, people, client):
    undp = Partner.objects.get(acronym="UNDP")
    unicef = Partner.objects.get(acronym="UNICEF")
    for partner, title in ((undp, "Water network"), (unicef, "Water trucking"), (unicef, "School repair")):
        project = Project.objects.create(reporting_partner=partner, title_en=title, state=ReviewState.ACCEPTED)
        Participation.objects.create(project=project, partner=partner, role=4)
    c = client_for(people["ministry_analyst"], 'en')

    listing = c.get(reverse("project_list"), {"q": "water", "partner": unicef.pk})
    assert listing.status_code == 200
    links = listing.content.decode()
    assert f"q=water&amp;partner={unicef.pk}&amp;format=xlsx" in links  # the links carry the current filters

    sheet = c.get(reverse("exchange_3w"), {"q": "water", "partner": unicef.pk, "format": "csv"})
    text = sheet.getvalue().decode("utf-8-sig")
    assert "Water trucking" in text and "Water network" not in text and "School repair" not in text
    everything = c.get(reverse("exchange_3w"), {"format": "csv"}).getvalue().decode("utf-8-sig")
    assert all(title in everything for title in ("Water network", "Water trucking", "School repair"))
    # a bad filter value is left out rather than failing the download
    assert "School repair" in c.get(reverse("exchange_3w"), {"sector": "nope", "format": "csv"}).getvalue().decode(
        "utf-8-sig")
