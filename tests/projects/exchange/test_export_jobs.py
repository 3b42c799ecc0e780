"""Exports that stream, and large ones as jobs: the page and the API hand over a job with progress and a
download link; the file is for whoever asked (and the site's staff); the worker reads the projects through
the same rule as a download."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from municipalities.models import Municipality
from projects.exchange.selectors import threew
from projects.exchange.selectors.threew import threew_csv, threew_queryset
from projects.exchange.services.exports import export_job_run, export_jobs_expire
from projects.models import ExportJob, Participation, Partner, Project, ProjectLocation, ReviewState
from tests import factories
from tests.projects.exchange.support import load_reference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def people(db, personas):
    load_reference()
    return personas


@pytest.fixture
def portfolio(people):
    undp, unicef = Partner.objects.get(acronym="UNDP"), Partner.objects.get(acronym="UNICEF")
    made = {}
    for partner, state, title in ((undp, ReviewState.DRAFT, "UNDP draft"), (unicef, ReviewState.DRAFT, "UNICEF draft"),
                                  (unicef, ReviewState.ACCEPTED, "UNICEF schools"),
                                  (undp, ReviewState.ACCEPTED, "UNDP lights")):
        project = Project.objects.create(reporting_partner=partner, title_en=title, state=state,
                                         planned_start="2025-01-01")
        Participation.objects.create(project=project, partner=partner, role=4)
        made[title] = project
    return made


@pytest.fixture
def small_limit(settings):
    settings.TANSIQ_EXPORT_BACKGROUND_PROJECTS = 1


def _titles(data: bytes) -> set[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    column = rows[2].index("#activity+name+i_en")
    return {row[column] for row in rows[3:]}


def test_a_large_export_on_the_page_is_a_job_with_progress_and_a_download(portfolio, small_limit, client_for,
                                                                          django_capture_on_commit_callbacks):
    c = client_for("ministry_analyst", "en")
    page = c.get(reverse("exchange_3w"), {"format": "csv", "q": "UN"})
    assert page.status_code == 200 and b'id="export-start"' in page.content  # no file written in the request
    with django_capture_on_commit_callbacks(execute=True):
        started = c.post(reverse("export_job_request"), {"format": "csv", "query": "format=csv&q=UN"})
    job = ExportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("export_job_detail", args=[job.pk])
    assert job.status == ExportJob.Status.DONE and (job.progress_done, job.progress_total) == (2, 2)
    detail = c.get(reverse("export_job_detail", args=[job.pk]))
    assert reverse("export_job_download", args=[job.pk]).encode() in detail.content
    download = c.get(reverse("export_job_download", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"
    assert _titles(download.getvalue()) == {"UNICEF schools", "UNDP lights"}  # accepted ones only, for the analyst


def test_a_jobs_file_is_for_whoever_asked_and_the_staff(portfolio, small_limit, client_for, people):
    job = ExportJob.objects.create(format="csv", requested_by=people["undp_focal_point"])
    export_job_run(job.pk)
    urls = [reverse(name, args=[job.pk]) for name in ("export_job_detail", "export_job_progress", "export_job_download")]
    for persona in ("unicef_focal_point", "ministry_analyst"):
        c, api = client_for(persona, "en"), client_for(persona, "en", api=True)
        assert [c.get(url).status_code for url in urls] == [404, 404, 404]
        assert api.get(f"/api/v1/exports/jobs/{job.pk}/download/").status_code == 404
        assert api.get("/api/v1/exports/jobs/").json()["count"] == 0
    assert client_for(None, "en").get(urls[2]).status_code == 302  # to the sign-in page
    owner = client_for("undp_focal_point", "en")
    assert _titles(owner.get(urls[2]).getvalue()) == {"UNDP draft", "UNDP lights"}  # their own partner's
    assert client_for("ministry_admin", "en").get(urls[2]).status_code == 200  # the site's staff


def test_the_worker_reads_the_requesters_scope(portfolio, people):
    def written(**parameters) -> set[str]:
        job = ExportJob.objects.create(format="csv", requested_by=people["undp_focal_point"], parameters=parameters)
        job = export_job_run(job.pk)
        with job.file.open("rb") as fh:
            return _titles(fh.read())

    assert written() == {"UNDP draft", "UNDP lights"}
    assert written(everything=True) == {"UNDP draft", "UNDP lights", "UNICEF schools"}  # never another's draft
    assert written(everything=True, filters={"q": "schools"}) == {"UNICEF schools"}
    job = ExportJob.objects.create(format="csv", requested_by=people["undp_focal_point"])
    assert export_job_run(job.pk).status == ExportJob.Status.DONE
    assert export_job_run(job.pk) is None  # a task delivered twice does nothing the second time


def test_the_api_answers_a_large_export_with_a_job(portfolio, small_limit, client_for):
    api = client_for("ministry_analyst", "en", api=True)
    first = api.get("/api/v1/exports/3w/", {"format": "xlsx"})
    assert first.status_code == 202 and first.json()["status"] == "queued" and first.json()["download_url"] is None
    assert first["Location"] == f"/api/v1/exports/jobs/{first.json()['id']}/"
    again = api.get("/api/v1/exports/3w/", {"format": "xlsx"})
    assert again.json()["id"] == first.json()["id"]  # the same export, still queued: the same job
    export_job_run(first.json()["id"])
    done = api.get(first["Location"]).json()
    assert done["status"] == "done" and done["percent"] == 100 and done["size"] > 0
    assert api.get(done["download_url"]).getvalue()[:2] == b"PK"

    iati = api.post("/api/v1/exports/jobs/", {"format": "iati"}, format="json")
    assert iati.status_code == 202
    export_job_run(iati.json()["id"])
    xml = api.get(f"/api/v1/exports/jobs/{iati.json()['id']}/download/")
    assert xml["Content-Type"] == "application/xml" and b"UNICEF schools" in xml.getvalue()
    assert api.post("/api/v1/exports/jobs/", {"format": "pdf"}, format="json").status_code == 400


def test_small_exports_stream_and_their_queries_do_not_grow_with_the_projects(people, client_for):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            text = threew_csv(threew_queryset())
        assert text.count("\n") == 3 + Project.objects.filter(state=ReviewState.ACCEPTED).count()
        return len(ctx.captured_queries)

    municipality = Municipality.objects.filter(pcode__isnull=False).first()
    for _ in range(3):
        project = factories.ProjectFactory(state=ReviewState.ACCEPTED)
        ProjectLocation.objects.create(project=project, municipality=municipality)
    few = queries()
    for _ in range(9):
        factories.ProjectFactory(state=ReviewState.ACCEPTED)
    assert queries() == few
    response = client_for("ministry_analyst", "en").get(reverse("exchange_3w"), {"format": "csv"})
    assert response.streaming and len(_titles(response.getvalue())) == 12


def test_chunks_read_the_projects_a_few_hundred_at_a_time(people, monkeypatch):
    for _ in range(5):
        factories.ProjectFactory(state=ReviewState.ACCEPTED)
    with CaptureQueriesContext(connection) as whole:
        threew_csv(threew_queryset())
    monkeypatch.setattr(threew, "CHUNK", 2)
    with CaptureQueriesContext(connection) as chunked:
        chunked_text = threew_csv(threew_queryset())
    assert chunked_text == threew_csv(threew_queryset())
    # three chunks instead of one: the prefetches run once per chunk, never once per project
    assert len(whole.captured_queries) < len(chunked.captured_queries) < len(whole.captured_queries) + 5 * 5


def _finished_job(people, *, hours_ago: float) -> ExportJob:
    job = export_job_run(ExportJob.objects.create(format="csv", requested_by=people["ministry_analyst"]).pk)
    assert job.status == ExportJob.Status.DONE and default_storage.exists(job.file.name)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(hours=hours_ago))
    return job


def test_finished_jobs_are_removed_with_their_files_after_the_retention(portfolio, people, settings):
    settings.TANSIQ_EXPORT_KEEP_HOURS = 24
    old, recent = _finished_job(people, hours_ago=25), _finished_job(people, hours_ago=23)
    failed = ExportJob.objects.create(format="iati", requested_by=people["ministry_analyst"],
                                      status=ExportJob.Status.FAILED, error="x",
                                      finished_at=timezone.now() - dt.timedelta(hours=30))
    result = export_jobs_expire()
    assert (result.removed, result.failed) == (2, 0)
    assert not default_storage.exists(old.file.name) and default_storage.exists(recent.file.name)
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent.pk}
    assert not ExportJob.objects.filter(pk=failed.pk).exists()
    assert export_jobs_expire().removed == 0  # safe to run again


def test_jobs_left_by_a_dead_worker_are_marked_failed(people, settings):
    settings.TANSIQ_EXPORT_STALE_MINUTES = 60
    now = timezone.now()
    user = people["ministry_analyst"]
    stuck_running = ExportJob.objects.create(format="csv", requested_by=user, status=ExportJob.Status.RUNNING,
                                             started_at=now - dt.timedelta(minutes=61), language="en")
    stuck_queued = ExportJob.objects.create(format="xlsx", requested_by=user, language="ar")
    ExportJob.objects.filter(pk=stuck_queued.pk).update(created_at=now - dt.timedelta(minutes=90))
    working = ExportJob.objects.create(format="iati", requested_by=user, status=ExportJob.Status.RUNNING,
                                       started_at=now - dt.timedelta(minutes=59))
    assert export_jobs_expire(now=now).failed == 2
    by_pk = {job.pk: job for job in ExportJob.objects.all()}
    assert by_pk[working.pk].status == ExportJob.Status.RUNNING
    for stuck in (stuck_running, stuck_queued):
        assert by_pk[stuck.pk].status == ExportJob.Status.FAILED and by_pk[stuck.pk].finished_at == now
    assert "background worker" in by_pk[stuck_running.pk].error  # in the language the export was asked in
    assert "background worker" not in by_pk[stuck_queued.pk].error and by_pk[stuck_queued.pk].error
    assert export_jobs_expire(now=now).failed == 0  # safe to run again


def test_a_worker_that_finishes_after_the_sweep_leaves_the_job_failed_and_no_file(portfolio, people, monkeypatch):
    from projects.exchange.selectors import export_writers

    job = ExportJob.objects.create(format="csv", requested_by=people["ministry_analyst"])
    write = export_writers.WRITERS["csv"]

    def slow_writer(projects, out, progress=None):
        write(projects, out, progress=progress)
        # meanwhile the sweep took the job for abandoned
        assert export_jobs_expire(now=timezone.now() + dt.timedelta(days=1)).failed == 1

    monkeypatch.setitem(export_writers.WRITERS, "csv", slow_writer)
    before = _stored_files()
    result = export_job_run(job.pk)
    assert result.status == ExportJob.Status.FAILED and not result.file
    assert _stored_files() == before  # the file it wrote was removed


def _stored_files(folder: str = "exports") -> set[str]:
    if not default_storage.exists(folder):
        return set()
    folders, files = default_storage.listdir(folder)
    return {f"{folder}/{name}" for name in files} | {
        path for sub in folders for path in _stored_files(f"{folder}/{sub}")}


def test_the_expiry_runs_nightly():
    from django.conf import settings

    from projects.exchange.tasks import export_jobs_expire as task

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert task.name in schedule
