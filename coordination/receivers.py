"""What the analyses do when projects change: queue a re-check once the write commits.

Connected in ``CoordinationConfig.ready``. Receivers stay thin: they queue a task with
ids, on commit, and never touch the analysis themselves.
"""

from __future__ import annotations

from common.queueing import delay_on_commit
from municipalities.events import needs_changed, plans_changed
from projects.events import (
    BUDGET,
    CREATED,
    DATES,
    DUPLICATE,
    IDENTIFIERS,
    LOCATIONS,
    OBJECTIVES,
    PARTNERS,
    PROGRESS,
    REVIEW,
    SDG,
    SECTORS,
    SITES,
    STATUS,
    TITLE,
    project_changed,
    project_update_changed,
)

# --- duplicates -------------------------------------------------------------------
# The categories are those of projects.events, the one map every writer announces with.
DUPLICATE_RELEVANT = frozenset({CREATED, TITLE, SECTORS, LOCATIONS, SITES, DATES, PARTNERS, IDENTIFIERS})


def queue_duplicate_check(sender, project_ids, changed, user=None, **kwargs) -> None:
    if not (set(changed) & DUPLICATE_RELEVANT):
        return
    from coordination.tasks.duplicates import duplicates_check_projects

    ids = list(project_ids)
    delay_on_commit(duplicates_check_projects, ids)


# --- gaps and delays --------------------------------------------------------------
# What a project change means for each: delays look at status, dates and progress; gaps at where
# active projects are, in which sectors, with how much money and which partners. A project that
# moved away from a municipality leaves no trace of where it was, so a change of locations
# re-runs the (cheap) full gap analysis rather than a re-check of the current places.
# The stored coverage figures (coordination.models.CoverageFigure) ride on the gap runs: they also hang on the
# review state (the accepted projects' scope) and on identifiers (a funder's transfer to an implementer is
# money counted once: projects.selectors.money.money_counted).
DELAY_RELEVANT = frozenset({CREATED, STATUS, DATES, PROGRESS})
GAP_RELEVANT = frozenset({CREATED, STATUS, DATES, SECTORS, LOCATIONS, BUDGET, PARTNERS, DUPLICATE, REVIEW,
                          IDENTIFIERS})


def queue_gap_delay_checks(sender, project_ids, changed, user=None, **kwargs) -> None:
    from coordination.tasks import gaps_delays as tasks

    changed, ids = set(changed), list(project_ids)
    if changed & DELAY_RELEVANT:
        delay_on_commit(tasks.delays_check_projects, ids)
    if LOCATIONS in changed:
        delay_on_commit(tasks.gaps_full_analysis)
    elif changed & GAP_RELEVANT:
        delay_on_commit(tasks.gaps_check_projects, ids)


def queue_delay_check_for_updates(sender, project_ids, update_ids=None, user=None, **kwargs) -> None:
    """An update submitted, accepted or returned may start or end the silence of its project."""
    from coordination.tasks import gaps_delays as tasks

    ids = list(project_ids)
    delay_on_commit(tasks.delays_check_projects, ids)


def queue_gap_check_for_needs(sender, municipality_ids, user=None, **kwargs) -> None:
    from coordination.tasks import gaps_delays as tasks

    ids = list(municipality_ids)
    delay_on_commit(tasks.gaps_check_municipalities, ids)


# --- alignment with the plans -----------------------------------------------------
# A suggestion reads a project's texts, sectors, SDG tags, places and status; the flags its money, partners
# and declared objectives. The check of the projects changed re-computes their suggestions and the flags of
# the municipalities they work in and of those they left (the alignment keeps where it last saw each
# project), so a change of places is checked like any other change.
ALIGNMENT_RELEVANT = frozenset({CREATED, TITLE, STATUS, SECTORS, LOCATIONS, BUDGET, PARTNERS, DUPLICATE, SDG,
                                OBJECTIVES})


def queue_alignment_check(sender, project_ids, changed, user=None, **kwargs) -> None:
    from coordination.tasks import alignment as tasks

    changed, ids = set(changed), list(project_ids)
    if not changed & ALIGNMENT_RELEVANT:
        return
    delay_on_commit(tasks.alignment_check_projects, ids)


def queue_alignment_check_for_plans(sender, plan_ids, user=None, **kwargs) -> None:
    from coordination.tasks import alignment as tasks

    ids = list(plan_ids)
    delay_on_commit(tasks.alignment_check_plans, ids)


def connect() -> None:
    project_changed.connect(queue_alignment_check, dispatch_uid="coordination.alignment")
    plans_changed.connect(queue_alignment_check_for_plans, dispatch_uid="coordination.alignment.plans")
    project_changed.connect(queue_duplicate_check, dispatch_uid="coordination.duplicates")
    project_changed.connect(queue_gap_delay_checks, dispatch_uid="coordination.gaps_delays")
    project_update_changed.connect(queue_delay_check_for_updates, dispatch_uid="coordination.delays.updates")
    needs_changed.connect(queue_gap_check_for_needs, dispatch_uid="coordination.gaps.needs")
