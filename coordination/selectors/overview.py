"""Reads for the committee's pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from coordination.selectors.gaps import active_project_candidates
from municipalities.models import District, Municipality, Region, Sector
from projects.models import ActivityStatus, Partner, ProjectLocation
from projects.selectors.money import budget_total_usd
from projects.selectors.projects import projects_counted_for


def portfolio_overview(user: Any) -> dict[str, Any]:
    """Headline counts of the portfolio (the dashboard itself reads ``coordination.selectors.dashboard``), in a handful of queries, of the projects ``user`` may see
    (``projects_counted_for``: another partner's drafts must not show through the totals)."""
    visible = projects_counted_for(user)
    projects = visible.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=ActivityStatus.IMPLEMENTATION)),
        pipeline=Count("id", filter=Q(status=ActivityStatus.PIPELINE)),
    )
    # Reached as the gap engine has it: an active project there today (the dashboard's figure too).
    active = active_project_candidates(timezone.localdate(), projects=visible)
    reached = ProjectLocation.objects.filter(project__in=active.values("pk")).values("municipality_id").distinct().count()
    return {
        "projects": projects,
        "partners": Partner.objects.count(),
        "sectors": Sector.objects.count(),
        "regions": Region.objects.count(),
        "districts": District.objects.count(),
        "municipalities": Municipality.objects.count(),
        "municipalities_reached": reached,
        "budget": budget_total_usd(visible),
    }
