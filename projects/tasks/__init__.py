"""Celery tasks of the projects app (thin: ids in, re-read, call a service).

Celery's autodiscovery imports this package; each concern keeps its tasks in its own module,
registered under stable names ``projects.tasks.<name>``.
"""

from .imports import *  # noqa: F401,F403
from .reporting import *  # noqa: F401,F403
