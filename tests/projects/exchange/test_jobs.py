"""Import jobs: upload → check (a preview in the job's language) → commit, all or nothing, and who may do what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from projects.exchange import tasks
from projects.exchange.services import jobs
from projects.exchange.services.jobs import import_job_cancel, import_job_commit, import_job_create
from projects.exchange.services.progress import JobProgress
from projects.models import ImportJob, Partner, Project, ReviewState
from tests.projects.exchange.support import CH4_SAMPLE, load_reference, sheet_csv, sheet_row, upload

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Status = ImportJob.Status


@pytest.fixture
def people(db):
    load_reference()  # before the personas, so that they report for the reference partners


@pytest.fixture
def p(people, personas):
    return personas


def _sheet(*rows: dict[str, str]) -> bytes:
    return sheet_csv(list(rows))


def _good_sheet() -> bytes:
    return _sheet(sheet_row(), sheet_row(**{"#adm3+code": "LY021103"}),
                  sheet_row(**{"#activity+name+i_en": "Clinic repairs", "#activity+name+i_ar": "ترميم العيادة"}))


def _bad_sheet() -> bytes:
    return _sheet(sheet_row(), sheet_row(**{"#activity+name+i_en": "Clinic", "#adm3+code": "LY999999",
                                            "#date+start": "someday"}))


def _create(user, data: bytes, *, kind="spreadsheet", name="3w.csv", language="en", capture=None) -> ImportJob:
    if capture is None:
        job = import_job_create(user=user, kind=kind, upload=upload(name, data), language=language)
    else:
        with capture(execute=True):
            job = import_job_create(user=user, kind=kind, upload=upload(name, data), language=language)
    job.refresh_from_db()
    return job


def _commit(job, user, capture) -> ImportJob:
    with capture(execute=True):
        import_job_commit(job=job, user=user)
    job.refresh_from_db()
    return job


def test_upload_check_commit_creates_the_projects(p, django_capture_on_commit_callbacks):
    job = _create(p["ministry_admin"], _good_sheet(), capture=django_capture_on_commit_callbacks)
    assert job.status == Status.CHECKED, job.preview
    assert (job.preview["rows"], job.preview["new"], job.preview["changed"], job.preview["unchanged"]) == (3, 2, 0, 0)
    assert job.preview["errors"] == [] and Project.objects.count() == 0  # the check writes nothing
    assert job.partner is None and job.sha256 and job.size == len(_good_sheet())

    job = _commit(job, p["ministry_admin"], django_capture_on_commit_callbacks)
    assert job.status == Status.DONE, job.error
    assert job.result["new"] == 2 and job.result["committed_by"] == p["ministry_admin"].pk
    lights = Project.objects.get(title_en="Solar street lights")
    assert set(lights.municipalities.values_list("pcode", flat=True)) == {"LY021104", "LY021103"}
    assert lights.state == ReviewState.ACCEPTED and lights.reporting_partner.acronym == "UNDP"
    assert job.progress_done == job.progress_total == 6  # rows checked, then rows saved


def test_reupload_of_the_same_file_changes_nothing(p, django_capture_on_commit_callbacks):
    first = _create(p["ministry_admin"], _good_sheet(), capture=django_capture_on_commit_callbacks)
    _commit(first, p["ministry_admin"], django_capture_on_commit_callbacks)
    history = Project.history.count()

    again = _create(p["ministry_admin"], _good_sheet(), capture=django_capture_on_commit_callbacks)
    assert again.sha256 == first.sha256
    assert (again.preview["new"], again.preview["changed"], again.preview["unchanged"]) == (0, 0, 2)
    again = _commit(again, p["ministry_admin"], django_capture_on_commit_callbacks)
    assert (again.result["new"], again.result["changed"], again.result["unchanged"]) == (0, 0, 2)
    assert Project.objects.count() == 2 and Project.history.count() == history


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "unknown municipality p-code LY999999"),
    ("ar", "لا توجد بلدية بالرمز المكاني LY999999"),
])
def test_row_errors_in_the_jobs_language_and_no_commit(p, django_capture_on_commit_callbacks, language, expected):
    job = _create(p["ministry_admin"], _bad_sheet(), language=language, capture=django_capture_on_commit_callbacks)
    assert job.status == Status.INVALID
    assert job.preview["error_count"] == len(job.preview["errors"]) == 2
    by_column = {e["column"]: e for e in job.preview["errors"]}
    assert by_column["#adm3+code"]["row"] == 4  # labels, hashtags, the good row, then this one
    assert by_column["#adm3+code"]["message"] == expected
    with pytest.raises(ValidationError):
        import_job_commit(job=job, user=p["ministry_admin"])
    job.refresh_from_db()
    assert job.status == Status.INVALID and Project.objects.count() == 0


def test_focal_point_cannot_import_another_partners_rows(p, django_capture_on_commit_callbacks):
    sheet = _sheet(sheet_row(), sheet_row(**{"#org+reporting": "UNICEF", "#activity+name+i_en": "Schools"}))
    job = _create(p["undp_focal_point"], sheet, capture=django_capture_on_commit_callbacks)
    assert job.partner.acronym == "UNDP"
    assert job.status == Status.INVALID
    [error] = job.preview["errors"]
    assert (error["row"], error["column"]) == (4, "#org+reporting") and "UNICEF" in error["message"]

    # their own rows go through, and to the ministry's review
    job = _create(p["undp_focal_point"], _sheet(sheet_row(**{"#org+reporting": ""})),
                  capture=django_capture_on_commit_callbacks)
    assert job.status == Status.CHECKED, job.preview
    job = _commit(job, p["undp_focal_point"], django_capture_on_commit_callbacks)
    project = Project.objects.get()
    assert project.state == ReviewState.SUBMITTED and project.submitted_by == p["undp_focal_point"]
    assert project.reporting_partner == p["undp_focal_point"].focal_point.partner


@pytest.mark.parametrize("state", [ReviewState.ACCEPTED, ReviewState.DRAFT])
def test_focal_point_cannot_take_over_another_partners_project_by_identifier(p, django_capture_on_commit_callbacks,
                                                                             state):
    unicef = Partner.objects.get(acronym="UNICEF")
    theirs = Project.objects.create(reporting_partner=unicef, iati_identifier="XM-DAC-41122-LY-1", title_en="Theirs",
                                    state=state)
    sheet = _sheet(sheet_row(**{"#activity+code": theirs.iati_identifier, "#activity+name+i_en": "Mine now"}))
    job = _create(p["undp_focal_point"], sheet, capture=django_capture_on_commit_callbacks)
    message = job.preview["errors"][0]["message"]
    # refused without naming the owner: the record may be another partner's draft
    assert job.status == Status.INVALID and "may not change" in message and "UNICEF" not in message
    theirs.refresh_from_db()
    assert theirs.title_en == "Theirs"


def test_focal_point_iati_activity_with_another_partners_identifier_is_refused_unnamed(
        p, django_capture_on_commit_callbacks):
    sdc = Partner.objects.get(iati_ref="CH-4")
    first = CH4_SAMPLE.read_bytes()
    identifier = first.split(b"<iati-identifier>")[1].split(b"</iati-identifier>")[0].decode().strip()
    Project.objects.create(reporting_partner=Partner.objects.get(acronym="UNICEF"), iati_identifier=identifier,
                           title_en="UNICEF HIDDEN", state=ReviewState.DRAFT)
    fp = p["undp_focal_point"]
    fp.focal_point.partner = sdc
    fp.focal_point.save()
    job = _create(fp, first, kind="iati", name="ch4.xml", capture=django_capture_on_commit_callbacks)
    messages = " ".join(e["message"] for e in job.preview["errors"])
    assert job.status == Status.INVALID and "may not change" in messages and "UNICEF" not in messages


@pytest.mark.parametrize("persona", ["ministry_analyst", "viewer", "rapporteur"])
def test_only_the_ministry_and_focal_points_import(p, persona):
    with pytest.raises(PermissionDenied):
        import_job_create(user=p[persona], kind="spreadsheet", upload=upload("3w.csv", _good_sheet()))
    assert ImportJob.objects.count() == 0


def test_commit_and_cancel_by_the_uploader_or_the_ministry_only(p, django_capture_on_commit_callbacks):
    job = _create(p["undp_focal_point"], _sheet(sheet_row()), capture=django_capture_on_commit_callbacks)
    assert job.status == Status.CHECKED
    for someone in (p["unicef_focal_point"], p["ministry_analyst"]):
        with pytest.raises(PermissionDenied):
            import_job_commit(job=job, user=someone)
        with pytest.raises(PermissionDenied):
            import_job_cancel(job=job, user=someone)
    import_job_cancel(job=job, user=p["ministry_admin"])
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.finished_at is not None
    with pytest.raises(ValidationError, match="cannot be cancelled"):
        import_job_cancel(job=job, user=p["ministry_admin"])
    with pytest.raises(ValidationError, match="Only a checked file"):
        import_job_commit(job=job, user=p["undp_focal_point"])


@pytest.mark.parametrize(("kind", "name", "data", "message"), [
    ("spreadsheet", "data.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not a CSV or XLSX file"),
    ("spreadsheet", "latin.csv", "Reporting,#org+reporting\ncafé".encode("latin-1"), "not UTF-8"),
    ("iati", "x.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><iati-activities/>', "DTD"),
    ("iati", "x.xml", b"\x00\x01binary" * 20, "binary data"),
    ("iati", "x.xml", b"", "empty"),
    ("spreadsheet", "3w.csv", b"a,b\n1,2\n", "no HXL hashtag row"),
])
def test_bad_files_are_refused_with_a_clear_message_and_no_job(p, kind, name, data, message):
    with pytest.raises(ValidationError) as caught:
        import_job_create(user=p["ministry_admin"], kind=kind, upload=upload(name, data), language="en")
    assert message in " ".join(caught.value.message_dict["file"])
    assert ImportJob.objects.count() == 0


@override_settings(TANSIQ_IMPORT_MAX_BYTES=2048)
def test_too_large_is_refused_before_reading(p):
    with pytest.raises(ValidationError, match="the limit is 2.0"):
        import_job_create(user=p["ministry_admin"], kind="iati", upload=upload("big.xml", b" " * 4096), language="en")
    assert ImportJob.objects.count() == 0


@override_settings(TANSIQ_IMPORT_BACKGROUND_BYTES=100)
def test_large_files_go_to_the_worker_and_bad_ones_end_invalid(p, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.import_job_check, "delay", lambda job_id: queued.append(job_id))
    sheet = _sheet(*[sheet_row(**{"#activity+name+i_en": f"Lights {i}", "#activity+name+i_ar": f"إنارة {i}"})
                     for i in range(5)])
    job = _create(p["ministry_admin"], sheet, capture=django_capture_on_commit_callbacks)
    assert queued == [job.pk] and job.status == Status.QUEUED and job.preview["estimated_rows"] >= 5

    # the worker runs the check: progress moves, stays within its total, and reaches it
    seen = []
    real_call = JobProgress.__call__

    def spy(self, done, total):
        seen.append((done, total))
        real_call(self, done, total)

    monkeypatch.setattr(JobProgress, "__call__", spy)
    tasks.import_job_check(job.pk)
    job.refresh_from_db()
    assert job.status == Status.CHECKED and job.preview["new"] == 5
    assert seen and all(0 <= done <= total for done, total in seen)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen) and seen[-1] == (10, 10)
    assert job.progress_done == job.progress_total == 10

    # a binary file too large to read during the request is refused by the check, not half-imported
    job = _create(p["ministry_admin"], b"PK\x03\x04" + b"\x00" * 300, capture=django_capture_on_commit_callbacks,
                  name="broken.xlsx")
    tasks.import_job_check(job.pk)
    job.refresh_from_db()
    assert job.status == Status.INVALID and "not a readable XLSX file" in job.error
    assert Project.objects.count() == 0


def test_tasks_are_safe_to_run_twice(p, django_capture_on_commit_callbacks):
    job = _create(p["ministry_admin"], _good_sheet(), capture=django_capture_on_commit_callbacks)
    assert tasks.import_job_check(job.pk) is None  # already checked
    job = _commit(job, p["ministry_admin"], django_capture_on_commit_callbacks)
    assert job.status == Status.DONE
    assert tasks.import_job_commit(job.pk) is None and tasks.import_job_check(job.pk) is None
    assert Project.objects.count() == 2


def test_a_failed_import_leaves_nothing_written(p, django_capture_on_commit_callbacks, monkeypatch):
    job = _create(p["ministry_admin"], _good_sheet(), capture=django_capture_on_commit_callbacks)
    real_save = jobs.spreadsheet_import._save
    calls = []

    def save_then_break(plan, *args):
        calls.append(plan)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_save(plan, *args)

    monkeypatch.setattr(jobs.spreadsheet_import, "_save", save_then_break)
    job = _commit(job, p["ministry_admin"], django_capture_on_commit_callbacks)
    assert job.status == Status.FAILED and "Nothing was imported" in job.error
    assert len(calls) == 2 and Project.objects.count() == 0  # the first project was rolled back too


def test_iati_job_with_the_sdc_sample(p, django_capture_on_commit_callbacks):
    data = CH4_SAMPLE.read_bytes()
    job = _create(p["ministry_admin"], data, kind="iati", name="ch4.xml", capture=django_capture_on_commit_callbacks)
    assert job.status == Status.CHECKED, job.preview
    assert (job.preview["rows"], job.preview["new"], job.preview["error_count"]) == (6, 6, 0)
    assert job.preview["warning_count"] > 0  # only the country is given: no municipality
    assert Project.objects.count() == 0
    job = _commit(job, p["ministry_admin"], django_capture_on_commit_callbacks)
    assert job.status == Status.DONE and job.result["new"] == 6 and Project.objects.count() == 6
    assert job.progress_done == job.progress_total == 6

    again = _create(p["ministry_admin"], data, kind="iati", name="ch4.xml", capture=django_capture_on_commit_callbacks)
    assert (again.preview["new"], again.preview["changed"], again.preview["unchanged"]) == (0, 0, 6)


def test_focal_point_iati_activities_of_another_partner_are_errors(p, django_capture_on_commit_callbacks):
    job = _create(p["unicef_focal_point"], CH4_SAMPLE.read_bytes(), kind="iati", name="ch4.xml",
                  capture=django_capture_on_commit_callbacks)
    assert job.status == Status.INVALID and job.preview["error_count"] == 6
    assert "SDC" in job.preview["errors"][0]["message"] or "Swiss" in job.preview["errors"][0]["message"]
    assert Project.objects.count() == 0 and Partner.objects.filter(name_en="ONG basée dans un pays donneur").count() == 0


@pytest.mark.django_db(transaction=True)
def test_progress_written_inside_the_import_transaction_is_visible_to_other_sessions():
    from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

    job = ImportJob.objects.create(kind="iati", original_name="x.xml", size=1, sha256="0" * 64, file="imports/x")
    progress = JobProgress(job.pk, every=10)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            progress(0, 100)
            progress(5, 100)  # fewer than ``every`` steps since the last write: not written
            progress(20, 100)
            with other.cursor() as cursor:
                cursor.execute("SELECT progress_done, progress_total FROM projects_importjob WHERE id = %s", [job.pk])
                seen = cursor.fetchone()
    finally:
        progress.close()
        other.close()
    if connection.vendor == "postgresql":
        assert seen == (20, 100)
    else:  # SQLite has one writer at a time: the figures wait for the transaction
        assert seen == (0, 0)
    assert (progress.done, progress.total) == (20, 100)


def test_a_focal_points_file_goes_to_review_even_when_the_ministry_commits_it(p, django_capture_on_commit_callbacks):
    job = _create(p["undp_focal_point"], _sheet(sheet_row(**{"#org+reporting": ""})),
                  capture=django_capture_on_commit_callbacks)
    assert job.status == Status.CHECKED, job.preview
    job = _commit(job, p["ministry_admin"], django_capture_on_commit_callbacks)
    assert job.status == Status.DONE, job.error
    project = Project.objects.get()
    assert project.state == ReviewState.SUBMITTED and project.submitted_by == p["undp_focal_point"]


def test_jobs_abandoned_by_a_dead_worker_are_marked_failed(p, settings):
    import datetime as dt

    from django.utils import timezone

    from projects.exchange.services.jobs import import_jobs_fail_stale

    settings.TANSIQ_IMPORT_STALE_MINUTES = 60
    now = timezone.now()
    old, recent = now - dt.timedelta(minutes=90), now - dt.timedelta(minutes=10)
    stuck = [_job_in(p, Status.IMPORTING, started=old), _job_in(p, Status.CHECKING, started=old),
             _job_in(p, Status.QUEUED, created=old)]
    alive = [_job_in(p, Status.IMPORTING, started=recent), _job_in(p, Status.DONE, started=old),
             _job_in(p, Status.QUEUED, created=recent)]
    assert import_jobs_fail_stale(now=now) == 3
    for job in stuck:
        job.refresh_from_db()
        assert job.status == Status.FAILED and job.error and job.finished_at is not None
    assert [ImportJob.objects.get(pk=j.pk).status for j in alive] == [Status.IMPORTING, Status.DONE, Status.QUEUED]
    assert import_jobs_fail_stale(now=now) == 0  # safe to run again


def _job_in(p, status, *, started=None, created=None) -> ImportJob:
    job = ImportJob.objects.create(kind="spreadsheet", status=status, original_name="3w.csv", size=1,
                                   sha256="1" * 64, created_by=p["ministry_admin"], started_at=started)
    if created is not None:
        ImportJob.objects.filter(pk=job.pk).update(created_at=created)
    return job


def _held_elsewhere(namespace: str, object_id: int):
    """Another database session holding the lease on a job, as a worker working on it would."""
    from django.db import DEFAULT_DB_ALIAS, connections

    from common.leases import _key

    other = connections.create_connection(DEFAULT_DB_ALIAS)
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_key(namespace), object_id])
        assert cursor.fetchone()[0], "the lease is held by a session that should have let it go"
    return other


def test_an_import_left_running_by_a_dead_worker_is_run_again_where_the_database_can_tell(
        p, django_capture_on_commit_callbacks):
    """The message of an import whose worker died is delivered again: the job says "importing", started. On
    PostgreSQL no session holds its lease, so nobody is working on it and it is imported anew (nothing of the dead
    attempt was written: the import is one transaction). SQLite cannot tell, so the job is left to the stale sweep."""
    from django.db import connection
    from django.utils import timezone

    job = _create(p["ministry_admin"], _good_sheet(), capture=django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.IMPORTING, started_at=timezone.now(),
                                               result={"committed_by": p["ministry_admin"].pk})
    outcome = tasks.import_job_commit(job.pk)
    job.refresh_from_db()
    if connection.vendor == "postgresql":
        assert outcome == Status.DONE and job.status == Status.DONE, job.error
        assert job.result["new"] == 2 and Project.objects.count() == 2
    else:
        assert outcome is None and job.status == Status.IMPORTING and Project.objects.count() == 0


def test_a_job_another_worker_holds_is_left_to_it(p, django_capture_on_commit_callbacks, monkeypatch):
    """A second delivery of a job that is still being worked on (e.g. a long import past the broker's visibility
    timeout) does nothing, whatever the job row says. (PostgreSQL only: SQLite has no sessions to hold a lease.)"""
    from django.db import connection
    from django.utils import timezone

    from common import leases
    from projects.exchange.services.exports import export_job_run
    from projects.models import ExportJob

    if connection.vendor != "postgresql":
        with leases.work_lease("import-job", 1) as lease:
            assert lease is None
        return
    monkeypatch.setattr(leases, "WAIT_SECONDS", 0.3)
    job = _create(p["ministry_admin"], _good_sheet())  # queued: its check waits for the commit of this test
    assert job.status == Status.QUEUED
    other = _held_elsewhere("import-job", job.pk)
    try:
        assert tasks.import_job_check(job.pk) is None
        job.refresh_from_db()
        assert job.status == Status.QUEUED and job.started_at is None
        ImportJob.objects.filter(pk=job.pk).update(status=Status.IMPORTING, started_at=timezone.now())
        assert tasks.import_job_commit(job.pk) is None and Project.objects.count() == 0
        export = ExportJob.objects.create(format="csv", requested_by=p["ministry_admin"], status="running",
                                          started_at=timezone.now())
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [leases._key("export-job"), export.pk])
        assert export_job_run(export.pk) is None
        export.refresh_from_db()
        assert export.status == "running" and not export.file
    finally:
        other.close()  # the other session ends: its leases go with it
    # now free: the export left "running" (its worker gone) is written anew
    assert export_job_run(export.pk).status == "done"
    # and this session released what it took: another session gets the lease at once
    probe = _held_elsewhere("export-job", export.pk)
    probe.close()


def test_a_job_that_ends_its_worker_again_is_failed_not_tried_for_ever(p, django_capture_on_commit_callbacks):
    """A file that kills its worker each time (e.g. one that takes more memory than the worker has) is taken back
    once; abandoned a second time, the job is failed with a message that says what to do. (PostgreSQL: SQLite
    cannot tell an abandoned job, and leaves every started one to the stale sweep.)"""
    from django.db import connection
    from django.utils import timezone

    job = _create(p["ministry_admin"], _good_sheet(), capture=django_capture_on_commit_callbacks)
    abandoned = {"status": Status.IMPORTING, "started_at": timezone.now(),
                 "result": {"committed_by": p["ministry_admin"].pk, "reclaimed": 1}}
    ImportJob.objects.filter(pk=job.pk).update(**abandoned)
    outcome = tasks.import_job_commit(job.pk)
    job.refresh_from_db()
    if connection.vendor != "postgresql":
        assert outcome is None and job.status == Status.IMPORTING
        return
    assert outcome == Status.FAILED and job.status == Status.FAILED
    assert "stopped twice" in job.error and Project.objects.count() == 0
    # The same for a check abandoned twice.
    again = _create(p["ministry_admin"], _sheet(sheet_row(**{"#activity+name+i_en": "Clinic"})))
    ImportJob.objects.filter(pk=again.pk).update(status=Status.CHECKING, started_at=timezone.now(),
                                                 preview={"reclaimed": 1})
    assert tasks.import_job_check(again.pk) == Status.FAILED
    # Abandoned once, a check is run again and counts the reclaim until it ends.
    once = _create(p["ministry_admin"], _sheet(sheet_row(**{"#activity+name+i_en": "School"})))
    ImportJob.objects.filter(pk=once.pk).update(status=Status.CHECKING, started_at=timezone.now())
    assert tasks.import_job_check(once.pk) == Status.CHECKED
