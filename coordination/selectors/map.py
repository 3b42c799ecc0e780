"""Reads for the map of municipalities: the figure of a measure per municipality given the filters, the
project sites and the duplicate pairs, all of the projects the reader may count (``projects_counted_for``).

Every figure is an aggregate in the database (grouped by municipality, never by geometry), so each read is a
fixed number of queries whatever the size of the portfolio; only the gap score runs the gap engine (the one
definition of a gap, fed in its own fixed number of queries).

Definitions (the gap engine's, ``coordination.analysis.gaps``):

* *selected projects*: those the reader may count, narrowed by the filters (sector, partner in any role,
  status, period: the project's dates overlap it; a missing date leaves that side open), records confirmed
  as a double report of another left out;
* *active* on the reference day (today, or the period's end when it is past, its start when it is still to
  come): status implementation, started by then and not actually ended; a municipality with no active
  selected project is *unreached*;
* *USD per capita*: the selected projects' budgets in USD (each at the rate of its planned start year),
  counted once, split among their municipalities by share (normalised) or else equally, and with a sector
  chosen, that sector's part (``projects.selectors.money.usd_attributed``), over the population;
* *severity of need*: the highest severity among the latest assessments on or before the day (of the
  filtered sector only, when one is chosen);
* *share of money aligned*: of the active selected projects' money attributed to the municipality (as for
  USD per capita), the part of those serving an approved plan's objective (a link confirmed or suggested,
  the plan pages' rule, ``coordination.selectors.alignment``); no figure where no money is counted;
* *open flags*: open duplicate pairs the reader may see with a selected project there, open delay flags of
  selected projects there, and, for ministry staff (who are served the stored gap flags), open gap flags.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import Polygon
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Floor

from coordination.analysis.gaps import gap_score
from coordination.models import DelayFlag, DuplicateFlag, FlagStatus, GapFlag
from coordination.selectors.coverage import stored_coverage_for
from coordination.selectors.duplicates import duplicate_flags_visible_to
from coordination.selectors.flags import gap_flags_stored_for
from coordination.selectors.gaps import active_project_candidates
from municipalities.models import Municipality, Need, Sector
from projects.models import Participation, Project, ProjectLocation, ProjectSector, Site
from projects.selectors.money import usd_attributed
from projects.selectors.projects import projects_counted_for

MEASURES = ("active_projects", "usd_per_capita", "gap_score", "severity", "open_flags", "aligned_share")
# The measures whose figures the stored coverage gives (the rest are read live, beside its active projects).
STORED_MEASURES = ("active_projects", "usd_per_capita", "gap_score")
# How each measure's classes are drawn (coordination.analysis.map_classes.classify).
MEASURE_SCALES = {"active_projects": "count", "usd_per_capita": "amount", "gap_score": "score",
                  "severity": "severity", "open_flags": "count", "aligned_share": "share"}


@dataclass(frozen=True, slots=True)
class MapFilters:
    sector: Sector | None = None
    partner_id: int | None = None
    status: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def reference_day(self, today: dt.date) -> dt.date:
        """The day "active" is read on: today, held inside the period."""
        if self.end is not None and self.end < today:
            return self.end
        if self.start is not None and self.start > today:
            return self.start
        return today


def map_projects(user: Any, filters: MapFilters) -> QuerySet[Project]:
    """The selected projects (see the module's note)."""
    qs = projects_counted_for(user).filter(duplicate_of__isnull=True)
    if filters.sector is not None:
        qs = qs.filter(pk__in=ProjectSector.objects.filter(sector=filters.sector).values("project_id"))
    if filters.partner_id is not None:
        qs = qs.filter(Q(reporting_partner_id=filters.partner_id) | Q(
            pk__in=Participation.objects.filter(partner_id=filters.partner_id).values("project_id")))
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    starts = Coalesce("actual_start", "planned_start")
    ends = Coalesce("actual_end", "planned_end")
    if filters.end is not None:
        qs = qs.alias(map_start=starts).filter(Q(map_start__isnull=True) | Q(map_start__lte=filters.end))
    if filters.start is not None:
        qs = qs.alias(map_end=ends).filter(Q(map_end__isnull=True) | Q(map_end__gte=filters.start))
    return qs


def active_projects_by_municipality(active: QuerySet[Project]) -> dict[int, int]:
    rows = (ProjectLocation.objects.filter(project__in=active.values("pk")).order_by()
            .values("municipality_id").annotate(n=Count("project_id", distinct=True)))
    return {row["municipality_id"]: row["n"] for row in rows}


def budget_usd_by_municipality(selected: QuerySet[Project], *, sector: Sector | None = None
                                ) -> tuple[dict[int, float], set[str]]:
    """Each municipality's part of the selected projects' budgets in USD, counted once, and within it the
    chosen sector's part (``projects.selectors.money.usd_attributed``, the one rule for money attributed to
    places); and the currencies that have no rate (their budgets are left out)."""
    found = usd_attributed(selected, sector_id=sector.pk if sector is not None else None)
    unconverted = {currency for v in found.values() for currency in v["unconverted"]}
    return {k: float(v["usd"]) for k, v in found.items()}, unconverted


def need_severity_by_municipality(*, on: dt.date, sector: Sector | None) -> dict[int, int]:
    needs = Need.objects.filter(assessed_on__lte=on)
    if sector is not None:
        needs = needs.filter(sector=sector)
    newer = Need.objects.filter(municipality_id=OuterRef("municipality_id"), sector_id=OuterRef("sector_id"),
                                assessed_on__gt=OuterRef("assessed_on"), assessed_on__lte=on)
    rows = needs.filter(~Exists(newer)).order_by().values("municipality_id").annotate(severity=Max("severity"))
    return {row["municipality_id"]: row["severity"] for row in rows}


def open_flags_by_municipality(user: Any, selected: QuerySet[Project], *, sector: Sector | None) -> dict[int, int]:
    """Open flags per municipality (see the module's note), as grouped counts (three or four queries): a
    correlated count per municipality re-ran the selection for each one (13 s at 100,000 projects)."""
    ids = selected.values("pk")
    counts: Counter[int] = Counter()
    pairs = duplicate_flags_visible_to(user, DuplicateFlag.objects.filter(status=FlagStatus.OPEN,
                                                                           resolved_at__isnull=True))
    # A pair counts once where either of its selected projects is: where project a is, then where project b
    # is and project a is not counted (not selected, or not there).
    via_a = pairs.filter(project_a__in=ids).annotate(place=F("project_a__locations__municipality_id"))
    a_there = ProjectLocation.objects.filter(project_id=OuterRef("project_a_id"), municipality_id=OuterRef("place"))
    via_b = (pairs.filter(project_b__in=ids).annotate(place=F("project_b__locations__municipality_id"))
             .exclude(Q(project_a__in=ids) & Exists(a_there)))
    delays = (DelayFlag.objects.filter(status=FlagStatus.OPEN, resolved_at__isnull=True, project__in=ids)
              .annotate(place=F("project__locations__municipality_id")))
    parts: list[QuerySet[Any]] = [via_a, via_b, delays]
    if gap_flags_stored_for(user):
        gaps = GapFlag.objects.filter(status=FlagStatus.OPEN, resolved_at__isnull=True).annotate(
            place=F("municipality_id"))
        if sector is not None:
            gaps = gaps.filter(Q(sector=sector) | Q(sector__isnull=True))
        parts.append(gaps)
    for part in parts:
        for row in part.filter(place__isnull=False).order_by().values("place").annotate(n=Count("pk", distinct=True)):
            counts[row["place"]] += row["n"]
    return {pk: counts.get(pk, 0) for pk in Municipality.objects.order_by().values_list("pk", flat=True)}


def aligned_share_by_municipality(active: QuerySet[Project], *, sector: Sector | None = None
                                  ) -> tuple[dict[int, float | None], set[str]]:
    """Each municipality's share of the active projects' money that serves an approved plan (two queries)."""
    from coordination.models import ObjectiveLink
    from coordination.selectors.alignment import COUNTING

    aligned = active.filter(pk__in=ObjectiveLink.objects.filter(
        status__in=COUNTING, objective__plan__status="approved").values("project_id"))
    total, unconverted = budget_usd_by_municipality(active, sector=sector)
    part, _ = budget_usd_by_municipality(aligned, sector=sector)
    return {m: (part.get(m, 0.0) / usd if usd >= 1 else None) for m, usd in total.items()}, unconverted


def need_by_municipality(*, on: dt.date, sector: Sector | None) -> dict[int, tuple[int, int | None]]:
    """Each municipality's need as the gap engine reads it: over the latest assessment of each of its sectors on
    or before ``on`` (of ``sector`` only, when given), the highest severity and the largest people in need
    (``coordination.analysis.gaps``; one query)."""
    needs = Need.objects.filter(assessed_on__lte=on)
    if sector is not None:
        needs = needs.filter(sector=sector)
    newer = Need.objects.filter(municipality_id=OuterRef("municipality_id"), sector_id=OuterRef("sector_id"),
                                assessed_on__gt=OuterRef("assessed_on"), assessed_on__lte=on)
    rows = (needs.filter(~Exists(newer)).order_by().values("municipality_id")
            .annotate(severity=Max("severity"), people=Max("people_in_need")))
    return {row["municipality_id"]: (row["severity"], row["people"] or None) for row in rows}


def gap_scores_by_municipality(active: QuerySet[Project], *, on: dt.date, sector: Sector | None,
                               projects_here: dict[int, int], population: dict[int, int | None]
                               ) -> dict[int, float]:
    """The gap engine's score of each municipality (or of its ``sector`` cell) over the ``active`` projects,
    from aggregates in the database: the money attributed there (every budget with a rate, as the engine counts
    it), the active projects there (``projects_here``) and the need; only the formula runs here, once per
    municipality (``coordination.analysis.gaps.gap_score``). Two queries whatever the size."""
    from coordination.services.gaps import gap_settings  # services import selectors: read it late

    cfg = gap_settings()
    money = usd_attributed(active, sector_id=sector.pk if sector is not None else None,
                           counted=active.filter(budget__isnull=False))
    needs = need_by_municipality(on=on, sector=sector)
    scores = {}
    for m_id, people_count in population.items():
        severity, people_in_need = needs.get(m_id, (None, None))
        found = money.get(m_id)
        scores[m_id] = gap_score(severity=severity, people=people_in_need or people_count or None,
                                 budget_usd=float(found["usd"]) if found else 0.0,
                                 projects=projects_here.get(m_id, 0), settings=cfg)
    return scores


@dataclass(slots=True)
class MapFigures:
    on: dt.date
    measure: str
    municipalities: list[dict[str, Any]]  # id, slug, pcode, name_ar, name_en, population
    values: dict[int, float | None]
    active: dict[int, int]
    projects: int
    active_projects: int
    unconverted: set[str]
    as_of: dt.datetime | None = None  # the stored figures' time; None: computed on request


def map_figures(user: Any, filters: MapFilters, *, measure: str, today: dt.date | None = None) -> MapFigures:
    """The measure's figure per municipality (None where unknown), and the counts beside it."""
    if measure not in MEASURES:
        raise ValueError(f"Unknown measure: {measure}")
    on = filters.reference_day(today or dt.date.today())
    selected = map_projects(user, filters)
    active_qs = active_project_candidates(on, projects=selected)
    municipalities = list(Municipality.objects.order_by("district__pcode", "name_en").values(
        "id", "slug", "pcode", "name_ar", "name_en", "population"))
    unconverted: set[str] = set()
    values: dict[int, float | None]
    ids = [m["id"] for m in municipalities]
    # With no partner, status or period chosen, the active projects per municipality, money and gap scores are
    # the stored figures' (sector cells hold exactly the projects in that sector): ``coordination.selectors.
    # coverage``; the engine's "active" is the map's (``active_project_candidates``) with a place there.
    stored = None
    if filters == MapFilters(sector=filters.sector):
        stored = stored_coverage_for(user, on=on, sector_id=filters.sector.pk if filters.sector else None,
                                     money=measure == "usd_per_capita")
    if stored is not None:
        active = {r["municipality_id"]: r["active_projects"] for r in stored.rows if r["active_projects"]}
    else:
        active = active_projects_by_municipality(active_qs)
    as_of = stored.as_of if stored is not None and measure in STORED_MEASURES else None
    if measure == "active_projects":
        values = {i: float(active.get(i, 0)) for i in ids}
    elif stored is not None and measure == "usd_per_capita":
        money = {r["municipality_id"]: r["usd_attributed"] for r in stored.rows}
        unconverted = {c for r in stored.rows for c in r["usd_unconverted"]}
        values = {m["id"]: (money.get(m["id"], 0.0) / m["population"] if m["population"] else None)
                  for m in municipalities}
    elif stored is not None and measure == "gap_score":
        scores = {r["municipality_id"]: r["gap_score"] for r in stored.rows}
        values = {i: scores.get(i) for i in ids}
    elif measure == "usd_per_capita":
        money, unconverted = budget_usd_by_municipality(selected, sector=filters.sector)
        values = {m["id"]: (money.get(m["id"], 0.0) / m["population"] if m["population"] else None)
                  for m in municipalities}
    elif measure == "severity":
        severity = need_severity_by_municipality(on=on, sector=filters.sector)
        values = {i: (float(severity[i]) if i in severity else None) for i in ids}
    elif measure == "aligned_share":
        shares, unconverted = aligned_share_by_municipality(active_qs, sector=filters.sector)
        values = {i: shares.get(i) for i in ids}
    elif measure == "open_flags":
        flags = open_flags_by_municipality(user, selected, sector=filters.sector)
        values = {i: float(flags.get(i, 0)) for i in ids}
    else:  # gap score with a partner, status or period chosen (or no stored figures): aggregates
        values = dict(gap_scores_by_municipality(
            active_qs, on=on, sector=filters.sector, projects_here=active,
            population={m["id"]: m["population"] for m in municipalities}))
    return MapFigures(on=on, measure=measure, municipalities=municipalities, values=values, active=active,
                      projects=selected.count(), active_projects=active_qs.count(), unconverted=unconverted,
                      as_of=as_of)


# Above this many sites in view the map gets grid cells (a count at the mean of their points) instead of each
# site: a country of sites would be tens of thousands of markers, megabytes the browser then clusters anyway.
SITES_LISTED_MAX = 1500
# A cell is this many degrees at zoom 0, halved with each zoom level (about 40 pixels, the client clusters' size).
SITE_CELL_DEGREES_AT_ZOOM_0 = 56.25
SITE_ZOOM_DEFAULT = 5  # the page's first view of the whole country


class PointX(Func):
    function = "ST_X"
    output_field = FloatField()


class PointY(Func):
    function = "ST_Y"
    output_field = FloatField()


@dataclass(slots=True)
class MapSites:
    """The sites in view: each one (``sites``) when at most ``SITES_LISTED_MAX``, else grid ``cells``."""

    total: int
    sites: list[dict[str, Any]]
    cells: list[dict[str, Any]]

    @property
    def clustered(self) -> bool:
        return bool(self.cells)


def site_cell_degrees(zoom: int | None) -> float:
    return SITE_CELL_DEGREES_AT_ZOOM_0 / 2 ** (SITE_ZOOM_DEFAULT if zoom is None else zoom)


def map_sites(user: Any, filters: MapFilters, *, bbox: tuple[float, float, float, float] | None = None,
              zoom: int | None = None) -> MapSites:
    """The sites of the selected projects inside ``bbox`` (west, south, east, north; everywhere when None), with
    their project's title; or, when more than ``SITES_LISTED_MAX``, the grid cells of the ``zoom`` level holding them
    (their count and the mean of their points), grouped in the database. Two queries whatever the size."""
    qs = Site.objects.filter(project__in=map_projects(user, filters).values("pk"), point__isnull=False)
    if bbox is not None:
        qs = qs.filter(point__intersects=Polygon.from_bbox(bbox))
    # Counted only as far as the limit: past it, the cells' counts add up to the total.
    listed = qs.order_by()[:SITES_LISTED_MAX + 1].count()
    x, y = PointX("point"), PointY("point")
    if listed <= SITES_LISTED_MAX:
        rows = qs.order_by("pk").values_list("pk", "name_ar", "name_en", "project_id", "project__title_ar",
                                             "project__title_en", x, y)
        return MapSites(total=listed, cells=[], sites=[
            {"id": pk, "x": px, "y": py, "name_ar": name_ar, "name_en": name_en, "project_id": project_id,
             "project_title_ar": title_ar, "project_title_en": title_en}
            for pk, name_ar, name_en, project_id, title_ar, title_en, px, py in rows])
    size = site_cell_degrees(zoom)
    cells = (qs.annotate(gx=Floor(x / size), gy=Floor(y / size)).order_by().values("gx", "gy")
             .annotate(n=Count("pk"), mx=Avg(x), my=Avg(y)).order_by("gx", "gy"))
    found = [{"key": f"{int(c['gx'])}:{int(c['gy'])}", "count": c["n"], "x": c["mx"], "y": c["my"]} for c in cells]
    return MapSites(total=sum(c["count"] for c in found), sites=[], cells=found)


def _first_point(project_ref: str) -> Coalesce:
    """A project's first site, else its first municipality's point (correlated, indexed look-ups)."""
    site = Site.objects.filter(project_id=OuterRef(project_ref)).order_by("pk").values("point")[:1]
    place = (ProjectLocation.objects.filter(project_id=OuterRef(project_ref), municipality__point__isnull=False)
             .order_by("pk").values("municipality__point")[:1])
    point = PointField(srid=4326)
    return Coalesce(Subquery(site, output_field=point), Subquery(place, output_field=point), output_field=point)


# The map draws at most this many pairs, the highest scores first (the queue lists every one).
PAIRS_LISTED_MAX = 500


@dataclass(slots=True)
class MapPairs:
    total: int  # open pairs the reader may see with a selected project, drawn or not
    pairs: list[dict[str, Any]]


def map_duplicate_pairs(user: Any, filters: MapFilters) -> MapPairs:
    """Open duplicate pairs the reader may see with at least one selected project, the ``PAIRS_LISTED_MAX``
    highest scores, each with a point for either project (its first site, else its first municipality's point)
    as coordinates read in the database: two queries (the pairs and their number)."""
    ids = map_projects(user, filters).values("pk")
    flags = (duplicate_flags_visible_to(user, DuplicateFlag.objects.filter(
        status=FlagStatus.OPEN, resolved_at__isnull=True))
        .filter(Q(project_a__in=ids) | Q(project_b__in=ids)))
    rows = (flags.annotate(ax=PointX(_first_point("project_a_id")), ay=PointY(_first_point("project_a_id")),
                           bx=PointX(_first_point("project_b_id")), by=PointY(_first_point("project_b_id")))
            .order_by("-score", "pk")
            .values_list("pk", "score", "project_a__title_ar", "project_a__title_en", "project_b__title_ar",
                         "project_b__title_en", "ax", "ay", "bx", "by")[:PAIRS_LISTED_MAX])
    pairs = []
    for pk, score, a_ar, a_en, b_ar, b_en, ax, ay, bx, by in rows:
        if ax is None or bx is None:
            continue
        pairs.append({"id": pk, "score": score, "a": (ax, ay), "b": (bx, by), "title_a_ar": a_ar, "title_a_en": a_en,
                      "title_b_ar": b_ar, "title_b_en": b_en})
    return MapPairs(total=flags.count(), pairs=pairs)
