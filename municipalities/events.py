"""Events the geography services send after a write (see projects/events.py for the pattern).

``municipalities`` does not know who listens: ``coordination`` connects in its AppConfig.ready().
"""

from django.dispatch import Signal

# kwargs: municipality_ids (list[int]), user — sent after needs were created or changed
needs_changed = Signal()

# kwargs: plan_ids (list[int]), user — sent after development plans or their objectives were written
plans_changed = Signal()
