"""Reads of the review queues' pages: one duplicate pair side by side, the gap queue and the delay queue.

Who sees which flags is decided once per kind, by the selectors this module calls: ``duplicate_flags_visible_to``,
``delay_flags_visible_to`` and, for gaps, ``gap_flags_stored_for`` (ministry staff review the stored flags; anyone
else reads the gaps found over their own projects, which have no review life). Every read here is a fixed number
of queries whatever the number of flags: the page's rows are completed in bulk, never one query per row."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from common.bilingual import language_is_arabic
from coordination.models import DelayFlag, DuplicateFlag, GapFlag
from coordination.selectors.delays import delay_flag_list, delay_flags_visible_to
from coordination.selectors.duplicates import duplicate_flags_visible_to
from coordination.selectors.flags import gap_flags_stored_for
from coordination.selectors.gaps import active_project_condition, gap_flag_list
from municipalities.models import Municipality, Sector
from projects.models import (
    ActivityStatus,
    Participation,
    Project,
    ProjectLocation,
    ProjectSector,
    ProjectUpdate,
    ReviewState,
)
from projects.money import to_usd
from projects.permissions import user_oversees, user_partner_id
from projects.selectors.money import exchange_rate_table
from projects.selectors.projects import projects_counted_for

# -- a focal point's own flags --------------------------------------------------------------------


def _own_projects(user: Any) -> QuerySet[Project] | None:
    """The projects a reader who does not oversee the portfolio has flags *of* in the queues: their
    partner's (reported by it, or with it among the participants), within what they may read. None for
    ministry staff and viewers (every flag the ``*_visible_to`` selectors give them)."""
    if user_oversees(user):
        return None
    partner = user_partner_id(user)
    mine = Q(reporting_partner_id=partner) | Q(participations__partner_id=partner) if partner else Q(pk__in=[])
    return projects_counted_for(user).filter(mine)


def duplicate_queue_flags(user: Any, flags: QuerySet[DuplicateFlag]) -> QuerySet[DuplicateFlag]:
    """The pairs ``user`` reviews or follows: ``duplicate_flags_visible_to``, and for a focal point only the
    pairs one of whose projects is their partner's."""
    flags = duplicate_flags_visible_to(user, flags)
    own = _own_projects(user)
    if own is None:
        return flags
    ids = own.values("pk")
    return flags.filter(Q(project_a__in=ids) | Q(project_b__in=ids))


# -- one duplicate pair, side by side -------------------------------------------------------------

# The facts compared between the two records, in the order the page shows them.
PAIR_FIELDS = ("title", "partners", "municipalities", "sectors", "period", "budget", "status")


def _pair_projects(flag: DuplicateFlag) -> dict[int, Project]:
    """The pair's two projects with their partners, places, sectors and sites (five queries)."""
    projects = Project.objects.filter(pk__in=[flag.project_a_id, flag.project_b_id]).select_related(
        "reporting_partner").prefetch_related(
        Prefetch("participations", queryset=Participation.objects.select_related("partner").order_by("role", "pk")),
        Prefetch("locations", queryset=ProjectLocation.objects.select_related("municipality").order_by("pk")),
        Prefetch("sector_shares", queryset=ProjectSector.objects.select_related("sector").order_by("-percentage")),
        "sites",
    )
    return {p.pk: p for p in projects}


def _side(project: Project, rates: Any) -> dict[str, Any]:
    start = project.actual_start or project.planned_start
    end = project.actual_end or project.planned_end
    year = start.year if start else timezone.localdate().year
    usd = to_usd(project.budget, project.currency, year, rates) if project.budget is not None else None
    partners = [(str(p.partner), p.get_role_display()) for p in project.participations.all()]
    if not any(p.partner_id == project.reporting_partner_id for p in project.participations.all()):
        partners.insert(0, (str(project.reporting_partner), None))
    places = [loc.municipality for loc in project.locations.all()]
    return {
        "project": project, "id": project.pk, "title": str(project), "iati": project.iati_identifier,
        "reporting_partner": str(project.reporting_partner), "partners": partners,
        "municipalities": [str(m) for m in places],
        "sectors": [(str(s.sector), s.percentage / 100) for s in project.sector_shares.all()],
        "start": start, "end": end, "planned_start": project.planned_start, "planned_end": project.planned_end,
        "budget": project.budget, "currency": project.currency, "usd": usd, "status": project.get_status_display(),
        "status_code": project.status, "progress": project.progress_percent / 100,
        "sites": [{"lat": s.point.y, "lon": s.point.x, "name": str(s)} for s in project.sites.all() if s.point],
        "places": [{"lat": m.point.y, "lon": m.point.x, "name": str(m)} for m in places if m.point],
    }


def _compared(a: dict[str, Any], b: dict[str, Any]) -> dict[str, bool]:
    """Which facts differ between the two sides (what the page highlights)."""
    def names(side: dict[str, Any], key: str) -> set:
        return {item[0] if isinstance(item, tuple) else item for item in side[key]}

    return {
        "title": a["title"] != b["title"],
        "partners": {p for p, _r in a["partners"]} != {p for p, _r in b["partners"]},
        "municipalities": set(a["municipalities"]) != set(b["municipalities"]),
        "sectors": names(a, "sectors") != names(b, "sectors"),
        "period": (a["start"], a["end"]) != (b["start"], b["end"]),
        "budget": (a["budget"], a["currency"]) != (b["budget"], b["currency"]),
        "status": a["status_code"] != b["status_code"],
    }


def duplicate_pair(flag: DuplicateFlag) -> dict[str, Any]:
    """The two records of a (visible) duplicate flag side by side, what differs, and their sites for a map:
    six queries (the projects and their four kinds of parts, the exchange rates)."""
    projects = _pair_projects(flag)
    rates = exchange_rate_table()
    a, b = _side(projects[flag.project_a_id], rates), _side(projects[flag.project_b_id], rates)
    return {"a": a, "b": b, "sides": [a, b], "differs": _compared(a, b),
            "map": {"a": {"sites": a["sites"], "places": a["places"], "title": a["title"]},
                    "b": {"sites": b["sites"], "places": b["places"], "title": b["title"]}}}


# -- the gap queue --------------------------------------------------------------------------------

# Unknowns last whichever the database (PostgreSQL puts NULLs first in a descending order, SQLite last).
_GAP_ORDER = {
    "score": ("-score", "id"),
    "severity": (F("severity").desc(nulls_last=True), "-score", "id"),
    "people": (F("people_in_need").desc(nulls_last=True), "-score", "id"),
}


def _row_sort_key(sort: str):
    if sort == "severity":
        return lambda r: (-(r["severity"] or 0), -r["score"])
    if sort == "people":
        return lambda r: (-(r["people_in_need"] or 0), -r["score"])
    if sort == "municipality":
        name = "municipality_name_ar" if language_is_arabic() else "municipality_name_en"
        return lambda r: (r[name], r["sector_code"] or "")
    return lambda r: -r["score"]


def gap_queue(user: Any, filters: dict[str, Any]) -> tuple[bool, QuerySet[GapFlag] | list[dict[str, Any]]]:
    """The gap queue for ``user``: (stored, items). Ministry staff get the stored flags (a queryset, reviewable);
    anyone else the gaps found today over their own projects (plain rows without a review life).
    ``filters``: region (a Region), sector (a Sector), status, severity (at least), municipality, sort."""
    sort = filters.get("sort") or "score"
    region, sector, severity = filters.get("region"), filters.get("sector"), filters.get("severity")
    if gap_flags_stored_for(user):
        qs = gap_flag_list(filters={"status": filters.get("status"), "municipality": filters.get("municipality"),
                                    "sector": sector.code if sector else None})
        qs = qs.select_related("municipality__district__region")
        if region is not None:
            qs = qs.filter(municipality__district__region=region)
        if severity:
            qs = qs.filter(severity__gte=int(severity))
        if sort == "municipality":
            name = "municipality__name_ar" if language_is_arabic() else "municipality__name_en"
            return True, qs.order_by(name, "sector__order", "id")
        return True, qs.order_by(*_GAP_ORDER.get(sort, _GAP_ORDER["score"]))
    from coordination.services.gaps import gap_flags_found_for  # the engine run on request (it writes nothing)

    rows = gap_flags_found_for(user=user, filters={"status": filters.get("status"),
                                                   "municipality": filters.get("municipality"),
                                                   "sector": sector.code if sector else None})
    if region is not None:
        rows = [r for r in rows if (r["district_pcode"] or "").startswith(region.pcode)]
    if severity:
        rows = [r for r in rows if (r["severity"] or 0) >= int(severity)]
    return False, sorted(rows, key=_row_sort_key(sort))


def _reach(user: Any, municipality_ids: Sequence[int], on: dt.date) -> dict[int, dict[str, Any]]:
    """What reaches each municipality: its active projects by sector, and those in the pipeline (one query),
    over the projects the flags were computed from (every project for staff, the reader's own otherwise)."""
    base = None if gap_flags_stored_for(user) else projects_counted_for(user)
    # The rows' projects are already the reader's: "active" (and, for staff, not a double report) is tested
    # on the joined project, not by matching ids against every such project.
    active = active_project_condition(on, through="project__")
    places = ProjectLocation.objects.filter(municipality_id__in=list(municipality_ids),
                                            project__duplicate_of__isnull=True)
    if base is not None:
        places = places.filter(project__in=base.values("pk"))
    rows = (places
            .values("municipality_id", "project__sector_shares__sector_id")
            .annotate(active=Count("project_id", filter=active, distinct=True),
                      pipeline=Count("project_id", filter=Q(project__status=ActivityStatus.PIPELINE),
                                     distinct=True))
            .order_by())
    out: dict[int, dict[str, Any]] = defaultdict(lambda: {"active_by_sector": {}, "pipeline": 0})
    for row in rows:
        entry = out[row["municipality_id"]]
        if row["active"]:
            entry["active_by_sector"][row["project__sector_shares__sector_id"]] = row["active"]
        entry["pipeline"] += row["pipeline"]
    return out


def gap_page_rows(user: Any, items: Iterable[Any], *, stored: bool) -> list[dict[str, Any]]:
    """A page of the gap queue as rows for the template: place, sector, need, what reaches it (two queries
    for the page: what reaches the places, the sectors' names)."""
    items = list(items)
    today = timezone.localdate()
    muni_ids = [(i.municipality_id if stored else i["municipality"]) for i in items]
    reach = _reach(user, muni_ids, today) if items else {}
    sectors = {s.pk: s for s in Sector.objects.all()} if items else {}
    names = {} if stored or not items else {
        m.pk: m for m in Municipality.objects.filter(pk__in=muni_ids).select_related("district__region")}
    rows = []
    for item in items:
        if stored:
            municipality, sector_id, flag = item.municipality, item.sector_id, item
        else:
            municipality, sector_id, flag = names.get(item["municipality"]), item["sector"], None
        got = reach.get(municipality.pk if municipality else None, {"active_by_sector": {}, "pipeline": 0})
        by_sector = got["active_by_sector"]
        rows.append({
            "flag": flag, "id": flag.pk if flag else None, "municipality": municipality,
            "sector": sectors.get(sector_id), "severity": item.severity if stored else item["severity"],
            "people_in_need": item.people_in_need if stored else item["people_in_need"],
            "score": item.score if stored else item["score"],
            "reasons": item.reasons if stored else item["reasons"],
            "active_elsewhere": sum(n for s, n in by_sector.items() if s != sector_id),
            "reaching_sectors": [str(sectors[s]) for s in by_sector if s is not None and s != sector_id
                                 and s in sectors],
            "pipeline": got["pipeline"],
        })
    return rows


# -- the delay queue ------------------------------------------------------------------------------

_DELAY_ORDER = {
    "score": ("-score", "id"),
    "severity": ("-severity", "-score", "id"),
    "end": (F("project__planned_end").asc(nulls_last=True), "id"),
    "update": (F("last_accepted_end").asc(nulls_first=True), "id"),  # never updated: first
    "partner": ("project__reporting_partner__acronym", "-score", "id"),
}


def delay_queue(user: Any, filters: dict[str, Any]) -> QuerySet[DelayFlag]:
    """The delay flags ``user`` may read, filtered and sorted, each with the period end of its project's
    latest accepted update and the day of its latest submitted one (subqueries: one query per page)."""
    partner = filters.get("partner")
    qs = delay_flag_list(filters={"status": filters.get("status"), "rule": filters.get("rule"),
                                  "severity": filters.get("severity"), "partner": partner.pk if partner else None})
    qs = delay_flags_visible_to(user, qs)
    own = _own_projects(user)
    if own is not None:
        qs = qs.filter(project__in=own.values("pk"))
    if filters.get("region") is not None:
        qs = qs.filter(Exists(ProjectLocation.objects.filter(
            project_id=OuterRef("project_id"), municipality__district__region=filters["region"])))
    if filters.get("municipality"):
        value = str(filters["municipality"])
        qs = qs.filter(Exists(ProjectLocation.objects.filter(project_id=OuterRef("project_id")).filter(
            Q(municipality__slug=value) | Q(municipality__pcode=value.upper()))))
    updates = ProjectUpdate.objects.filter(project_id=OuterRef("project_id"))
    qs = qs.annotate(
        last_accepted_end=Subquery(updates.filter(state=ReviewState.ACCEPTED).order_by("-period_end")
                                   .values("period_end")[:1]),
        last_submitted_at=Subquery(updates.exclude(submitted_at=None).order_by("-submitted_at")
                                   .values("submitted_at")[:1]),
    )
    return qs.order_by(*_DELAY_ORDER.get(filters.get("sort") or "score", _DELAY_ORDER["score"]))


