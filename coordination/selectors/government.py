"""Reads about the government's own work in a municipality: its development allocations (مخصصات باب التنمية)
and its projects beside the international partners', for the municipality file and the API.

Allocations are seen by the ministry (everyone who oversees the portfolio) and by the account of the
municipality they were given to; nobody else. Projects follow ``projects_counted_for`` like every other
figure; a project is the government's by ``projects.selectors.government.government_project_condition``.
Money attributed to the municipality is the part of each budget that falls there (its share, else an even
split over the project's municipalities), counted once (``projects.selectors.money.usd_attributed``, the one
money rule: confirmed double reports and funder→implementer transfers left out), in USD at the staff-set rate of
the planned start's year. A fixed number of queries whatever the data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    QuerySet,
)

from common.bilingual import bilingual_text
from municipalities.models import DevelopmentAllocation, Municipality
from projects.models import ActivityStatus, ProjectLocation
from projects.money import RateTable, to_usd
from projects.permissions import user_municipality_id, user_oversees
from projects.selectors.government import government_project_condition, government_projects, international_projects
from projects.selectors.money import exchange_rate_table, usd_attributed
from projects.selectors.projects import projects_counted_for

GOVERNMENT_PROJECT_ROWS = 100


def allocations_visible_to(user: Any) -> QuerySet[DevelopmentAllocation]:
    """The allocations ``user`` may read: all for the ministry, its own municipality's for a municipality
    account, none otherwise."""
    qs = DevelopmentAllocation.objects.select_related("municipality")
    if user_oversees(user):
        return qs
    municipality_id = user_municipality_id(user)
    if municipality_id is None or not user.has_perm("municipalities.view_developmentallocation"):
        return qs.none()
    return qs.filter(municipality_id=municipality_id)


def allocation_years(allocations: QuerySet[DevelopmentAllocation], rates: RateTable) -> list[dict[str, Any]]:
    """Allocations grouped by year, newest first: each year's rows and their USD total (amounts in a
    currency without a rate are kept apart in ``unconverted``)."""
    years: dict[int, dict[str, Any]] = {}
    for a in allocations.order_by("-year", "source", "pk"):
        year = years.setdefault(a.year, {"year": a.year, "rows": [], "usd": Decimal("0"), "unconverted": {}})
        usd = to_usd(a.amount, a.currency, a.year, rates)
        year["rows"].append({"id": a.pk, "source": a.source, "amount": a.amount, "currency": a.currency,
                             "usd": usd, "note": a.note})
        if usd is None:
            year["unconverted"][a.currency] = year["unconverted"].get(a.currency, Decimal("0")) + a.amount
        else:
            year["usd"] += usd
    return list(years.values())


def _side(projects: Any, municipality: Municipality, rates: RateTable) -> dict[str, Any]:
    """Projects, active projects and USD of ``projects`` in ``municipality``, by the portfolio's one money rule
    (``projects.selectors.money.usd_attributed``: the municipality's part of each budget, counted once)."""
    found = usd_attributed(projects, municipality_id=municipality.pk, rates=rates).get(municipality.pk)
    if found is None:
        return {"projects": 0, "active": 0, "usd": Decimal("0"), "unconverted": {}}
    return {k: found[k] for k in ("projects", "active", "usd", "unconverted")}


def municipality_government_figures(user: Any, municipality: Municipality) -> dict[str, Any]:
    """For the municipality file: ``government`` and ``international`` (projects, active, usd, unconverted)
    side by side; ``government_projects`` (at most GOVERNMENT_PROJECT_ROWS, biggest first) with their funder;
    ``allocations`` by year (None when ``user`` may not read them) and ``allocations_usd``."""
    rates = exchange_rate_table()
    visible = projects_counted_for(user)
    locations = ProjectLocation.objects.filter(
        municipality=municipality, project__in=visible.values("pk")).annotate(
        gov=ExpressionWrapper(government_project_condition("project_id", "project__"), output_field=BooleanField()))
    listed = []
    for r in (locations.filter(gov=True).order_by("-project__budget", "project_id")
              .values("project_id", "project__title_ar", "project__title_en", "project__status",
                      "project__budget", "project__currency", "project__reporting_partner__acronym",
                      "project__reporting_partner__name_ar", "project__reporting_partner__name_en")
              [:GOVERNMENT_PROJECT_ROWS]):
        listed.append({
            "id": r["project_id"], "title": bilingual_text(r["project__title_ar"], r["project__title_en"]),
            "status_label": ActivityStatus(r["project__status"]).label, "budget": r["project__budget"],
            "currency": r["project__currency"],
            "body": r["project__reporting_partner__acronym"] or bilingual_text(
                r["project__reporting_partner__name_ar"], r["project__reporting_partner__name_en"]),
        })
    allocations = allocations_visible_to(user).filter(municipality=municipality)
    years = allocation_years(allocations, rates) if (user_oversees(user) or user_municipality_id(user)
                                                     == municipality.pk) else None
    return {
        "government": _side(government_projects(visible), municipality, rates),
        "international": _side(international_projects(visible), municipality, rates),
        "government_projects": listed, "allocations": years,
        "allocations_usd": sum((y["usd"] for y in years), Decimal("0")) if years else Decimal("0"),
    }
