"""Reads for the municipality file (ملف البلدية) and the partner pages: everything about one place or one
partner, as plain dicts, so the pages and the municipality portfolio report read the same data.

Only what the reader may see: every project read starts at ``projects_counted_for(user)`` (another partner's
draft is neither listed nor counted) and every flag goes through the flag selectors' ``*_visible_to`` rules.
A fixed number of queries whatever the number of projects: the sums are grouped in the database by
(key, currency, year) and converted to USD at the staff-set rates, as ``projects.selectors.money`` does.

Money attributed to one municipality is the part of each budget that falls in it, and within that the
sector's part: ``projects.selectors.money.usd_attributed``, the one rule the dashboard and the map use too;
money is counted once as ``projects.selectors.money.money_counted`` says (confirmed double reports and the
implementer's record of a funder's transfer are listed, but their money is not added again).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, ExtractYear
from django.utils.translation import gettext_lazy

from common.bilingual import bilingual_text
from common.formatting import number_format
from common.geojson import web_geometry
from coordination.analysis.gaps import gap_findings, gap_reason_text
from coordination.models import DelayFlag, DuplicateFlag
from coordination.reasons import reason_text
from coordination.selectors.alignment import municipality_plan_priorities
from coordination.selectors.coverage import stored_coverage_for
from coordination.selectors.delays import delay_flag_list, delay_flags_visible_to
from coordination.selectors.duplicates import duplicate_flag_list, duplicate_flags_visible_to
from coordination.selectors.flags import gap_flags_stored_for
from coordination.selectors.gaps import gap_finding_rows, gap_flag_list
from coordination.selectors.government import municipality_government_figures
from coordination.selectors.meeting_lists import municipality_meetings
from coordination.services.gaps import gap_analysis_on
from municipalities.models import DevelopmentPlan, Municipality, Need, PlanObjective, Sector
from projects.models import (
    ActivityStatus,
    OrganisationRole,
    Participation,
    Partner,
    ProjectLocation,
    ProjectSector,
    Site,
)
from projects.money import RateTable, to_usd
from projects.permissions import user_oversees, user_partner_id
from projects.reporting.selectors.scorecard import partner_scorecard
from projects.selectors.money import (
    budget_total_usd,
    exchange_rate_table,
    money_counted_once,
    sector_fraction,
    usd_attributed,
    with_place_fraction,
)
from projects.selectors.projects import projects_counted_for

FLAG_ROWS = 50  # flags listed on a page; the counts and the queues' links give the rest
PARTNER_PROJECT_ROWS = 100
SITE_ROWS = 500
_REPORTING_LABEL = gettext_lazy("Keeps the record (reporting partner)")


# --- money, grouped in SQL -----------------------------------------------------------------------

def _usd_by_key(rows: Iterable[dict[str, Any]], key: str, rates: RateTable) -> dict[Any, dict[str, Any]]:
    """Rows of (``key``, currency, year, total, projects[, active]) summed per key in USD; amounts in a
    currency without a rate are kept apart in ``unconverted``, never dropped."""
    this_year = dt.date.today().year
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        acc = out.setdefault(row[key], {"usd": Decimal("0"), "unconverted": {}, "projects": 0, "active": 0})
        acc["projects"] += row.get("projects") or 0
        acc["active"] += row.get("active") or 0
        if row["total"] is None:
            continue
        amount = Decimal(str(row["total"])).quantize(Decimal("0.01"))
        currency = row["currency"] if "currency" in row else row["project__currency"]
        usd = to_usd(amount, currency, row["year"] or this_year, rates)
        if usd is None:
            acc["unconverted"][currency] = acc["unconverted"].get(currency, Decimal("0")) + amount
        else:
            acc["usd"] += usd
    return out


def _counted(counted: QuerySet, prefix: str = "project__") -> Q:
    """Rows whose project's money is added: those of ``counted`` (``money_counted_once`` of the set summed)."""
    return Q(**{f"{prefix}pk__in": counted.values("pk")})


def _project_usd(budget: Decimal | None, currency: str, start: dt.date | None, rates: RateTable) -> Decimal | None:
    if budget is None:
        return None
    return to_usd(budget, currency, start.year if start else dt.date.today().year, rates)


# --- the municipality file -----------------------------------------------------------------------

def municipality_profile(municipality: Municipality) -> dict[str, Any]:
    """``profile``: the figures and where they come from. ``municipality`` has district and region joined."""
    m = municipality
    return {
        "name": str(m), "name_ar": m.name_ar, "name_en": m.name_en, "slug": m.slug, "pcode": m.pcode,
        "district": str(m.district), "district_pcode": m.district.pcode,
        "region": str(m.district.region), "region_pcode": m.district.region.pcode,
        "population": m.population, "population_year": m.population_year, "population_source": m.population_source,
        "displaced": m.displaced, "returnees": m.returnees, "displacement_source": m.displacement_source,
        "has_area": m.area is not None, "area_is_official": bool(m.area is not None and m.area_is_official),
        "area_source": m.area_source, "in_ocha_list": m.in_ocha_list,
    }


def municipality_needs(municipality: Municipality) -> list[dict[str, Any]]:
    """``needs``: the latest assessment of each sector, most severe first (one query)."""
    latest: dict[int, dict[str, Any]] = {}
    for need in Need.objects.filter(municipality=municipality).select_related("sector").order_by(
            "sector_id", "-assessed_on", "-severity"):
        if need.sector_id in latest:
            continue
        latest[need.sector_id] = {
            "sector_id": need.sector_id, "sector": str(need.sector), "severity": need.severity,
            "people_in_need": need.people_in_need, "displaced": need.displaced, "returnees": need.returnees,
            "source": need.source, "assessed_on": need.assessed_on,
        }
    return sorted(latest.values(), key=lambda n: (-n["severity"], -(n["people_in_need"] or 0), n["sector"]))


def _municipality_projects(locations: QuerySet, rates: RateTable) -> list[dict[str, Any]]:
    """Each visible project of the municipality with its sectors and the USD that falls there (two queries)."""
    rows = list(with_place_fraction(locations, few=True).order_by("project__title_en", "project_id").values(
        "project_id", "project__title_ar", "project__title_en", "project__status", "project__planned_start",
        "project__planned_end", "project__actual_start", "project__actual_end", "project__budget",
        "project__currency", "project__duplicate_of_id", "project__state", "project__reporting_partner_id",
        "project__reporting_partner__name_ar", "project__reporting_partner__name_en",
        "project__reporting_partner__acronym", "fraction"))
    sectors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for project_id, sector_id, pct, ar, en in ProjectSector.objects.filter(
            project_id__in=locations.values("project_id")).order_by("sector__order", "sector__code").values_list(
            "project_id", "sector_id", "percentage", "sector__name_ar", "sector__name_en"):
        sectors[project_id].append({"id": sector_id, "name": bilingual_text(ar, en), "percentage": pct})
    status_label = dict(ActivityStatus.choices)
    projects = []
    for r in rows:
        usd = _project_usd(r["project__budget"], r["project__currency"], r["project__planned_start"], rates)
        counted = r["project__duplicate_of_id"] is None
        fraction = r["fraction"] or 0.0
        projects.append({
            "id": r["project_id"], "title": bilingual_text(r["project__title_ar"], r["project__title_en"]),
            "status": r["project__status"], "status_label": status_label.get(r["project__status"], ""),
            "state": r["project__state"],
            "start": r["project__actual_start"] or r["project__planned_start"],
            "end": r["project__actual_end"] or r["project__planned_end"],
            "budget": r["project__budget"], "currency": r["project__currency"], "budget_usd": usd,
            "local_share": fraction,
            "local_usd": (usd * Decimal(str(fraction))).quantize(Decimal("1")) if usd is not None and counted else None,
            "counted": counted, "duplicate_of": r["project__duplicate_of_id"],
            "partner_id": r["project__reporting_partner_id"],
            "partner": r["project__reporting_partner__acronym"] or bilingual_text(
                r["project__reporting_partner__name_ar"], r["project__reporting_partner__name_en"]),
            "sectors": sectors.get(r["project_id"], []),
        })
    return projects


def _municipality_money(municipality: Municipality, local: QuerySet, rates: RateTable
                        ) -> tuple[list[dict], list[dict], dict[str, Any]]:
    """(by sector, by partner, totals): ``usd_attributed`` to the municipality (three queries: the records
    counted once, worked out once for both)."""
    counted = money_counted_once(local)
    partners = usd_attributed(local, by=("project__reporting_partner_id",), municipality_id=municipality.pk,
                              rates=rates, counted=counted)
    sectors = usd_attributed(local, by=(), per_sector=True, municipality_id=municipality.pk, rates=rates,
                             counted=counted)
    totals = {"projects": 0, "active": 0, "usd": Decimal("0"), "unconverted": {}}
    for acc in partners.values():
        totals["projects"] += acc["projects"]
        totals["active"] += acc["active"]
        totals["usd"] += acc["usd"]
        for currency, amount in acc["unconverted"].items():
            totals["unconverted"][currency] = totals["unconverted"].get(currency, Decimal("0")) + amount
    return ([{"id": k, **v} for k, v in sectors.items()], [{"id": k, **v} for k, v in partners.items()], totals)


def _named(groups: list[dict], names: dict[int, Any], projects_of: dict[Any, list[dict]],
           rows: int | None = None) -> list[dict]:
    """The groups named, each with its projects (the first ``rows`` of them when given: ``more_rows`` says how
    many are left to the project list)."""
    for group in groups:
        group["name"] = str(names.get(group["id"], ""))
        listed = projects_of.get(group["id"], [])
        group["project_rows"] = listed if rows is None else listed[:rows]
        group["more_rows"] = len(listed) - len(group["project_rows"])
    return sorted(groups, key=lambda g: (-g["usd"], -g["projects"], g["name"]))


def _duplicate_rows(flags: QuerySet[DuplicateFlag]) -> list[dict[str, Any]]:
    rows = []
    for flag in flags[:FLAG_ROWS]:
        rows.append({
            "id": flag.pk, "status": flag.status, "status_label": flag.get_status_display(),
            "kind_label": flag.get_kind_display(), "score": flag.score,
            "projects": [{"id": p.pk, "title": str(p), "partner_id": p.reporting_partner_id,
                          "partner": str(p.reporting_partner)} for p in (flag.project_a, flag.project_b)],
            "reasons": [reason_text(r) for r in flag.reasons[:3]],
        })
    return rows


def _delay_rows(flags: QuerySet[DelayFlag]) -> list[dict[str, Any]]:
    return [{
        "id": flag.pk, "status": flag.status, "status_label": flag.get_status_display(), "score": flag.score,
        "rule_label": flag.get_rule_display(), "severity": flag.severity, "severity_label": flag.get_severity_display(),
        "project_id": flag.project_id, "project": str(flag.project), "partner_id": flag.project.reporting_partner_id,
        "partner": str(flag.project.reporting_partner),
    } for flag in flags[:FLAG_ROWS]]


def gap_reason_for_page(reason: dict[str, Any]) -> str:
    """``gap_reason_text`` with its figures through the formatting layer (the engine's reason keeps raw numbers)."""
    params = dict(reason.get("params") or {})
    for key in ("people_in_need", "severity", "threshold"):
        if isinstance(params.get(key), (int, float)) and not isinstance(params.get(key), bool):
            params[key] = number_format(params[key])
    return gap_reason_text({**reason, "params": params})


def _municipality_gaps(user: Any, municipality: Municipality, sector_names: dict[int, Any]) -> dict[str, Any]:
    """``gaps``: the coverage of each sector today (over the projects the reader may see), and the gap flags:
    the stored ones for ministry staff, those found over the reader's own projects for anyone else."""
    stored = gap_flags_stored_for(user)
    # Ministry staff: the stored figures (``coordination.selectors.coverage``) beside the stored flags; anyone
    # else: the engine over this one municipality and the reader's projects, which their flags are found from.
    cells = stored_coverage_for(user, level="sector", municipality_ids=[municipality.pk]) if stored else None
    wholes = stored_coverage_for(user, level="municipality", municipality_ids=[municipality.pk]) if cells else None
    if cells is not None and wholes is not None:
        cell_rows = [SimpleNamespace(**r) for r in cells.rows]
        whole = next((SimpleNamespace(**r) for r in wholes.rows), None)
        as_of = cells.as_of
    else:
        inputs, analysis = gap_analysis_on(municipality_ids=[municipality.pk], projects=projects_counted_for(user))
        cell_rows = [c for c in analysis.cells if c.municipality_id == municipality.pk]
        whole = next((f for f in analysis.municipalities if f.municipality_id == municipality.pk), None)
        as_of = None
    coverage = [{
        "sector_id": c.sector_id, "sector": str(sector_names.get(c.sector_id, "")), "active_projects": c.active_projects,
        "partners": c.partners, "budget_usd": c.budget_usd, "severity": c.severity,
        "people_in_need": c.people_in_need, "gap_score": c.gap_score, "unreached": c.unreached,
    } for c in cell_rows if c.active_projects or c.severity]
    coverage.sort(key=lambda c: (not c["unreached"], -c["gap_score"], c["sector"]))
    if stored:
        flags = [{
            "id": f.pk, "sector": str(f.sector) if f.sector_id else None, "severity": f.severity,
            "people_in_need": f.people_in_need, "score": f.score, "status": f.status,
            "status_label": f.get_status_display(), "reasons": [gap_reason_for_page(r) for r in f.reasons],
        } for f in gap_flag_list(filters={"municipality": municipality.slug})]
    else:
        flags = [{
            "id": None, "sector": str(sector_names[r["sector"]]) if r["sector"] else None, "severity": r["severity"],
            "people_in_need": r["people_in_need"], "score": r["score"], "status": None, "status_label": "",
            "reasons": [gap_reason_for_page(x) for x in r["reasons"]],
        } for r in gap_finding_rows(inputs, gap_findings(analysis))]
    return {"coverage": coverage, "flags": flags, "unreached": bool(whole and whole.unreached),
            "gap_score": whole.gap_score if whole else None, "stored": stored, "as_of": as_of}


def municipality_plans(municipality: Municipality, local_projects: QuerySet) -> list[dict[str, Any]]:
    """``plans``: the municipality's own plans and every plan an objective of which its projects serve, each
    with its objectives and how many of the municipality's visible projects serve each (one query)."""
    objectives = (PlanObjective.objects.filter(Q(plan__municipality=municipality) | Q(projects__in=local_projects))
                  .select_related("plan", "sector").distinct()
                  .annotate(local_projects=Count("projects", filter=Q(projects__in=local_projects), distinct=True))
                  .order_by("plan__level", "-plan__start_year", "plan_id", "code"))
    plans: dict[int, dict[str, Any]] = {}
    for o in objectives:
        plan = plans.setdefault(o.plan_id, {
            "id": o.plan_id, "title": bilingual_text(o.plan.title_ar, o.plan.title_en), "level": o.plan.level,
            "level_label": o.plan.get_level_display(), "start_year": o.plan.start_year, "end_year": o.plan.end_year,
            "own": o.plan.municipality_id == municipality.pk, "objectives": []})
        plan["objectives"].append({"id": o.pk, "code": o.code, "title": bilingual_text(o.title_ar, o.title_en),
                                   "sector": str(o.sector) if o.sector_id else "", "projects": o.local_projects})
    if not any(p["own"] for p in plans.values()):  # a municipal plan without objectives yet still shows
        for plan in DevelopmentPlan.objects.filter(municipality=municipality).order_by("-start_year"):
            plans[plan.pk] = {"id": plan.pk, "title": bilingual_text(plan.title_ar, plan.title_en),
                              "level": plan.level, "level_label": plan.get_level_display(),
                              "start_year": plan.start_year, "end_year": plan.end_year, "own": True, "objectives": []}
    return sorted(plans.values(), key=lambda p: (not p["own"], p["level"], -p["start_year"]))


def municipality_map_data(municipality: Municipality, local_projects: QuerySet) -> dict[str, Any]:
    """``map``: the area (GeoJSON, simplified for the web) or the point, and the sites of its visible projects."""
    m = municipality
    sites = (Site.objects.filter(project__in=local_projects).filter(Q(municipality=m) | Q(municipality__isnull=True))
             .select_related("project").order_by("pk")[:SITE_ROWS])
    return {
        "area": web_geometry(m.area, tolerance=0.001) if m.area is not None else None,
        "area_is_official": bool(m.area is not None and m.area_is_official),
        "point": [round(m.point.x, 5), round(m.point.y, 5)] if m.point is not None else None,
        "sites": [{"lon": round(s.point.x, 5), "lat": round(s.point.y, 5), "name": str(s),
                   "project": str(s.project)} for s in sites],
    }


def municipality_file(user: Any, municipality: Municipality, *, group_rows: int | None = None) -> dict[str, Any]:
    """Everything the municipality file shows, for ``user``. Keys:

    * ``municipality``: the record (district and region joined); ``profile``: ``municipality_profile``;
    * ``needs``: ``municipality_needs``;
    * ``totals``: projects, active (in implementation), usd (attributed to the municipality, counted once),
      unconverted ({currency: amount} without a rate);
    * ``projects``: one dict per visible project (id, title, status_label, start, end, budget, currency,
      budget_usd, local_share, local_usd, counted, partner_id, partner, sectors);
    * ``by_sector`` / ``by_partner``: groups (id, name, projects, active, usd, unconverted, project_rows,
      more_rows), most money first; a project with two sectors is under both, its money split by percentage;
      ``group_rows``, when given, lists at most that many projects in each group (the page: its size then
      stays bounded whatever the portfolio; the report lists them all);
    * ``gaps``: ``_municipality_gaps`` (coverage by sector, flags, unreached, gap_score, stored);
    * ``duplicate_flags`` / ``delay_flags``: current flags of its projects the reader may see (at most
      FLAG_ROWS rows) and ``duplicate_count`` / ``delay_count``;
    * ``plans``: ``municipality_plans``; ``map``: ``municipality_map_data``;
    * ``priorities``: its approved plans' priority objectives, funded / partly / unfunded, USD against cost
      (``coordination.selectors.alignment.municipality_plan_priorities``);
    * ``meetings``: ``municipality_meetings`` (meetings, decisions and open actions about the place).
    """
    visible = projects_counted_for(user)
    locations = ProjectLocation.objects.filter(municipality=municipality, project__in=visible.values("pk"))
    local = visible.filter(pk__in=locations.values("project_id"))
    local_projects = local.values("pk")
    rates = exchange_rate_table()
    sector_names = {s.pk: s for s in Sector.objects.all()}
    projects = _municipality_projects(locations, rates)
    by_sector, by_partner, totals = _municipality_money(municipality, local, rates)
    of_sector: dict[int, list[dict]] = defaultdict(list)
    of_partner: dict[int, list[dict]] = defaultdict(list)
    partner_names: dict[int, str] = {}
    for p in projects:
        for s in p["sectors"]:
            of_sector[s["id"]].append(p)
        of_partner[p["partner_id"]].append(p)
        partner_names[p["partner_id"]] = p["partner"]
    current = Q(resolved_at__isnull=True)
    duplicates = duplicate_flags_visible_to(user, duplicate_flag_list()).filter(current).filter(
        Q(project_a__in=local_projects) | Q(project_b__in=local_projects)).order_by("-score", "pk")
    delays = delay_flags_visible_to(user, delay_flag_list(filters={"resolved": None})).filter(current).filter(
        project__in=local_projects).order_by("-score", "pk")
    return {
        "municipality": municipality, "profile": municipality_profile(municipality),
        "needs": municipality_needs(municipality), "totals": totals, "projects": projects,
        "by_sector": _named(by_sector, sector_names, of_sector, group_rows),
        "by_partner": _named(by_partner, partner_names, of_partner, group_rows),
        "gaps": _municipality_gaps(user, municipality, sector_names),
        "duplicate_flags": _duplicate_rows(duplicates), "duplicate_count": duplicates.count(),
        "delay_flags": _delay_rows(delays), "delay_count": delays.count(),
        "plans": municipality_plans(municipality, local_projects),
        "priorities": municipality_plan_priorities(user, municipality),
        "map": municipality_map_data(municipality, local_projects),
        "meetings": municipality_meetings(user, municipality),
        "government": municipality_government_figures(user, municipality),
    }


# --- the partner page ------------------------------------------------------------------------------

def partner_scorecard_for(user: Any, partner: Partner) -> dict[str, Any] | None:
    """The partner's reporting record (``projects.reporting`` scorecard) if ``user`` may read it: the ministry
    reads every partner's, a focal point their own partner's (the scorecard pages' rule); None otherwise."""
    if not (user_oversees(user) or user_partner_id(user) == partner.pk):
        return None
    card = partner_scorecard(partner_id=partner.pk)
    return card.as_dict() if card is not None else None


def _partner_roles(user: Any, partner: Partner, involved: QuerySet, rates: RateTable,
                   counted: QuerySet) -> list[dict[str, Any]]:
    """``roles``: per IATI role (and "reporting": the projects it keeps the records of), its visible projects
    and their budgets in USD (two queries)."""
    year = ExtractYear("project__planned_start")
    rows = (Participation.objects.filter(partner=partner, project__in=involved).values("role", "project__currency")
            .annotate(year=year).annotate(projects=Count("project_id", distinct=True),
                                          active=Count("project_id", distinct=True,
                                                       filter=Q(project__status=ActivityStatus.IMPLEMENTATION)),
                                          total=Sum("project__budget", filter=_counted(counted))).order_by())
    by_role = _usd_by_key(rows, "role", rates)
    reported = (involved.filter(reporting_partner=partner).values("currency")
                .annotate(year=ExtractYear("planned_start")).annotate(
                    projects=Count("pk", distinct=True),
                    active=Count("pk", distinct=True, filter=Q(status=ActivityStatus.IMPLEMENTATION)),
                    total=Sum("budget", filter=_counted(counted, ""))).order_by())
    reporting = _usd_by_key(({**r, "key": "reporting"} for r in reported), "key", rates).get("reporting")
    out = []
    if reporting:
        out.append({"role": "reporting", "label": str(_REPORTING_LABEL), **reporting})
    for role, label in OrganisationRole.choices:
        if role in by_role:
            out.append({"role": role, "label": str(label), **by_role[role]})
    return out


def _partner_places(involved: QuerySet, rates: RateTable, counted: QuerySet) -> list[dict[str, Any]]:
    """``municipalities``: where its visible projects work, with the USD attributed to each (one query)."""
    found = usd_attributed(involved, by=("municipality_id", "municipality__slug", "municipality__name_ar",
                                         "municipality__name_en"), rates=rates, counted=counted)
    places = [{"id": pk, "slug": slug, "name": bilingual_text(ar, en), **v} for (pk, slug, ar, en), v in found.items()]
    return sorted(places, key=lambda p: (-p["usd"], -p["projects"], p["name"]))


def _partner_sectors(involved: QuerySet, rates: RateTable, counted: QuerySet) -> list[dict[str, Any]]:
    """``sectors``: its visible projects by sector, budgets split by percentage (one query)."""
    rows = list(ProjectSector.objects.filter(project__in=involved)
                .values("sector_id", "sector__name_ar", "sector__name_en", "project__currency")
                .annotate(year=ExtractYear("project__planned_start"))
                .annotate(projects=Count("project_id", distinct=True),
                          active=Count("project_id", distinct=True,
                                       filter=Q(project__status=ActivityStatus.IMPLEMENTATION)),
                          total=Sum(Cast("project__budget", FloatField()) * sector_fraction("percentage"),
                                    filter=_counted(counted)))
                .order_by())
    names = {r["sector_id"]: bilingual_text(r["sector__name_ar"], r["sector__name_en"]) for r in rows}
    sectors = [{"id": k, "name": names[k], **v} for k, v in _usd_by_key(rows, "sector_id", rates).items()]
    return sorted(sectors, key=lambda s: (-s["usd"], -s["projects"], s["name"]))


def partner_role_choice(value: Any) -> str | int | None:
    """The role a partner page's project list is narrowed to: "reporting" (the projects it keeps the records
    of) or an IATI role (``OrganisationRole``); None (every project) for anything else."""
    if value == "reporting":
        return "reporting"
    try:
        role = int(value)
    except (TypeError, ValueError):
        return None
    return role if role in OrganisationRole.values else None


def _partner_projects(partner: Partner, involved: QuerySet, rates: RateTable, *, role: str | int | None,
                      page: Any, per_page: int) -> tuple[Page, list[dict[str, Any]]]:
    """``projects``: one page of its visible projects (those it has ``role`` in, when given), latest first,
    with its roles in each (three queries: the count, the page, the roles)."""
    chosen = involved
    if role == "reporting":
        chosen = involved.filter(reporting_partner=partner)
    elif role is not None:
        chosen = involved.filter(pk__in=Participation.objects.filter(partner=partner, role=role).values("project_id"))
    found = Paginator(chosen.select_related("reporting_partner").order_by("-planned_start", "-pk"), per_page
                      ).get_page(page)
    rows = list(found)
    roles: dict[int, list[str]] = defaultdict(list)
    label = dict(OrganisationRole.choices)
    for project_id, r in Participation.objects.filter(
            partner=partner, project_id__in=[p.pk for p in rows] or [0]).order_by("role").values_list(
            "project_id", "role"):
        roles[project_id].append(str(label[r]))
    return found, [{
        "id": p.pk, "title": str(p), "status_label": p.get_status_display(), "start": p.actual_start or p.planned_start,
        "end": p.actual_end or p.planned_end, "budget": p.budget, "currency": p.currency,
        "budget_usd": _project_usd(p.budget, p.currency, p.planned_start, rates), "counted": p.duplicate_of_id is None,
        "reports": p.reporting_partner_id == partner.pk, "reporting_partner_id": p.reporting_partner_id,
        "reporting_partner": str(p.reporting_partner), "roles": roles.get(p.pk, []),
    } for p in rows]


def partner_file(user: Any, partner: Partner, *, role: str | int | None = None, page: Any = 1,
                 per_page: int = PARTNER_PROJECT_ROWS) -> dict[str, Any]:
    """Everything the partner page shows, for ``user``. Keys:

    * ``partner``: the record; ``totals``: projects (visible ones it reports or takes part in), active,
      usd (their budgets counted once), unconverted;
    * ``roles``: ``_partner_roles`` rows (role, label, projects, active, usd, unconverted);
    * ``municipalities`` (id, slug, name, projects, active, usd attributed to each) and ``sectors`` (id, name,
      projects, active, usd split by percentage), most money first;
    * ``projects``: page ``page`` of ``per_page`` rows (id, title, status_label, start, end, budget, currency,
      budget_usd, counted, reports, reporting_partner, roles), latest first, of the projects it has ``role`` in
      (``partner_role_choice``; every one when None); ``project_page``: that Paginator page; ``role``: the
      role; ``more_projects``: whether the list has more rows than the page;
    * ``scorecard``: ``partner_scorecard_for``;
    * ``duplicate_flags`` / ``delay_flags``: open flags of the projects it reports that the reader may see
      (at most FLAG_ROWS) and ``duplicate_count`` / ``delay_count``.
    """
    visible = projects_counted_for(user)
    involved = visible.filter(Q(reporting_partner=partner) | Q(
        pk__in=Participation.objects.filter(partner=partner).values("project_id")))
    rates = exchange_rate_table()
    totals_row = involved.aggregate(projects=Count("pk"),
                                    active=Count("pk", filter=Q(status=ActivityStatus.IMPLEMENTATION)))
    counted = money_counted_once(involved)  # the transfers worked out once, for every figure below
    money = budget_total_usd(involved, counted=counted)
    reported = involved.filter(reporting_partner=partner).values("pk")
    is_open = Q(resolved_at__isnull=True, status="open")
    duplicates = duplicate_flags_visible_to(user, duplicate_flag_list()).filter(is_open).filter(
        Q(project_a__in=reported) | Q(project_b__in=reported)).order_by("-score", "pk")
    delays = delay_flags_visible_to(user, delay_flag_list()).filter(is_open).filter(
        project__in=reported).order_by("-score", "pk")
    project_page, projects = _partner_projects(partner, involved, rates, role=role, page=page, per_page=per_page)
    return {
        "partner": partner,
        "totals": {**totals_row, "usd": money["usd"], "unconverted": money["unconverted"]},
        "roles": _partner_roles(user, partner, involved, rates, counted),
        "municipalities": _partner_places(involved, rates, counted),
        "sectors": _partner_sectors(involved, rates, counted),
        "projects": projects, "project_page": project_page, "role": role,
        "more_projects": project_page.paginator.count > len(projects),
        "scorecard": partner_scorecard_for(user, partner),
        "duplicate_flags": _duplicate_rows(duplicates), "duplicate_count": duplicates.count(),
        "delay_flags": _delay_rows(delays), "delay_count": delays.count(),
    }
