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
