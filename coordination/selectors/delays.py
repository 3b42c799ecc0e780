"""Reads for the delay rules: plain records in one query, and the delay flag list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Max, Q, QuerySet

from coordination.analysis.delays import IMPLEMENTATION, PIPELINE, SUSPENDED, DelayIn
from coordination.models import DelayFlag
from projects.models import Project, ReviewState
from projects.permissions import user_oversees
from projects.selectors.projects import projects_counted_for

# Only these statuses can trip a rule; finalisation, closed and cancelled projects are never delayed.
DELAY_STATUSES = (PIPELINE, IMPLEMENTATION, SUSPENDED)


def delay_inputs(*, project_ids: Iterable[int] | None = None) -> list[DelayIn]:
    """Projects that can be late, each with the period end of its latest accepted update (one query).

    Records confirmed as a double report of another are left out: the other record carries the flags."""
    qs = Project.objects.filter(status__in=DELAY_STATUSES, duplicate_of__isnull=True)
    if project_ids is not None:
        qs = qs.filter(id__in=list(project_ids))
    rows = qs.annotate(
        last_accepted=Max("updates__period_end", filter=Q(updates__state=ReviewState.ACCEPTED))
    ).order_by().values_list("id", "status", "planned_start", "planned_end", "actual_start", "progress_percent",
                             "last_accepted")
    return [DelayIn(p_id, status, ps, pe, ast, float(progress), last)
            for p_id, status, ps, pe, ast, progress, last in rows]


def delay_flag_list(*, filters: dict[str, Any] | None = None) -> QuerySet[DelayFlag]:
    """Delay flags with their project and partner joined; current ones only unless asked otherwise."""
    f = filters or {}
    qs = DelayFlag.objects.select_related("project__reporting_partner", "decided_by")
    resolved = f.get("resolved", False)  # True: only resolved, False: only current, None: both
    if resolved is not None:
        qs = qs.filter(resolved_at__isnull=not resolved)
    for key, lookup in (("status", "status"), ("rule", "rule"), ("severity", "severity"), ("project", "project_id"),
                        ("partner", "project__reporting_partner_id")):
        if f.get(key) not in (None, ""):
            qs = qs.filter(**{lookup: f[key]})
    if f.get("municipality"):
        qs = qs.filter(project__locations__municipality_id=f["municipality"])
    if f.get("min_severity"):
        qs = qs.filter(severity__gte=f["min_severity"])
    return qs.order_by("-score", "id")


def delay_flags_visible_to(user: Any, flags: QuerySet[DelayFlag]) -> QuerySet[DelayFlag]:
    """``flags`` narrowed to the projects ``user``'s derived data may draw on (``projects_counted_for``; all
    of them for ministry staff). A delay flag is about its one project and that project's accepted updates,
    which a reader who may see the project may see too."""
    if user_oversees(user):
        return flags
    return flags.filter(project__in=projects_counted_for(user).values("pk"))
