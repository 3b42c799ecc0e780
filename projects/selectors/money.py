"""Money totals in USD at the staff-set exchange rates, counted once, and the USD attributed to each place.

Every figure of money the pages show comes from here, so that the dashboard, the map and the municipality and
partner files agree to the dollar.

*Converted*: each budget at the rate of its planned start year (the nearest year known for the currency; this
year when the project has no planned start). Budgets in a currency without any rate are reported apart
(``unconverted``), never silently dropped.

*Counted once* (``money_counted``), within the set of projects a figure sums:

* a record the committee confirmed as a double report of another (``duplicate_of``) is not counted: the other
  record is;
* a *funder→implementer transfer*: IATI publishers report the same money twice, once by the funder (its
  activity, say XM-DAC-41114-A, with an outgoing disbursement to the implementer) and once by the implementer
  (its own activity, whose incoming funds name the funder's activity as ``provider-activity-id``). The import
  keeps both links (``Transaction.provider_activity_id`` / ``receiver_activity_id``, and a participating
  partner's own ``activity-id``: ``Participation.activity_id``), and the duplicate engine reads them as the
  same project reported twice. When both records are in the set being summed, the implementer's record is the
  one left out: its money is part of the funder's budget already, and the funder's record holds the whole
  grant (a funder's grant split among several implementers is counted once, at the funder). The implementer's
  record is recognised by any of: one of its transactions names a provider activity that is another record of
  the set; a transaction of another record of the set names it as the receiver activity; it names another
  record of the set as its funding partner's activity; another record names it as its implementing partner's
  activity. Chains (donor → agency → NGO) count the donor only. The records stay listed and counted as
  projects; only their money is not added again. When the funder's record is not in the set (another
  partner's draft, or filtered out), the implementer's record is counted.

*Attributed to a place* (``usd_attributed``): the part of each budget that falls in a municipality is its
share there over the sum of the project's shares when every one of its places has a positive share, else an
even split over the project's municipalities; within that a sector's part is its percentage over the sum of
the project's percentages (the gap engine's rule, ``coordination.analysis.gaps._fractions``).

All of it is grouped in the database by (key, currency, year) and converted per group: a fixed number of
queries whatever the size of the portfolio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear
from django.db.models.lookups import Exact

from projects.models import (
    ActivityStatus,
    ExchangeRate,
    OrganisationRole,
    Participation,
    Project,
    ProjectLocation,
    ProjectSector,
    Transaction,
)
from projects.money import RateTable, to_usd

SECTOR = "sector_id"  # the key ``usd_attributed`` adds for ``per_sector``


def exchange_rate_table() -> RateTable:
    table: RateTable = {}
    for currency, year, rate in ExchangeRate.objects.values_list("currency", "year", "usd_per_unit"):
        table.setdefault(currency, {})[year] = rate
    return table


# --- counted once ---------------------------------------------------------------------------------

def _identified(projects: QuerySet[Project]) -> QuerySet:
    return projects.exclude(iati_identifier__isnull=True).exclude(iati_identifier="").values("iati_identifier")


def _implementers(within: QuerySet[Project]) -> Q:
    """The records that are the implementer's side of money another record of ``within`` passed on to them
    (see the module's note), as one condition on Project rows. Empty activity identifiers are dropped first:
    they never name a record (``_identified``) and they are most rows, so the joins below stay small."""
    funders = _identified(within)
    own = Coalesce(F("project__iati_identifier"), Value(""))
    names_funder = (Transaction.objects.exclude(provider_activity_id="").filter(provider_activity_id__in=funders)
                    .exclude(provider_activity_id=own).values("project_id"))
    funded_by = (Participation.objects.exclude(activity_id="")
                 .filter(role=OrganisationRole.FUNDING, activity_id__in=funders)
                 .exclude(activity_id=own).values("project_id"))
    named_receiver = (Transaction.objects.exclude(receiver_activity_id="").filter(project__in=within.values("pk"))
                      .exclude(receiver_activity_id=own).values("receiver_activity_id"))
    implements_for = (Participation.objects.exclude(activity_id="")
                      .filter(project__in=within.values("pk"), role=OrganisationRole.IMPLEMENTING)
                      .exclude(activity_id=own).values("activity_id"))
    return (Q(pk__in=names_funder) | Q(pk__in=funded_by) | Q(iati_identifier__in=named_receiver)
            | Q(iati_identifier__in=implements_for))


def transfers_excluded(projects: QuerySet[Project], within: QuerySet[Project]) -> QuerySet[Project]:
    """``projects`` without the implementer's side of money another record of ``within`` passed on to it (see
    the module's note). Uncorrelated subqueries (hashed by the database), so it stays fast at any size."""
    return projects.exclude(_implementers(within))


def money_counted(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The records of ``projects`` whose budget a total of ``projects`` adds: with a budget, not a confirmed
    double report, not the implementer's side of a transfer from another record of ``projects``.

    Lazy: every query it is part of works the transfers out again. A page that sums several figures over the
    same set reads ``money_counted_once`` instead and passes it on (``counted=``)."""
    return transfers_excluded(projects.filter(budget__isnull=False, duplicate_of__isnull=True), projects)


# Above this many implementers' records the list is left to the database as a subquery again: a list of
# constants that long costs more to send and parse than the subquery costs to run once more.
COUNTED_ONCE_LIST_LIMIT = 5000


def money_counted_once(projects: QuerySet[Project]) -> QuerySet[Project]:
    """``money_counted(projects)`` with the transfers worked out now, in one query: the implementers' records
    (few: only records linked to another by an activity identifier) come back as a list of ids, and the set
    returned excludes those constants, so the figures a page sums from it (``counted=``) do not repeat the
    four subqueries over the whole portfolio. The same records as ``money_counted``: it reads the same rule."""
    ids = list(projects.filter(_implementers(projects)).order_by().values_list("pk", flat=True)
               [:COUNTED_ONCE_LIST_LIMIT + 1])
    if len(ids) > COUNTED_ONCE_LIST_LIMIT:
        return money_counted(projects)
    return projects.filter(budget__isnull=False, duplicate_of__isnull=True).exclude(pk__in=ids)


def usd_groups(rows: Iterable[dict[str, Any]], key: Any, rates: RateTable) -> dict[Any, dict[str, Any]]:
    """Rows of (key..., m_currency, m_year, m_total[, m_projects, m_active]) summed per key in USD."""
    this_year = dt.date.today().year
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        acc = out.setdefault(key(row), {"usd": Decimal("0"), "unconverted": {}, "projects": 0, "active": 0})
        acc["projects"] += row.get("m_projects") or 0
        acc["active"] += row.get("m_active") or 0
        if row["m_total"] is None:
            continue
        amount = Decimal(str(row["m_total"])).quantize(Decimal("0.01"))
        currency = row["m_currency"]
        usd = to_usd(amount, currency, row["m_year"] or this_year, rates)
        if usd is None:
            acc["unconverted"][currency] = acc["unconverted"].get(currency, Decimal("0")) + amount
        else:
            acc["usd"] += usd
    return out


def budget_total_usd(projects: QuerySet[Project] | None = None, *,
                     counted: QuerySet[Project] | None = None) -> dict[str, Any]:
    """Total budget in USD of ``projects`` (every project when None), counted once (``money_counted``):
    ``{"usd": Decimal, "unconverted": {currency: amount}}``, in two queries whatever the size. ``counted``:
    the set whose money is added when the caller has it already (``money_counted_once(projects)``)."""
    qs = Project.objects.all() if projects is None else projects
    money = money_counted(qs) if counted is None else counted
    rows = (money.order_by().values(m_currency=F("currency"), m_year=ExtractYear("planned_start"))
            .annotate(m_total=Sum("budget")))
    found = usd_groups(rows, lambda r: None, exchange_rate_table()).get(None)
    if found is None:
        return {"usd": Decimal("0"), "unconverted": {}}
    return {"usd": found["usd"], "unconverted": found["unconverted"]}


# --- attributed to places and sectors -------------------------------------------------------------

class _OuterValue(Func):
    """An expression of the outer row, inside a grouped subquery: a constant there, so never grouped by (SQLite
    refuses an outer column in GROUP BY)."""

    template = "%(expressions)s"

    def get_group_by_cols(self) -> list[Any]:
        return []


# Two ways to the same fractions, chosen by how many rows a query sums. Over much of the portfolio, the
# per-project totals are joined once from a grouped view (``projects.models.totals``: one pass over every part,
# hashed); over few rows (one municipality's), each row reads its own project's parts again through the index,
# which costs less than grouping every part of the portfolio for them.

def place_fraction(project: str = "project", share: str = "share") -> Any:
    """The part of a project that falls in one of its places (see the module's note): ``share`` (a path to a
    ProjectLocation share) over the sum of the project's shares when every place has a positive share, else
    one over the number of its places; from the project's totals (``ProjectPlaceTotals``, through
    ``project``, the path to the project)."""
    totals = f"{project}__place_totals__"
    return Case(
        When(**{f"{totals}unshared": 0}, then=Cast(share, FloatField()) / F(f"{totals}share_total")),
        default=Value(1.0) / Cast(f"{totals}places", FloatField()),
        output_field=FloatField(),
    )


def _place_fraction_read_per_row() -> Subquery:
    """``place_fraction`` of a ProjectLocation row from one correlated read of its project's places (indexed):
    the count, the count without a positive share and the sum of the shares from the same rows at once."""
    siblings = ProjectLocation.objects.filter(project_id=OuterRef("project_id")).order_by().values("project_id")
    unshared = Count("pk", filter=Q(share__isnull=True) | Q(share__lte=0))
    fraction = siblings.annotate(f=Case(
        When(Exact(unshared, 0), then=_OuterValue(Cast(OuterRef("share"), FloatField()), output_field=FloatField())
             / Sum(Cast("share", FloatField()))),
        default=Value(1.0) / Cast(Count("pk"), FloatField()),
        output_field=FloatField(),
    )).values("f")[:1]
    return Subquery(fraction, output_field=FloatField())


def with_place_fraction(locations: QuerySet[ProjectLocation], name: str = "fraction", *,
                        few: bool = False) -> QuerySet[ProjectLocation]:
    """ProjectLocation rows annotated with ``name``: the part of their project that falls in their
    municipality (``place_fraction``). ``few``: the rows are few (one municipality's), each reads its
    project's places itself."""
    return locations.annotate(**{name: _place_fraction_read_per_row() if few else place_fraction()})


def sector_fraction(percentage: str, project: str = "project", *, few: bool = False) -> Any:
    """The part of a project that goes to one of its sectors: ``percentage`` (a path to a ProjectSector
    percentage) over the sum of the project's percentages (``ProjectSectorTotals``, through ``project``, the
    path to the project; ``few``: read per row from the project's sector lines instead)."""
    if few:
        total: Any = Subquery(ProjectSector.objects.filter(project_id=OuterRef(f"{project}_id")).order_by()
                              .values("project_id").annotate(t=Sum(Cast("percentage", FloatField())))
                              .values("t")[:1], output_field=FloatField())
    else:
        total = F(f"{project}__sector_totals__percentage_total")
    return Cast(percentage, FloatField()) / total


def usd_attributed(
    projects: QuerySet[Project],
    *,
    by: Sequence[str] = ("municipality_id",),
    per_sector: bool = False,
    sector_id: int | None = None,
    municipality_id: int | None = None,
    counted: QuerySet[Project] | None = None,
    rates: RateTable | None = None,
    counts: bool = True,
) -> dict[Any, dict[str, Any]]:
    """The USD of ``projects`` attributed to each key (see the module's note), as
    ``{key: {"usd", "unconverted", "projects", "active"}}``; one query whatever the size.

    ``by``: ProjectLocation lookups the key is made of ("municipality_id", "municipality__district__region_id",
    "project__reporting_partner_id"); a key is the lookup's value when there is one, else a tuple.
    ``per_sector`` adds the sector (``SECTOR``) as the key's last part, each budget split among its sectors;
    ``sector_id`` counts only that sector's part (and projects in it); ``municipality_id`` only that
    municipality's rows. ``projects`` / ``active`` count the projects (in implementation) with a place under
    the key, whether their money is counted or not (``counts=False``: not counted, left 0, for a caller that
    reads the money only); ``counted`` is the set whose money is added (``money_counted(projects)`` unless
    given)."""
    keys = list(by)
    rows = ProjectLocation.objects.filter(project__in=projects.values("pk"))
    if municipality_id is not None:
        rows = rows.filter(municipality_id=municipality_id)
    weight: Any = F("fraction")
    split = per_sector or sector_id is not None
    few = municipality_id is not None  # one municipality's rows: each reads its project's parts
    if split:
        path = "project__sector_shares"
        if sector_id is not None:
            rows = rows.filter(**{f"{path}__sector_id": sector_id})
        else:
            rows = rows.filter(**{f"{path}__isnull": False}).annotate(**{SECTOR: F(f"{path}__sector_id")})
            keys.append(SECTOR)
        weight = weight * sector_fraction(f"{path}__percentage", few=few)
    if counted is None:
        # money_counted(projects) for rows already of ``projects``: the records with a budget, not a double
        # report, and not among the implementers' records (few), so the database hashes those few ids, not the
        # ids of every record counted.
        counts_money = (Q(project__budget__isnull=False, project__duplicate_of__isnull=True)
                        & ~Q(project_id__in=projects.filter(_implementers(projects)).order_by().values("pk")))
    else:
        counts_money = Q(project_id__in=counted.values("pk"))
    figures: dict[str, Any] = {"m_total": Sum(Cast("project__budget", FloatField()) * weight,
                                              filter=counts_money, output_field=FloatField())}
    if counts:
        # A project is one row per key when the key holds its municipality and no sector line is joined (a
        # project has each municipality once; it may have two lines of one sector, under two DAC codes): then a
        # plain count, which the database sums in a hash, not a sort of every row.
        distinct = split or ("municipality_id" not in keys and municipality_id is None)
        figures["m_projects"] = Count("project_id", distinct=distinct)
        figures["m_active"] = Count("project_id", distinct=distinct,
                                    filter=Q(project__status=ActivityStatus.IMPLEMENTATION))
    grouped = (with_place_fraction(rows, few=few).order_by()
               .values(*keys, m_currency=F("project__currency"), m_year=ExtractYear("project__planned_start"))
               .annotate(**figures))
    if len(keys) == 1:
        def key(row: dict[str, Any]) -> Any:
            return row[keys[0]]
    else:
        def key(row: dict[str, Any]) -> Any:
            return tuple(row[k] for k in keys)
    return usd_groups(grouped, key, exchange_rate_table() if rates is None else rates)
