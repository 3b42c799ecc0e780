"""Events the project services send after a write, for the analyses to re-check.

These are sent explicitly by services (never from ``save()`` or model signals), after the
write, inside its transaction; receivers queue their work with ``transaction.on_commit``.
``projects`` does not know who listens: ``coordination`` connects in its AppConfig.ready().
"""

from django.dispatch import Signal

# kwargs: project_ids (list[int]), changed (set[str]: "created", "title", "sectors",
# "locations", "dates", "status", "budget", "progress", ...), user
project_changed = Signal()

# kwargs: update_ids (list[int]), project_ids (list[int]), user
project_update_changed = Signal()
