import pytest
from django.contrib.gis.geos import Point

from tests import factories

pytestmark = pytest.mark.integration


def test_a_task_queued_on_commit_runs_in_the_worker_and_writes_to_the_database(celery_worker_process):
    import time

    from django.db import transaction

    from municipalities.models import Municipality
    from municipalities.tasks import derive_approximate_areas

    for i in range(3):
        factories.MunicipalityFactory(point=Point(13.0 + i * 0.2, 32.7, srid=4326))
    with transaction.atomic():
        transaction.on_commit(lambda: derive_approximate_areas.apply_async(queue=celery_worker_process))
    deadline = time.monotonic() + 30
    while Municipality.objects.filter(area__isnull=True).exists():
        assert time.monotonic() < deadline, "the worker did not write the derived areas within 30 s"
        time.sleep(0.2)
    assert Municipality.objects.filter(area_is_official=False, area__isnull=False).count() == 3


def test_an_edited_project_is_rechecked_for_duplicates_by_the_worker(celery_worker_process):
    import datetime as dt
    import time

    from coordination.models import AnalysisRun, DuplicateFlag
    from projects.models import ProjectLocation, ProjectSector
    from projects.services import project_save

    municipality = factories.MunicipalityFactory()
    sector = factories.SectorFactory(code="water-sanitation")
    implementer = factories.PartnerFactory(acronym="IMPL")
    first = factories.ProjectFactory(reporting_partner=implementer, title_ar="",
                                     title_en="Rehabilitation of the water network in Al-Andalus")
    second = factories.ProjectFactory(reporting_partner=factories.PartnerFactory(acronym="OTHER"),
                                      title_en="Drilling of a borehole in Al-Salam")
    for p in (first, second):
        ProjectLocation.objects.create(project=p, municipality=municipality)
        ProjectSector.objects.create(project=p, sector=sector, percentage=100)
    # The second record is edited into a copy of the first: the save queues a check on commit.
    second.title_ar = "إعادة تأهيل شبكة المياه في حي الأندلس"
    second.title_en = ""
    second.planned_start, second.planned_end = first.planned_start, first.planned_end + dt.timedelta(days=10)
    project_save(project=second)
    deadline = time.monotonic() + 30
    while not AnalysisRun.objects.filter(kind="duplicates", mode="incremental", status="succeeded").exists():
        assert time.monotonic() < deadline, "the worker did not run the incremental check within 30 s"
        time.sleep(0.2)
    flag = DuplicateFlag.objects.get()
    assert {flag.project_a_id, flag.project_b_id} == {first.pk, second.pk}
    assert flag.kind == "overlap"


def test_after_a_full_scan_the_worker_finds_an_edited_projects_pair_through_the_stored_blocks(
        celery_worker_process):
    import datetime as dt
    import time

    from coordination.models import AnalysisRun, DuplicateBlockKey, DuplicateFlag
    from coordination.services.duplicates import duplicates_full_scan
    from projects.models import ProjectLocation, ProjectSector
    from projects.services import project_save

    municipality = factories.MunicipalityFactory()
    sector = factories.SectorFactory(code="water-sanitation")
    first = factories.ProjectFactory(title_ar="", title_en="Rehabilitation of the water network in Al-Andalus")
    second = factories.ProjectFactory(title_ar="", title_en="Drilling of a borehole in Al-Salam")
    bystander = factories.ProjectFactory(title_ar="", title_en="Training of municipal staff in procurement")
    for p in (first, second, bystander):
        ProjectLocation.objects.create(project=p, municipality=municipality)
        ProjectSector.objects.create(project=p, sector=sector, percentage=100)
    duplicates_full_scan()  # in this process: every project's blocks are stored, no pair is flagged
    assert not DuplicateFlag.objects.exists()
    old_keys = set(DuplicateBlockKey.objects.filter(project=second).values_list("key", flat=True))
    second.title_ar, second.title_en = "إعادة تأهيل شبكة المياه في حي الأندلس", ""
    second.planned_end = first.planned_end + dt.timedelta(days=10)
    project_save(project=second)
    deadline = time.monotonic() + 30
    while not AnalysisRun.objects.filter(kind="duplicates", mode="incremental", status="succeeded").exists():
        assert time.monotonic() < deadline, "the worker did not run the incremental check within 30 s"
        time.sleep(0.2)
    run = AnalysisRun.objects.get(kind="duplicates", mode="incremental")
    assert run.counts["blocks_stored_for_unseen"] == 0 and run.counts["compared_with"] == 2  # not the bystander
    flag = DuplicateFlag.objects.get()
    assert (flag.project_a_id, flag.project_b_id) == (first.pk, second.pk) and flag.kind == "overlap"
    new_keys = set(DuplicateBlockKey.objects.filter(project=second).values_list("key", flat=True))
    assert new_keys and new_keys != old_keys  # the worker stored the edited project's new blocks
