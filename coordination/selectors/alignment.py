"""Reads of alignment: plans and their objectives with funding against cost, a project's objectives,
the shares of money aligned, a municipality's priorities, and the alignment flags.

Plans are public reference (every signed-in reader may see them); the projects behind an objective
and every figure are computed over the reader's ``projects_counted_for``, from the links people
decided and the engine suggested (stored by the runs), so a figure never counts a project the reader
may not open. The stored flags are the ministry's review queue (``alignment_flags_stored_for``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import BooleanField, Case, Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, ExtractYear

from coordination.analysis.alignment import Alignment, AlignmentSettings, objective_funding
from coordination.analysis.alignment_figures import Share, aligned_shares, municipality_priorities
from coordination.models import AlignmentFlag, ObjectiveLink
from coordination.selectors.alignment_inputs import alignment_objectives, alignment_projects
from municipalities.models import DevelopmentPlan, Municipality, PlanObjective
from projects.models import Participation, Partner, Project, ProjectSector
from projects.permissions import user_oversees
from projects.selectors.money import exchange_rate_table, usd_groups
from projects.selectors.projects import projects_counted_for

COUNTING = (ObjectiveLink.Status.CONFIRMED, ObjectiveLink.Status.SUGGESTED)


def plans_visible_to(user: Any) -> QuerySet[DevelopmentPlan]:
    if not (user is not None and user.is_authenticated and user.has_perm("municipalities.view_developmentplan")):
        return DevelopmentPlan.objects.none()
    return DevelopmentPlan.objects.all()


def plan_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[DevelopmentPlan]:
    f = filters or {}
    qs = (plans_visible_to(user).select_related("municipality", "sector")
          .annotate(objective_count=Count("objectives")).order_by("level", "-start_year", "code", "pk"))
    if f.get("level"):
        qs = qs.filter(level=f["level"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    return qs


def _links_of(projects: QuerySet[Project], objective_ids: list[int] | None = None) -> dict[int, set[int]]:
    """project id → objectives it counts for (confirmed or suggested, not rejected), among ``projects``."""
    links: dict[int, set[int]] = defaultdict(set)
    qs = ObjectiveLink.objects.filter(status__in=COUNTING, project__in=projects, project__duplicate_of__isnull=True)
    if objective_ids is not None:
        qs = qs.filter(objective_id__in=objective_ids)
    for p, o in qs.values_list("project_id", "objective_id"):
        links[p].add(o)
    return links


def _funding_for(user: Any, objective_ids: list[int] | None = None):
    projects = projects_counted_for(user)
    links = _links_of(projects, objective_ids)
    wanted = None if objective_ids is None else set(objective_ids)
    objectives = {o.id: o for o in alignment_objectives() if wanted is None or o.id in wanted}
    inputs = alignment_projects(projects.filter(id__in=list(links)))
    return objectives, inputs, links, objective_funding(objectives, inputs, links)


def plan_detail(user: Any, plan: DevelopmentPlan) -> dict[str, Any]:
    """A plan's objectives (sub-objectives under their parent) with projects, partners and USD counted
    once against the cost, and the visible projects behind each."""
    objectives = list(plan.objectives.order_by("priority_rank", "code").prefetch_related("sectors"))
    ids = [o.pk for o in objectives]
    _objectives, _inputs, links, funding = _funding_for(user, ids)
    behind: dict[int, list[int]] = defaultdict(list)
    for p_id, objs in links.items():
        for o in objs:
            if o in funding:
                behind[o].append(p_id)
    wanted = {p for o in ids for p in behind.get(o, ())}
    projects = {p.pk: p for p in projects_counted_for(user).filter(pk__in=wanted).select_related("reporting_partner")}
    status = {(p, o): s for p, o, s in ObjectiveLink.objects.filter(project_id__in=wanted, objective_id__in=ids)
              .values_list("project_id", "objective_id", "status")}
    rows = []
    for o in objectives:
        f = funding.get(o.pk)
        rows.append({
            "objective": o, "sectors": list(o.sectors.all()), "funding": f,
            "coverage_pct": None if f is None or f.coverage is None else round(100 * f.coverage),
            "projects": [{"project": projects[p], "status": status.get((p, o.pk), "confirmed")}
                         for p in sorted(behind.get(o.pk, ())) if p in projects],
        })
    return {"plan": plan, "objectives": rows}


def project_objective_links(user: Any, project: Project) -> list[ObjectiveLink]:
    """A project's suggested and decided objectives, best first (the caller checked it may see it)."""
    return list(ObjectiveLink.objects.filter(project=project).select_related("objective__plan", "decided_by")
                .order_by("-score", "objective__code"))


def project_alignment(user: Any, project: Project) -> list[dict[str, Any]]:
    """For the project's page: the objectives it serves, confirmed first then suggested (rejected ones
    left out), with the score and the reasons in the reader's language (two queries)."""
    from common.bilingual import language_is_arabic

    key = "ar" if language_is_arabic() else "en"
    rows = []
    for link in project_objective_links(user, project):
        if link.status == ObjectiveLink.Status.REJECTED:
            continue
        rows.append({"objective": link.objective, "plan": link.objective.plan, "status": link.status,
                     "status_label": link.get_status_display(), "score": link.score,
                     "reasons": [r.get(key) or r.get("en") or r.get("code", "") for r in link.reasons or []]})
    rows.sort(key=lambda r: r["status"] != ObjectiveLink.Status.CONFIRMED)  # stable: best score within each
    return rows


def _share_row(key: Any, share: Share) -> dict[str, Any]:
    return {"id": key, "usd": round(share.usd, 2), "usd_aligned": round(share.usd_aligned, 2),
            "projects": share.projects, "projects_aligned": share.projects_aligned,
            "money_share": share.money_share, "project_share": share.project_share}


def alignment_shares(user: Any, filters: dict[str, Any] | None = None, *,
                     projects: QuerySet[Project] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Shares of money and projects (active, counted once) aligned with an approved plan's objective,
    over the reader's projects (or ``projects``, already narrowed from them, e.g. by the dashboard's
    filters): overall and by partner, sector and region."""
    base = projects_counted_for(user) if projects is None else projects
    projects = base.filter(status=2)
    if (filters or {}).get("partner"):
        projects = projects.filter(Q(reporting_partner_id=filters["partner"]) | Q(partners__id=filters["partner"]))
    approved = ObjectiveLink.objects.filter(status__in=COUNTING, objective__plan__status="approved",
                                            project__in=projects)
    aligned = set(approved.values_list("project_id", flat=True))
    region_of = dict(Municipality.objects.values_list("id", "district__region_id"))
    shares = aligned_shares(projects=alignment_projects(projects.distinct()), aligned=aligned, region_of=region_of)
    return {group: [_share_row(k, s) for k, s in sorted(v.items(), key=lambda kv: -kv[1].usd)]
            for group, v in shares.items()}


def _aligned(project_ref: str) -> Case:
    """True when the project at ``project_ref`` serves an approved plan's objective (a confirmed or suggested
    link): the rule ``alignment_shares`` applies. An uncorrelated IN (hashed once by the database), not a
    subquery per row."""
    approved = ObjectiveLink.objects.filter(status__in=COUNTING, objective__plan__status="approved")
    return Case(When(**{f"{project_ref}__in": approved.values("project_id")}, then=Value(True)),
                default=Value(False), output_field=BooleanField())


def _shares(rows: Any, key: Any, rates: Any) -> dict[Any, Share]:
    """Rows grouped by (key..., m_aligned, m_currency, m_year) with m_total and m_projects, as Shares."""
    out: dict[Any, Share] = defaultdict(Share)
    for (k, aligned), acc in usd_groups(rows, lambda r: (key(r), bool(r["m_aligned"])), rates).items():
        share = out[k]
        share.usd += float(acc["usd"])
        share.projects += acc["projects"]
        if aligned:
            share.usd_aligned += float(acc["usd"])
            share.projects_aligned += acc["projects"]
    return out


def alignment_shares_summed(projects: QuerySet[Project], *, sector_id: int | None = None) -> dict[str, list]:
    """The dashboard's part of ``alignment_shares`` over ``projects`` (already the reader's): "all" (or, with
    ``sector_id``, that sector's part of each budget, as "sector") and "partner", summed in the database
    by (key, aligned, currency, year) and converted per group: two queries (three with a sector) whatever the size, where
    ``alignment_shares`` reads every active project into Python."""
    rates = exchange_rate_table()
    active = Project.objects.filter(pk__in=projects.filter(status=2, duplicate_of__isnull=True).values("pk"))
    by_project = active.annotate(m_aligned=_aligned("pk")).order_by()
    money = {"m_currency": F("currency"), "m_year": ExtractYear("planned_start")}
    out: dict[str, dict[Any, Share]] = {}
    reported = list(by_project.values("reporting_partner_id", "m_aligned", **money)
                    .annotate(m_total=Sum("budget"), m_projects=Count("pk")))
    if sector_id is None:
        # Every project has one reporting partner: the whole is the partners' rows added up by (aligned,
        # currency, year) before converting, the same sums one more pass over the projects would give.
        whole: dict[tuple, dict[str, Any]] = {}
        for r in reported:
            acc = whole.setdefault((r["m_aligned"], r["m_currency"], r["m_year"]), {
                "m_aligned": r["m_aligned"], "m_currency": r["m_currency"], "m_year": r["m_year"],
                "m_total": None, "m_projects": 0})
            if r["m_total"] is not None:
                acc["m_total"] = r["m_total"] if acc["m_total"] is None else acc["m_total"] + r["m_total"]
            acc["m_projects"] += r["m_projects"]
        out["all"] = _shares(whole.values(), lambda r: None, rates)
    else:
        lines = (ProjectSector.objects.filter(project__in=active.values("pk"), sector_id=sector_id)
                 .annotate(m_aligned=_aligned("project_id")).order_by()
                 .values("m_aligned", m_currency=F("project__currency"), m_year=ExtractYear("project__planned_start"))
                 .annotate(m_total=Sum(Cast("project__budget", FloatField()) * Cast("percentage", FloatField())
                                       / 100.0),
                           m_projects=Count("project_id", distinct=True)))
        out["sector"] = _shares(lines, lambda r: sector_id, rates)
    partners = _shares(reported, lambda r: r["reporting_partner_id"], rates)
    # Each other partner once per project, whatever its roles on it: its first participation there (no earlier
    # one of the same partner and project; an anti-join, not a grouping of every participation first).
    earlier = Participation.objects.filter(project_id=OuterRef("project_id"), partner_id=OuterRef("partner_id"),
                                           pk__lt=OuterRef("pk"))
    taking_part = (Participation.objects.filter(project__in=active.values("pk"))
                   .exclude(partner_id=F("project__reporting_partner_id")).filter(~Exists(earlier))
                   .annotate(m_aligned=_aligned("project_id")).order_by()
                   .values("partner_id", "m_aligned", m_currency=F("project__currency"),
                           m_year=ExtractYear("project__planned_start"))
                   .annotate(m_total=Sum("project__budget"), m_projects=Count("project_id")))
    for k, share in _shares(taking_part, lambda r: r["partner_id"], rates).items():
        acc = partners[k]
        acc.usd += share.usd
        acc.usd_aligned += share.usd_aligned
        acc.projects += share.projects
        acc.projects_aligned += share.projects_aligned
    out["partner"] = partners
    return {group: [_share_row(k, s) for k, s in sorted(v.items(), key=lambda kv: -kv[1].usd)]
            for group, v in out.items()}


def alignment_share_by_partner(user: Any, filters: dict[str, Any] | None = None, *,
                               shares: dict[str, list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """For the dashboard: each partner's share of money and projects aligned, with its name (from
    ``shares`` when the caller has them already)."""
    rows = (shares if shares is not None else alignment_shares(user, filters))["partner"]
    # One query even with no row (an empty IN is not sent), so the pages' query count stays fixed.
    names = {p.pk: str(p) for p in Partner.objects.filter(pk__in=[r["id"] for r in rows] or [0])}
    return [{**r, "name": names.get(r["id"], "")} for r in rows]


def municipality_plan_priorities(user: Any, municipality: Municipality) -> list[dict[str, Any]]:
    """For the municipality file: its approved plans' priority objectives, funded / partly / unfunded,
    over the reader's projects."""
    ids = list(PlanObjective.objects.filter(plan__municipality=municipality, plan__status="approved")
               .values_list("id", flat=True))
    objectives, inputs, links, funding = _funding_for(user, ids)
    analysis = Alignment(suggestions={}, links=links, funding=funding, best_score={})
    settings = AlignmentSettings.from_mapping(_settings_mapping())
    states = municipality_priorities(objectives.values(), analysis, settings).get(municipality.pk, [])
    objects = PlanObjective.objects.in_bulk([s.objective_id for s in states])
    return [{"objective": objects[s.objective_id], "rank": s.rank, "state": s.state, "projects": s.projects,
             "usd": s.usd, "cost_usd": s.cost_usd} for s in states]


def _settings_mapping() -> dict[str, Any] | None:
    from django.conf import settings

    return getattr(settings, "TANSIQ_ALIGNMENT_SETTINGS", None)


def alignment_flags_stored_for(user: Any) -> bool:
    """The stored alignment flags are computed over every project: the ministry's staff only."""
    return user_oversees(user)


def alignment_flag_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AlignmentFlag]:
    if not alignment_flags_stored_for(user):
        return AlignmentFlag.objects.none()
    f = filters or {}
    qs = AlignmentFlag.objects.select_related("project__reporting_partner", "objective__plan", "municipality",
                                              "decided_by")
    resolved = f.get("resolved", False)
    if resolved is not None:
        qs = qs.filter(resolved_at__isnull=not resolved)
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    return qs.order_by("-score", "pk")
