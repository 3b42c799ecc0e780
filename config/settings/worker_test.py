"""The settings of the Celery worker that the integration tests start (real broker, no eager mode)."""

from config.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
