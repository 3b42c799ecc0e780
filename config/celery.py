"""Celery application. Tasks live in each app's and each sub-domain's ``tasks`` module and stay thin."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Sub-domain packages whose ``tasks`` modules autodiscovery would not find (it looks in each app only).
# Their tasks keep the names they were registered under (``projects.tasks.<name>``).
SUB_DOMAIN_TASK_PACKAGES = ["projects.exchange", "projects.reporting"]

app = Celery("tansiq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(SUB_DOMAIN_TASK_PACKAGES)

# Every log record a task writes carries its task id (config.logs).
from config.logs import connect_task_signals  # noqa: E402

connect_task_signals()

# ...and every task's end is counted for /metrics (config.metrics), in the cache every process shares.
from config.metrics import connect_task_signals as connect_task_metrics  # noqa: E402

connect_task_metrics()
