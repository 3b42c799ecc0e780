"""Reads for the project pages: the list's order and period, each row's budget in USD, the project's map.

The USD figures use the staff-set rates through ``projects.money.usd_rate`` (the nearest year when the
planned start's year has none), so a budget reads the same here as in every total; the list is sorted by
that figure in the database (``budget_usd_expression``), so sorting by budget compares like with like
whatever the currencies.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from common.bilingual import bilingual_text
from common.formatting import percent_format
from common.geojson import web_geometry
from projects.models import Project
from projects.money import RateTable, to_usd, usd_rate

# The list's orders: the URL's value -> the columns (a tie is broken by the newest record first).
PROJECT_SORTS: dict[str, tuple[str, ...]] = {
    "title": ("title_sort",),
    "start": ("start_sort",),
    "end": ("end_sort",),
    "budget": ("budget_usd_sort",),
    "status": ("status",),
    "updated": ("updated_at",),
}
PROJECT_SORT_DEFAULT = "-updated"

_RATE = DecimalField(max_digits=18, decimal_places=8)
_MONEY = DecimalField(max_digits=28, decimal_places=8)


def _rate_for_currency(currency: str, rates: RateTable, this_year: int) -> Any:
    """The rate of ``currency`` at the planned start's year (``this_year`` without one), by the nearest-year
    rule of ``usd_rate``, as a CASE over the planned start itself: comparing the date with the first day of the
    year after each midpoint costs a fraction of extracting the year in every branch (sorting 100,000 projects
    by budget computes it for each one)."""
    known = sorted(rates.get(currency) or {})
    if not known:
        return None
    # Years up to each midpoint take the earlier rate (it wins a tie, as in usd_rate).
    whens = [When(planned_start__isnull=True, then=Value(usd_rate(rates, currency, this_year), output_field=_RATE))]
    whens += [When(planned_start__lt=dt.date((earlier + later) // 2 + 1, 1, 1),
                   then=Value(usd_rate(rates, currency, earlier), output_field=_RATE))
              for earlier, later in zip(known, known[1:], strict=False)]
    last = Value(usd_rate(rates, currency, known[-1]), output_field=_RATE)
    return Case(*whens, default=last, output_field=_RATE)


def budget_usd_expression(rates: RateTable, *, this_year: int | None = None) -> Any:
    """A project's budget in USD as a database expression (None without a budget or a rate): the rule of
    ``projects.money.to_usd`` at the planned start's year (this year without one)."""
    this_year = this_year or dt.date.today().year
    per_currency = [When(currency="USD", then=Value(Decimal("1"), output_field=_RATE))]
    for currency in sorted(rates):
        rate = _rate_for_currency(currency, rates, this_year)
        if rate is not None and currency != "USD":
            per_currency.append(When(currency=currency, then=rate))
    rate = Case(*per_currency, default=Value(None, output_field=_RATE), output_field=_RATE)
    return ExpressionWrapper(F("budget") * rate, output_field=_MONEY)


def project_sort(projects: QuerySet[Project], sort: str | None, *, rates: RateTable) -> QuerySet[Project]:
    """``projects`` in the order ``sort`` names (a key of PROJECT_SORTS, "-" first for descending);
    empty values sort last either way."""
    sort = sort or PROJECT_SORT_DEFAULT
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    columns = PROJECT_SORTS.get(key) or PROJECT_SORTS["updated"]
    if key == "title":
        projects = projects.annotate(title_sort=Case(When(title_en="", then=F("title_ar")), default=F("title_en")))
    elif key == "start":
        projects = projects.annotate(start_sort=Coalesce("actual_start", "planned_start"))
    elif key == "end":
        projects = projects.annotate(end_sort=Coalesce("actual_end", "planned_end"))
    elif key == "budget":
        projects = projects.annotate(budget_usd_sort=budget_usd_expression(rates))
    order = [F(c).desc(nulls_last=True) if descending else F(c).asc(nulls_last=True) for c in columns]
    return projects.order_by(*order, "-pk")


def project_page(projects: QuerySet[Project], number: Any, *, per_page: int) -> Page:
    """The page ``number`` of ``projects`` (ordered, with their joins and prefetches): the page's ids are
    chosen by a query of ids alone, so the database sorts narrow rows and stops at the page (the whole rows,
    joined before a limit, were sorted on disk: 150 ms at 100,000 projects sorted by budget); then the page's
    projects are read by id, in that order."""
    page = Paginator(projects.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    found = {p.pk: p for p in projects.filter(pk__in=ids).order_by()}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def project_active_between(projects: QuerySet[Project], start: dt.date | None, end: dt.date | None
                           ) -> QuerySet[Project]:
    """Projects whose dates (actual, else planned) overlap the period from ``start`` to ``end`` (either may
    be open). A project with neither a start nor an end date is not known to be active in any period."""
    if start is None and end is None:
        return projects
    began = Coalesce("actual_start", "planned_start")
    ended = Coalesce("actual_end", "planned_end")
    projects = projects.annotate(period_began=began, period_ended=ended).exclude(
        period_began__isnull=True, period_ended__isnull=True)
    if end is not None:
        projects = projects.filter(Q(period_began__isnull=True) | Q(period_began__lte=end))
    if start is not None:
        projects = projects.filter(Q(period_ended__isnull=True) | Q(period_ended__gte=start))
    return projects


def project_budget_usd(project: Project, rates: RateTable) -> Decimal | None:
    """``project``'s budget in USD at its planned start's year (None without a budget or a rate)."""
    return project_amount_usd(project, project.budget, rates)


def project_amount_usd(project: Project, amount: Decimal | None, rates: RateTable) -> Decimal | None:
    """An amount in ``project``'s currency (its budget, its spend) in USD at its planned start's year, the
    year ``projects.selectors.money`` converts budgets at."""
    year = project.planned_start.year if project.planned_start else dt.date.today().year
    return to_usd(amount, project.currency, year, rates)


def project_map_data(project: Project) -> dict[str, Any]:
    """What the project's map draws: its municipalities (area simplified for the web, else the point; the
    area's kind) and its sites. ``project`` comes from ``project_detail_queryset`` (sites and locations
    prefetched); the areas are read here, in one query."""
    from municipalities.models import Municipality

    shares = {loc.municipality_id: loc.share for loc in project.locations.all()}
    places = []
    for m in Municipality.objects.filter(pk__in=list(shares)).only(
            "pk", "slug", "name_ar", "name_en", "pcode", "area", "area_is_official", "point").order_by("pcode", "pk"):
        places.append({
            "id": m.pk, "slug": m.slug, "name": bilingual_text(m.name_ar, m.name_en), "pcode": m.pcode,
            "area": web_geometry(m.area, tolerance=0.001) if m.area is not None else None,
            "area_is_official": bool(m.area is not None and m.area_is_official),
            "point": [round(m.point.x, 5), round(m.point.y, 5)] if m.point is not None else None,
            "share": float(shares[m.pk]) if shares.get(m.pk) is not None else None,
            "share_text": percent_format(shares[m.pk] / 100) if shares.get(m.pk) is not None else "",
        })
    sites = [{"lon": round(s.point.x, 6), "lat": round(s.point.y, 6), "name": str(s),
              "municipality": str(s.municipality) if s.municipality_id else ""} for s in project.sites.all()]
    return {"places": places, "sites": sites}


def plan_objectives_allowed(municipality_ids: list[int] | set[int]) -> QuerySet:
    """The plan objectives a project in ``municipality_ids`` may serve: those of the national plans and of
    those municipalities' own plans, with their plan joined, in the plans' order."""
    from municipalities.models import DevelopmentPlan, PlanObjective

    return (PlanObjective.objects.filter(Q(plan__level=DevelopmentPlan.Level.NATIONAL)
                                         | Q(plan__municipality_id__in=list(municipality_ids)))
            .select_related("plan", "plan__municipality").order_by("plan__level", "-plan__start_year", "plan_id",
                                                                   "code"))
