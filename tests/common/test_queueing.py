"""A task queued on commit while the broker is out of reach: the write is not broken, the failed send is logged
and counted for /metrics; in eager mode the task runs in-process as before."""

from __future__ import annotations

import logging
import socket

import pytest

from common.queueing import delay_on_commit, delay_safely
from config import metrics
from tests.celery_broker import celery_conf_use


@pytest.fixture
def dead_broker():
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    old = celery_conf_use(dict(task_always_eager=False, broker_url=url, broker_read_url=url, broker_write_url=url))
    yield
    celery_conf_use(old)


def _failures(task: str) -> int:
    key = metrics._series_key(metrics.ENQUEUE_FAILURES, {"task": task})
    return metrics.cache.get(key) or 0


def test_a_send_to_a_broker_out_of_reach_is_logged_and_counted_not_raised(dead_broker, caplog):
    from coordination.tasks import ping

    before = _failures(ping.name)
    with caplog.at_level(logging.ERROR, logger="tansiq.queueing"):
        assert delay_safely(ping, 1, 2) is False
    assert any(r.getMessage().startswith("could not queue coordination.tasks.ping(1, 2)") for r in caplog.records)
    assert _failures(ping.name) == before + 1


@pytest.mark.django_db
def test_a_change_saves_and_its_checks_are_recorded_when_the_broker_is_down(dead_broker, caplog,
                                                                             django_capture_on_commit_callbacks):
    from coordination.tasks.duplicates import duplicates_check_projects
    from projects.models import Project
    from tests import factories

    project = factories.ProjectFactory(title_en="Water network")
    before = _failures(duplicates_check_projects.name)
    with caplog.at_level(logging.ERROR, logger="tansiq.queueing"), \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        Project.objects.filter(pk=project.pk).update(title_en="Water network, phase 2")
        delay_on_commit(duplicates_check_projects, [project.pk])
    assert len(callbacks) == 1
    assert _failures(duplicates_check_projects.name) == before + 1
    assert Project.objects.get(pk=project.pk).title_en == "Water network, phase 2"
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"could not queue coordination.tasks.duplicates_check_projects([{project.pk}],)"]


def test_in_eager_mode_the_task_runs_and_its_errors_propagate(settings):
    from coordination.tasks import ping

    assert delay_safely(ping) is True
    with pytest.raises(TypeError):
        delay_safely(ping, "an argument ping does not take")
