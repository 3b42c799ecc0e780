"""Reads for the ministry's dashboard: headline figures and the series its charts draw, for one reader and
one choice of period, sector and partner, in a fixed number of queries whatever the size of the portfolio.

Every figure starts from ``projects_counted_for(user)`` (another partner's drafts never count) and counts
money once (``projects.selectors.money.money_counted``): records the committee confirmed as a double report of
another (``duplicate_of``) and the implementer's record of money a funder's record passed on to it
(``provider-activity-id`` and the like) are left out. "Reached" is the gap engine's: a municipality where a
project is active today (``coordination.selectors.gaps.active_project_candidates``, the engine's rule).

Money is grouped in the database by (key, currency, year of planned start) and converted to USD at the
staff-set rate of that year, as the totals elsewhere are. A project's budget is split among its sectors by
percentage and among its municipalities by share (equally when shares are not all given), as the gap
engine splits it (``projects.selectors.money.usd_attributed``); what has no sector or no municipality is reported as such, so each chart adds up to the
total. With a sector chosen, the money counted is that sector's share of each budget.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    FloatField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, ExtractQuarter, ExtractYear

from coordination.models import AlignmentFlag, DelayFlag, DuplicateFlag, FlagStatus, GapFlag
from coordination.selectors.alignment import (
    alignment_flags_stored_for,
    alignment_share_by_partner,
    alignment_shares_summed,
)
from coordination.selectors.coverage import stored_coverage_for
from coordination.selectors.delays import delay_flags_visible_to
from coordination.selectors.duplicates import duplicate_flags_visible_to
from coordination.selectors.flags import gap_flags_stored_for
from coordination.selectors.gaps import active_project_candidates
from coordination.services.gaps import gap_flags_found_for
from municipalities.models import Municipality, Region, Sector
from projects.models import ActivityStatus, Participation, Partner, Project, ProjectLocation, ProjectSector
from projects.money import RateTable, to_usd
from projects.selectors.government import international_projects
from projects.selectors.money import (
    budget_total_usd,
    exchange_rate_table,
    money_counted_once,
    sector_fraction,
    usd_attributed,
)
from projects.selectors.projects import projects_counted_for

PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")
YEARS = (1990, 2100)


@dataclass(frozen=True, slots=True)
class DashboardPeriod:
    """A year ("2025") or a quarter ("2025-Q2") of the calendar."""

    key: str
    start: dt.date
    end: dt.date
    quarter: int | None = None

    @property
    def year(self) -> int:
        return self.start.year


def dashboard_period(value: str) -> DashboardPeriod:
    """The period a key names; ValueError for anything else."""
    found = PERIOD_PATTERN.match((value or "").strip().upper())
    if not found or not YEARS[0] <= int(found["year"]) <= YEARS[1]:
        raise ValueError(value)
    year = int(found["year"])
    if found["quarter"] is None:
        return DashboardPeriod(f"{year}", dt.date(year, 1, 1), dt.date(year, 12, 31))
    quarter = int(found["quarter"])
    first = dt.date(year, 3 * quarter - 2, 1)
    last = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return DashboardPeriod(f"{year}-Q{quarter}", first, last - dt.timedelta(days=1), quarter)


@dataclass(frozen=True, slots=True)
class DashboardFilters:
    period: DashboardPeriod | None = None
    sector_id: int | None = None
    partner_id: int | None = None
    # Leave out the government's own projects (projects.selectors.government): the partners' money alone.
    international_only: bool = False


def dashboard_projects(user: Any, filters: DashboardFilters) -> QuerySet[Project]:
    """The projects the dashboard counts for ``user``: those they may count, once each, narrowed by the filters.

    A project is in a period when it runs during it (its actual dates, else its planned ones; an unknown
    start or end leaves that side open); in a sector when it has a share in it; with a partner when the
    partner reports it or takes part in it (funding, implementing, ...)."""
    qs = projects_counted_for(user).filter(duplicate_of__isnull=True)
    if filters.period is not None:
        qs = qs.alias(run_start=Coalesce("actual_start", "planned_start"),
                      run_end=Coalesce("actual_end", "planned_end")).filter(
            Q(run_start__isnull=True) | Q(run_start__lte=filters.period.end),
            Q(run_end__isnull=True) | Q(run_end__gte=filters.period.start))
    if filters.sector_id is not None:
        qs = qs.filter(pk__in=ProjectSector.objects.filter(sector_id=filters.sector_id).values("project_id"))
    if filters.partner_id is not None:
        qs = qs.filter(Q(reporting_partner_id=filters.partner_id) | Q(
            pk__in=Participation.objects.filter(partner_id=filters.partner_id).values("project_id")))
    if filters.international_only:
        qs = international_projects(qs)
    return qs


def dashboard_period_years(user: Any) -> tuple[int, int] | None:
    """The first and last planned start years among the projects ``user`` may count (the period choices)."""
    found = projects_counted_for(user).aggregate(first=Min("planned_start"), last=Max("planned_start"))
    if found["first"] is None:
        return None
    return found["first"].year, found["last"].year


# --- money, grouped in the database ------------------------------------------------------------------

def _float(expression: Any) -> Any:
    return Cast(expression, FloatField())


def _region_rows(projects: QuerySet[Project], sector_id: int | None, rates: RateTable,
                 counted: QuerySet[Project]) -> dict[Any, Decimal]:
    """Money by region: each budget's part in each municipality, and within it the chosen sector's part
    (``projects.selectors.money.usd_attributed``, the one rule for money attributed to places)."""
    found = usd_attributed(projects, by=("municipality__district__region_id",), sector_id=sector_id, rates=rates,
                           counted=counted, counts=False)
    return {k: v["usd"] for k, v in found.items()}


def _grouped(qs: QuerySet, prefix: str, weight: Any, *keys: str, quarter: bool = False) -> QuerySet:
    groups: dict[str, Any] = {"m_currency": F(f"{prefix}currency"), "m_year": ExtractYear(f"{prefix}planned_start")}
    if quarter:
        groups["m_quarter"] = ExtractQuarter(f"{prefix}planned_start")
    amount = _float(F(f"{prefix}budget")) if weight is None else _float(F(f"{prefix}budget")) * weight
    return qs.values(*keys, **groups).annotate(m_total=Sum(amount, output_field=FloatField())).order_by()


def _in_usd(rows: QuerySet, key: Any, rates: RateTable, this_year: int) -> tuple[dict[Any, Decimal], dict[str, Decimal]]:
    """Rows of (key..., currency, year, total) as USD per key, and what has no rate, by currency."""
    out: dict[Any, Decimal] = {}
    unconverted: dict[str, Decimal] = {}
    for row in rows:
        amount = Decimal(str(row["m_total"] or 0))
        usd = to_usd(amount, row["m_currency"], row["m_year"] or this_year, rates)
        if usd is None:
            unconverted[row["m_currency"]] = unconverted.get(row["m_currency"], Decimal("0")) + amount
            continue
        k = key(row)
        out[k] = out.get(k, Decimal("0")) + usd
    return out, unconverted


def _money(projects: QuerySet[Project], filters: DashboardFilters, rates: RateTable, this_year: int) -> dict[str, Any]:
    sector_id = filters.sector_id
    money = money_counted_once(projects)  # the transfers worked out once, for every chart below
    if sector_id is None:
        time_rows = _grouped(money, "", None, quarter=True)
        sector_rows = _grouped(ProjectSector.objects.filter(project__in=money.values("pk")), "project__",
                               sector_fraction("percentage"), "sector_id")
    else:
        time_rows = _grouped(ProjectSector.objects.filter(project__in=money.values("pk"), sector_id=sector_id),
                             "project__", sector_fraction("percentage"), quarter=True)
        sector_rows = None

    by_time, unconverted = _in_usd(time_rows, lambda r: (r["m_year"], r.get("m_quarter")), rates, this_year)
    if sector_id is None:
        counted = budget_total_usd(projects, counted=money)  # the definition of the total everywhere else
        total, unconverted = counted["usd"], counted["unconverted"]
        by_sector, _ = _in_usd(sector_rows, lambda r: r["sector_id"], rates, this_year)
    else:
        total = sum(by_time.values(), Decimal("0"))
        by_sector = {sector_id: total}
    by_region = _region_rows(projects, sector_id, rates, money)
    return {
        "usd": total, "unconverted": unconverted, "by_time": by_time, "by_sector": by_sector,
        "by_region": by_region,
        # What the charts cannot place: no sector, no municipality (national), no planned start.
        "without_sector": _rest(total, by_sector), "without_municipality": _rest(total, by_region),
        "without_start": by_time.get((None, None), Decimal("0")),
    }


def _rest(total: Decimal, parts: dict[Any, Decimal]) -> Decimal:
    rest = total - sum(parts.values(), Decimal("0"))
    return rest if rest >= 1 else Decimal("0")  # cents lost to rounding are not a bucket


# --- the figures ----------------------------------------------------------------------------------

def dashboard_flag_counts(user: Any, projects: QuerySet[Project], filters: DashboardFilters) -> dict[str, int]:
    """Open duplicate, gap and delay flags ``user`` may see (the queues' own rules), among the filtered
    projects. A gap is a place without a project, so the partner and period filters do not narrow it;
    the sector does."""
    narrowed = filters != DashboardFilters()
    ids = projects.values("pk")
    duplicates = duplicate_flags_visible_to(user, DuplicateFlag.objects.filter(
        status=FlagStatus.OPEN, resolved_at__isnull=True))
    delays = delay_flags_visible_to(user, DelayFlag.objects.filter(status=FlagStatus.OPEN, resolved_at__isnull=True))
    if narrowed:
        duplicates = duplicates.filter(Q(project_a__in=ids) | Q(project_b__in=ids))
        delays = delays.filter(project__in=ids)
    if gap_flags_stored_for(user):
        gaps_qs = GapFlag.objects.filter(status=FlagStatus.OPEN, resolved_at__isnull=True)
        if filters.sector_id is not None:
            gaps_qs = gaps_qs.filter(sector_id=filters.sector_id)
        gaps = gaps_qs.count()
    else:
        sector = {"sector": str(filters.sector_id)} if filters.sector_id is not None else {}
        gaps = len(gap_flags_found_for(user=user, filters=sector))
    return {"duplicates": duplicates.count(), "gaps": gaps, "delays": delays.count()}


def dashboard_alignment_flag_count(user: Any, projects: QuerySet[Project], filters: DashboardFilters) -> int | None:
    """Open alignment flags, for the ministry's staff whose queue they are (None for the others). A
    municipality's flag has no project: the partner and period filters do not narrow it."""
    if not alignment_flags_stored_for(user):
        return None
    flags = AlignmentFlag.objects.filter(status=FlagStatus.OPEN, resolved_at__isnull=True)
    if filters != DashboardFilters():
        flags = flags.filter(Q(project__in=projects.values("pk")) | Q(project__isnull=True))
    return flags.count()


def dashboard_alignment(user: Any, projects: QuerySet[Project], filters: DashboardFilters) -> dict[str, Any]:
    """The share of the filtered active projects' money (and of the projects) aligned with an approved
    plan's objective, and each partner's (``coordination.selectors.alignment.alignment_shares``, the plan
    pages' rule), and the open alignment flags. With a sector chosen, the share is of that sector's part
    of each budget."""
    shares = alignment_shares_summed(projects, sector_id=filters.sector_id)
    overall = next(iter(shares["sector" if filters.sector_id is not None else "all"]), None)
    return {"overall": overall, "by_partner": alignment_share_by_partner(user, shares=shares),
            "flags": dashboard_alignment_flag_count(user, projects, filters)}


def dashboard_figures(user: Any, filters: DashboardFilters, *, today: dt.date) -> dict[str, Any]:
    """Everything the dashboard shows for ``user`` and ``filters``, as plain data (ids and numbers; names
    are joined in by ``dashboard_names``)."""
    projects = dashboard_projects(user, filters)
    by_status = {row["status"]: row["n"] for row in projects.values("status").annotate(n=Count("id")).order_by()}
    active = active_project_candidates(today, projects=projects)
    # Reached as the gap engine has it: unfiltered, the stored figures (``coordination.selectors.coverage``);
    # filtered, counted in SQL over the project-location rows (municipality ids only, no geometry).
    stored = stored_coverage_for(user, on=today, level="municipality") if filters == DashboardFilters() else None
    if stored is not None:
        municipalities = len(stored.rows)
        reached = sum(1 for r in stored.rows if not r["unreached"])
    else:
        reached = (ProjectLocation.objects.filter(project__in=active.values("pk")).values("municipality_id")
                   .distinct().count())
        municipalities = Municipality.objects.count()
    ids = projects.values("pk")
    partners = Partner.objects.filter(Q(pk__in=projects.values("reporting_partner_id")) | Q(
        pk__in=Participation.objects.filter(project__in=ids).values("partner_id"))).count()
    return {
        "projects": {"total": sum(by_status.values()), "active": active.count(),
                     "pipeline": by_status.get(ActivityStatus.PIPELINE, 0)},
        "by_status": by_status,
        "partners": partners,
        "municipalities": municipalities,
        "municipalities_reached": reached,
        "municipalities_not_reached": municipalities - reached,
        "budget": _money(projects, filters, exchange_rate_table(), today.year),
        "flags": dashboard_flag_counts(user, projects, filters),
        "alignment": dashboard_alignment(user, projects, filters),
        "as_of": stored.as_of if stored is not None else None,
    }


def dashboard_names() -> dict[str, dict[int, tuple[str, str, str]]]:
    """Sectors and regions by id, as (code, Arabic name, English name), in their display order."""
    return {
        "sectors": {pk: (code, ar, en) for pk, code, ar, en in
                    Sector.objects.order_by("order", "code").values_list("id", "code", "name_ar", "name_en")},
        "regions": {pk: (code, ar, en) for pk, code, ar, en in
                    Region.objects.order_by("pcode").values_list("id", "pcode", "name_ar", "name_en")},
    }
