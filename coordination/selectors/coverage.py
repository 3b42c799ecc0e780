"""Reads of the stored coverage figures (``coordination.models.CoverageFigure``) for a reader, in a fixed
number of queries: what the gap engine would find today over the projects the reader may count
(``projects.selectors.projects.projects_counted_for``), without running it over the portfolio.

* Ministry staff read the scope of every project.
* A focal point counts every partner's accepted projects and all of their own partner's
  (``projects_counted_for``): they read the accepted scope, and the few municipalities where their own
  partner has an active project not accepted yet are recomputed by the engine over their own counted
  projects (those places only), so their figures are exactly the engine's over what they may see and never
  draw on another partner's draft.
* A reader who may count nothing, or a day other than the one stored, gets None: the caller runs the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import Collate
from django.utils import timezone

from common.geojson import web_geometry
from coordination.models import CoverageFigure, CoverageScope, CoverageSummary
from coordination.selectors.gaps import gap_rows, municipality_shapes
from projects.models import ProjectLocation, ReviewState
from projects.permissions import user_oversees
from projects.selectors.money import usd_attributed
from projects.selectors.projects import projects_counted_for

ROW_VALUES = {
    "municipality_slug": F("municipality__slug"), "municipality_pcode": F("municipality__pcode"),
    "municipality_name_ar": F("municipality__name_ar"), "municipality_name_en": F("municipality__name_en"),
    "district_pcode": F("municipality__district__pcode"), "sector_code": F("sector__code"),
    "sector_name_ar": F("sector__name_ar"), "sector_name_en": F("sector__name_en"),
}
FIGURE_VALUES = ("municipality_id", "sector_id", "active_projects", "partners", "budget_usd",
                 "projects_without_budget", "population", "budget_per_capita", "budget_per_person_in_need",
                 "severity", "people_in_need", "displaced", "returnees", "need_assessed_on", "gap_score", "unreached",
                 "usd_attributed", "usd_unconverted")


@dataclass(slots=True)
class StoredCoverage:
    """Rows shaped like ``coordination.selectors.gaps.gap_rows`` (with ``usd_attributed``, ``usd_unconverted``
    and, when asked for, ``web_geometry`` / ``area_is_official``), and when they were computed."""

    scope: str
    on: dt.date
    as_of: dt.datetime | None  # when the newest of these figures was found (None: no row)
    rows: list[dict[str, Any]]
    recomputed: list[int] = field(default_factory=list)  # municipalities the engine recomputed for this reader


def coverage_scope_for(user: Any) -> str | None:
    """The stored scope a reader's figures start from (see the module's note); None: none holds."""
    if user_oversees(user):
        return CoverageScope.ALL
    if projects_counted_for(user).query.is_empty():
        return None
    return CoverageScope.ACCEPTED


def _own_pending_places(user: Any, only: list[int] | None) -> list[int]:
    """Where the reader's counted projects that are not accepted (their own partner's) are, whatever their
    status (the money attributed counts every status, the gap figures the active ones): one query."""
    pending = projects_counted_for(user).exclude(state=ReviewState.ACCEPTED)
    rows = ProjectLocation.objects.filter(project__in=pending.values("pk"))
    if only is not None:
        rows = rows.filter(municipality_id__in=only)
    return sorted(set(rows.values_list("municipality_id", flat=True)))


def _recomputed_rows(user: Any, on: dt.date, ids: list[int], *, level: str, sector_id: int | None,
                     geometry: bool, money: bool) -> list[dict[str, Any]]:
    from coordination.services.gaps import gap_analysis_on  # services import selectors: read it late

    inputs, analysis = gap_analysis_on(on=on, municipality_ids=ids, projects=projects_counted_for(user))
    if sector_id is not None:
        figures: Iterable[Any] = [c for c in analysis.cells if c.sector_id == sector_id]
    else:
        figures = analysis.municipalities if level == "municipality" else analysis.cells
    rows = gap_rows(inputs, figures)
    selected = projects_counted_for(user).filter(duplicate_of__isnull=True)
    per_sector = level != "municipality" or sector_id is not None
    usd = {} if not money else usd_attributed(selected, per_sector=True) if per_sector else usd_attributed(selected)
    shapes = web_geometries(ids) if geometry else {}
    for row in rows:
        key = (row["municipality_id"], row["sector_id"]) if per_sector else row["municipality_id"]
        found = usd.get(key)
        row["usd_attributed"] = float(found["usd"]) if found else 0.0
        row["usd_unconverted"] = sorted(found["unconverted"]) if found else []
        if geometry:
            row["web_geometry"], row["area_is_official"] = shapes.get(row["municipality_id"], (None, None))
    return rows


def web_geometries(municipality_ids: list[int] | None = None) -> dict[int, tuple[dict[str, Any] | None, bool | None]]:
    """Each municipality's shape for the web (GeoJSON) and whether its area is official, as the gap runs stored
    them simplified (``coordination.services.coverage``); simplified here only for a municipality no run has
    stored yet. Two queries at most."""
    rows = CoverageFigure.objects.filter(sector__isnull=True, web_geometry__isnull=False)
    if municipality_ids is not None:
        rows = rows.filter(municipality_id__in=municipality_ids)
    found = {m_id: (geometry, official) for m_id, geometry, official in
             rows.order_by("municipality_id", "scope").values_list("municipality_id", "web_geometry",
                                                                    "area_is_official")}
    wanted = None if municipality_ids is None else set(municipality_ids)
    if wanted is None or wanted - set(found):
        for m_id, (geom, official) in municipality_shapes().items():
            if m_id not in found and (wanted is None or m_id in wanted):
                found[m_id] = (web_geometry(geom), official)
    return found


def _stored_figures(scope: str, *, level: str, sector_id: int | None, municipality_ids: list[int] | None,
                    district: str | None, unreached: bool | None) -> QuerySet[CoverageFigure]:
    qs = CoverageFigure.objects.filter(scope=scope)
    if sector_id is not None:
        qs = qs.filter(sector_id=sector_id)
    elif level == "municipality":
        qs = qs.filter(sector__isnull=True)
    else:
        qs = qs.filter(sector__isnull=False)
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    if district:
        qs = qs.filter(municipality__district__pcode=district.upper())
    if unreached is not None:
        qs = qs.filter(unreached=unreached)
    return qs


def stored_coverage_for(user: Any, *, on: dt.date | None = None, level: str = "municipality",
                        sector_id: int | None = None, municipality_ids: list[int] | None = None,
                        district: str | None = None, unreached: bool | None = None,
                        geometry: bool = False, money: bool = False,
                        pending: list[int] | None = None) -> StoredCoverage | None:
    """The reader's stored figures for ``on`` (today): whole municipalities (``level="municipality"``), every
    municipality × sector (``"sector"``), or one sector's cells (``sector_id``); narrowed to some municipalities,
    a district (p-code) or the unreached ones. None when nothing stored holds (the caller runs the engine).
    One query for ministry staff, two for a focal point (the engine's where their own partner's projects that
    are not accepted are: ``_recomputed_rows``)."""
    day = on or timezone.localdate()
    scope = coverage_scope_for(user)
    if scope is None or day != timezone.localdate():
        return None
    if scope == CoverageScope.ALL:
        recomputed = []
    else:  # ``pending``: the reader's own pending places, when the caller has read them already
        recomputed = _own_pending_places(user, municipality_ids) if pending is None else pending
    qs = _stored_figures(scope, level=level, sector_id=sector_id, municipality_ids=municipality_ids,
                         district=None, unreached=None)
    if recomputed:
        qs = qs.exclude(municipality_id__in=recomputed)
    if district:
        qs = qs.filter(municipality__district__pcode=district.upper())
    if unreached is not None:
        qs = qs.filter(unreached=unreached)
    names = ("web_geometry", "area_is_official") if geometry else ()
    rows = list(qs.order_by("municipality_id", "sector__order", "sector__code").values(
        *FIGURE_VALUES, "on", "as_of", *names, **ROW_VALUES))
    # Figures hold for the day they were stored for: any older row (no run yet today) and the engine answers.
    if any(r["on"] != day for r in rows):
        return None
    if not rows and not CoverageSummary.objects.filter(scope=scope, on=day).exists():
        return None
    as_of = max((r.pop("as_of") for r in rows), default=None)
    for r in rows:
        del r["on"]
    for row in rows:
        stored_row_shaped(row)
    if recomputed:
        extra = _recomputed_rows(user, day, recomputed, level=level, sector_id=sector_id, geometry=geometry,
                                 money=money)
        if district:
            extra = [r for r in extra if r["district_pcode"] == district.upper()]
        if unreached is not None:
            extra = [r for r in extra if r["unreached"] == unreached]
        rows += extra
    return StoredCoverage(scope=scope, on=day, as_of=as_of, rows=rows, recomputed=recomputed)


def stored_row_shaped(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as ``gap_rows`` has it: a whole municipality's sector names empty."""
    if row["sector_id"] is None:
        row["sector_name_ar"] = row["sector_name_en"] = ""
    return row


# The API's orderings of the figures, each with the engine's tie-breaks (``coordination.api.gaps``).
STORED_ORDERINGS = ("-gap_score", "gap_score", "municipality", "-budget_usd", "budget_usd")


def _code_point(name: str) -> Any:
    """A text column ordered as Python orders strings (by code point), whatever the database's collation."""
    return Collate(F(name), "C" if connection.vendor == "postgresql" else "BINARY")


@dataclass(slots=True)
class StoredPage:
    """Stored rows still to be read, in the order asked for, so a page of them is read with LIMIT/OFFSET."""

    scope: str
    on: dt.date
    as_of: dt.datetime | None
    rows: QuerySet[CoverageFigure] | None  # of dicts shaped by ``stored_row_shaped``; None: see ``pending``
    # A focal point's own places to recompute (``stored_coverage_for(pending=...)`` merges them in).
    pending: list[int] = field(default_factory=list)


def stored_coverage_page_for(user: Any, *, on: dt.date | None = None, level: str = "municipality",
                             sector_id: int | None = None, municipality_ids: list[int] | None = None,
                             district: str | None = None, unreached: bool | None = None,
                             ordering: str = "-gap_score") -> StoredPage | None:
    """As ``stored_coverage_for``, for a paginated list: the rows as a queryset ordered in the database, so only
    the page asked for is read (two queries: whether the figures hold and their time, then the page and its
    count). None when no stored figures hold (no run today); no ``rows`` but ``pending`` for a focal point
    with places to recompute (``stored_coverage_for`` then merges those in)."""
    if ordering not in STORED_ORDERINGS:
        raise ValueError(f"Unknown ordering: {ordering}")
    day = on or timezone.localdate()
    scope = coverage_scope_for(user)
    if scope is None or day != timezone.localdate():
        return None
    pending = [] if scope == CoverageScope.ALL else _own_pending_places(user, municipality_ids)
    if pending:
        return StoredPage(scope=scope, on=day, as_of=None, rows=None, pending=pending)
    qs = _stored_figures(scope, level=level, sector_id=sector_id, municipality_ids=municipality_ids,
                         district=district, unreached=unreached)
    held = qs.aggregate(rows=Count("pk"), stale=Count("pk", filter=~Q(on=day)), as_of=Max("as_of"))
    if held["stale"]:
        return None
    if not held["rows"] and not CoverageSummary.objects.filter(scope=scope, on=day).exists():
        return None
    key, descending = ordering.lstrip("-"), ordering.startswith("-")
    slug, code = _code_point("municipality__slug"), _code_point("sector__code")
    if key == "municipality":
        order = [slug.asc(), code.asc()]
    else:
        order = [F(key).desc() if descending else F(key).asc(), slug.asc(), code.asc()]
    rows = qs.order_by(*order).values(*FIGURE_VALUES, **ROW_VALUES)
    return StoredPage(scope=scope, on=day, as_of=held["as_of"], rows=rows)


def stored_summary_for(user: Any, *, on: dt.date | None = None) -> tuple[dict[str, Any], dt.datetime] | None:
    """The stored roll-ups (every sector) and their time, when they hold for ``user`` on ``on`` (today): for
    ministry staff, and for a focal point whose own partner has no project that is not accepted
    (otherwise their roll-ups differ from the accepted scope's and the caller runs the engine)."""
    day = on or timezone.localdate()
    scope = coverage_scope_for(user)
    if scope is None or day != timezone.localdate():
        return None
    summary = CoverageSummary.objects.filter(scope=scope).values("on", "as_of", "body").first()
    if summary is None or summary["on"] != day:
        return None
    if scope != CoverageScope.ALL and _own_pending_places(user, None):
        return None
    return summary["body"], summary["as_of"]


__all__ = ["STORED_ORDERINGS", "web_geometries", "StoredCoverage", "StoredPage", "coverage_scope_for", "stored_coverage_for",
           "stored_coverage_page_for", "stored_row_shaped", "stored_summary_for"]
