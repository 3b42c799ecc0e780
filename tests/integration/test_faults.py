"""Faults with real processes: a Celery worker SIGKILLed in the middle of a full duplicate scan or of an import.

The scan's message is acknowledged only when the task ends (CELERY_TASK_ACKS_LATE), so a worker killed with it
leaves it unacknowledged, and the broker gives it to the next worker; when only the pool's child process running
it dies, the worker gives the message back to the queue (CELERY_TASK_REJECT_ON_WORKER_LOST) and runs it again.
The flag sync is one transaction, so a kill leaves none of the flags it had inserted; the scan run again makes
each flag once. An import job is one transaction too, and its worker holds the job's lease (a PostgreSQL session
lock, common/leases.py) while it works: the redelivered message finds the lease free, so it knows the job it finds
"importing" was abandoned, and imports it anew.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest

from tests import factories
from tests.integration.conftest import ROOT, worker_database_url

pytestmark = pytest.mark.integration


def _start_worker(queue: str, name: str, pool: str = "solo", **env: str) -> subprocess.Popen:
    from django.db import connection

    environment = dict(os.environ)
    environment.update(DJANGO_SETTINGS_MODULE="tests.integration.fault_worker_settings",
                       DATABASE_URL=worker_database_url(connection.settings_dict), **env)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}", "--concurrency=1", "-Q", queue,
         "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _stop(*procs: subprocess.Popen | None) -> None:
    """Stop the workers a test started that are still running."""
    for proc in procs:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=15)


def _wait_for(what: str, condition, seconds: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}: {proc.stdout.read()[-3000:]}")
        if time.monotonic() >= deadline:
            said = ""
            if proc is not None:
                proc.terminate()
                said = proc.communicate(timeout=15)[0][-3000:]
            pytest.fail(f"{what}: not within {seconds} s. {said}")
        time.sleep(0.2)


def _planted_pairs() -> set[tuple[int, int]]:
    """Four pairs of the same project reported by two partners, each pair in its own municipality."""
    from projects.models import ProjectLocation, ProjectSector

    sector = factories.SectorFactory(code="water-sanitation")
    pairs = set()
    for i, place in enumerate(["Al-Andalus", "Souq al-Juma", "Hay Dimashq", "Abu Salim"]):
        municipality = factories.MunicipalityFactory()
        twins = [factories.ProjectFactory(title_ar="", title_en=f"Rehabilitation of the water network in {place}",
                                          planned_start=dt.date(2025, 1 + i, 1), planned_end=dt.date(2026, 6, 30))
                 for _ in range(2)]
        for project in twins:
            ProjectLocation.objects.create(project=project, municipality=municipality)
            ProjectSector.objects.create(project=project, sector=sector, percentage=100)
        pairs.add(tuple(sorted(p.pk for p in twins)))
    return pairs


def test_a_worker_killed_in_the_middle_of_a_full_scan_leaves_nothing_half_written_and_the_scan_is_redelivered(
        celery_worker_process, tmp_path):
    from config.celery import app
    from coordination.models import AnalysisRun, DuplicateFlag
    from coordination.services.duplicates import duplicates_full_scan
    from coordination.tasks import duplicates_full_scan as scan_task

    assert app.conf.task_acks_late is True
    planted = _planted_pairs()
    queue = celery_worker_process + "-fault"
    marker = tmp_path / "flags-inserted"
    doomed = _start_worker(queue, f"{queue}-doomed", TANSIQ_FAULT_PAUSE_FILE=str(marker))
    survivor = None
    try:
        scan_task.apply_async(queue=queue)
        _wait_for("the doomed worker inserting the flags", marker.exists, 60, doomed)
        assert int(marker.read_text().split()[0]) >= len(planted)  # inserted, in a transaction not yet committed
        run = AnalysisRun.objects.get(kind="duplicates", mode="full")
        assert run.status == "running"
        assert not DuplicateFlag.objects.exists()
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        # Nothing of the killed sync is there: the open transaction died with the process.
        assert not DuplicateFlag.objects.exists()
        # Another worker gets the unacknowledged message once its visibility timeout has passed.
        survivor = _start_worker(queue, f"{queue}-survivor")
        _wait_for("the redelivered scan to succeed",
                  lambda: AnalysisRun.objects.filter(kind="duplicates", mode="full", status="succeeded").exists(),
                  90, survivor)
    finally:
        _stop(doomed, survivor)
    pairs = list(DuplicateFlag.objects.values_list("project_a_id", "project_b_id"))
    assert planted <= set(pairs) and len(pairs) == len(set(pairs))
    # The killed run is left as it was when the worker died (still "running"), the redelivered one succeeded.
    assert list(AnalysisRun.objects.filter(kind="duplicates", mode="full").order_by("pk")
                .values_list("status", flat=True)) == ["running", "succeeded"]
    # The same flags as one scan: scanning again here creates none and changes none.
    again = duplicates_full_scan()
    assert again.counts["created"] == 0 and again.counts["updated"] == 0
    assert sorted(DuplicateFlag.objects.values_list("project_a_id", "project_b_id")) == sorted(pairs)


def test_a_pool_process_killed_in_the_middle_of_a_full_scan_has_its_scan_run_again(celery_worker_process, tmp_path):
    from config.celery import app
    from coordination.models import AnalysisRun, DuplicateFlag
    from coordination.tasks import duplicates_full_scan as scan_task

    assert app.conf.task_reject_on_worker_lost is True
    planted = _planted_pairs()
    queue = celery_worker_process + "-child"
    marker = tmp_path / "flags-inserted"
    worker = _start_worker(queue, queue, pool="prefork", TANSIQ_FAULT_PAUSE_FILE=str(marker))
    try:
        scan_task.apply_async(queue=queue)
        _wait_for("the pool process inserting the flags", marker.exists, 60, worker)
        child = int(marker.read_text().split()[1])
        assert child != worker.pid
        os.kill(child, signal.SIGKILL)
        # The worker itself lives on, takes the message back and runs the scan again in a new pool process.
        _wait_for("the scan run again to succeed",
                  lambda: AnalysisRun.objects.filter(kind="duplicates", mode="full", status="succeeded").exists(),
                  90, worker)
        assert worker.poll() is None
    finally:
        _stop(worker)
    pairs = list(DuplicateFlag.objects.values_list("project_a_id", "project_b_id"))
    assert planted <= set(pairs) and len(pairs) == len(set(pairs))
    assert list(AnalysisRun.objects.filter(kind="duplicates", mode="full").order_by("pk")
                .values_list("status", flat=True)) == ["running", "succeeded"]


def test_two_full_scans_at_once_give_the_same_flags_as_one(celery_worker_process):
    from coordination.models import AnalysisRun, DuplicateFlag
    from coordination.services.duplicates import duplicates_full_scan
    from coordination.tasks import duplicates_full_scan as scan_task

    planted = _planted_pairs()
    queue = celery_worker_process + "-twice"
    # Each scan holds its flag sync open 3 s after inserting: the two overlap inside their transactions.
    workers = [_start_worker(queue, f"{queue}-{i}", TANSIQ_FAULT_HOLD_SECONDS="3") for i in (1, 2)]
    try:
        time.sleep(3)  # both workers connected, so that each takes one of the two scans
        for _ in range(2):
            scan_task.apply_async(queue=queue)
        # (A scan held open past the 5 s visibility timeout of these workers may be delivered once more: the
        # runs are then three, all of which must agree.)
        _wait_for("both scans to end",
                  lambda: AnalysisRun.objects.filter(kind="duplicates", mode="full").exclude(status="running")
                  .count() >= 2 and not AnalysisRun.objects.filter(status="running").exists(), 120, workers[0])
    finally:
        _stop(*workers)
    runs = list(AnalysisRun.objects.filter(kind="duplicates", mode="full").order_by("pk"))
    assert len(runs) >= 2 and runs[1].started_at < runs[0].finished_at, "the two scans did not run at the same time"
    assert {r.status for r in runs} == {"succeeded"}, [r.error for r in runs]
    pairs = list(DuplicateFlag.objects.values_list("project_a_id", "project_b_id"))
    assert planted <= set(pairs) and len(pairs) == len(set(pairs))  # no flag twice
    # The same flags as one scan: a third, alone, creates none and changes none.
    again = duplicates_full_scan()
    assert again.counts["created"] == 0 and again.counts["updated"] == 0
    assert sorted(DuplicateFlag.objects.values_list("project_a_id", "project_b_id")) == sorted(pairs)


def test_a_worker_killed_in_the_middle_of_an_import_leaves_nothing_written_and_the_import_is_run_again(
        celery_worker_process, tmp_path, personas, settings):
    from django.db import connection

    from projects.exchange.services.jobs import import_job_commit, import_job_create, import_job_run
    from projects.exchange.tasks import import_job_commit as import_task
    from projects.models import ImportJob, Project
    from tests.projects.exchange.support import load_reference, sheet_csv, sheet_row, upload

    if connection.vendor != "postgresql":
        pytest.fail("the fault tests run on PostgreSQL (the lease is a PostgreSQL session lock)")
    load_reference()
    admin = personas["ministry_admin"]
    media = tmp_path / "media"  # the uploaded file, where the workers read it
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    rows = [sheet_row(**{"#activity+name+i_en": f"Solar street lights, lot {n}",
                         "#activity+name+i_ar": f"إنارة الشوارع بالطاقة الشمسية، الدفعة {n}"}) for n in range(1, 13)]
    # a small file: checked here, in the test's process, as the upload's request would
    job = import_job_create(user=admin, kind="spreadsheet", upload=upload("3w.csv", sheet_csv(rows)), language="en")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and job.preview["new"] == 12, job.preview

    queue = celery_worker_process + "-import"
    marker = tmp_path / "projects-written"
    doomed = _start_worker(queue, f"{queue}-doomed", TANSIQ_FAULT_PAUSE_FILE=str(marker),
                           TANSIQ_FAULT_PAUSE_MODEL="projects.ProjectLocation", TANSIQ_FAULT_PAUSE_AFTER="5",
                           TANSIQ_FAULT_MEDIA_ROOT=str(media))
    survivor = None
    try:
        # Import pressed: the job claimed for the import as the page does, its task sent to the doomed worker's
        # queue (the page's send goes to the default queue, which the fixture's own worker consumes).
        import_job_commit(job=job, user=admin)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and Project.objects.count() == 12  # small: imported in-process
        Project.objects.all().delete()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, started_at=None,
                                                   finished_at=None, result={"committed_by": admin.pk})
        import_task.apply_async(args=[job.pk], queue=queue)
        _wait_for("the doomed worker writing five projects", marker.exists, 60, doomed)
        assert int(marker.read_text().split()[0]) == 5
        job.refresh_from_db()
        assert job.status == ImportJob.Status.IMPORTING and job.started_at is not None
        assert not Project.objects.exists()  # written in a transaction not yet committed
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        assert not Project.objects.exists()  # the open transaction died with the process
        job.refresh_from_db()
        assert job.status == ImportJob.Status.IMPORTING  # abandoned: what the redelivery finds
        survivor = _start_worker(queue, f"{queue}-survivor", TANSIQ_FAULT_MEDIA_ROOT=str(media))
        _wait_for("the redelivered import to finish",
                  lambda: ImportJob.objects.filter(pk=job.pk).exclude(status=ImportJob.Status.IMPORTING).exists(),
                  90, survivor)
    finally:
        _stop(doomed, survivor)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.result["new"] == 12 and job.progress_done == job.progress_total
    titles = list(Project.objects.values_list("title_en", flat=True))
    assert sorted(titles) == sorted(r["#activity+name+i_en"] for r in rows)  # each project once
    # Delivered once more (e.g. a second copy of the message), the finished job is left as it is.
    assert import_job_run(job.pk) is None and Project.objects.count() == 12
