"""Reads for the gap analysis: plain records in a fixed, small number of queries, and flag lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from coordination.analysis.gaps import ACTIVE_STATUS, GapFinding, MunicipalityIn, NeedIn, ProjectIn
from coordination.models import GapFlag
from municipalities.models import Municipality, Need, Sector
from projects.models import Participation, Project, ProjectLocation, ProjectSector
from projects.money import to_usd
from projects.selectors.money import exchange_rate_table


@dataclass
class GapInputs:
    on: dt.date
    municipalities: list[MunicipalityIn]
    sector_ids: list[int]
    projects: list[ProjectIn]
    needs: list[NeedIn]
    # For display: id -> (slug, pcode, name_ar, name_en, district pcode); id -> (code, name_ar, name_en)
    municipality_info: dict[int, tuple[str, str | None, str, str, str]] = field(default_factory=dict)
    sector_info: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    unconverted: dict[str, int] = field(default_factory=dict)  # currency -> projects whose budget has no rate


def active_project_candidates(on: dt.date, *, projects: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Status-2 projects that may be active on ``on`` (the engine applies the exact rule again), among
    ``projects`` (every project when None: the ministry's full view, which the jobs' flags are computed
    over; a reader's ``projects_counted_for`` for what that reader is shown).

    Records confirmed as a double report of another are left out: the other record counts."""
    base = Project.objects.all() if projects is None else projects
    return base.filter(active_project_condition(on))


def active_project_condition(on: dt.date, *, through: str = "") -> Q:
    """The condition of ``active_project_candidates`` on a project's own fields, reached from another model
    ``through`` a relation ("project__"): a query that already joins the project tests it on the joined row
    instead of matching its id against every active project."""
    def q(**lookups: Any) -> Q:
        return Q(**{f"{through}{k}": v for k, v in lookups.items()})

    started = q(actual_start__lte=on) | q(actual_start__isnull=True, planned_start__lte=on) | q(
        actual_start__isnull=True, planned_start__isnull=True)
    not_ended = q(actual_end__isnull=True) | q(actual_end__gte=on)
    return started & not_ended & q(status=ACTIVE_STATUS, duplicate_of__isnull=True)


def gap_inputs(*, on: dt.date, municipality_ids: Iterable[int] | None = None,
               projects: QuerySet[Project] | None = None) -> GapInputs:
    """Everything the gap engine needs, in eight queries whatever the size of the portfolio.

    With ``municipality_ids``, only those municipalities and the projects and needs that touch
    them (each project with all its municipalities, so its money splits as in a full run). With
    ``projects``, only those projects count (see ``active_project_candidates``)."""
    only = None if municipality_ids is None else sorted(set(municipality_ids))
    munis_qs = Municipality.objects.order_by("id")
    needs_qs = Need.objects.filter(assessed_on__lte=on)
    projects_qs = active_project_candidates(on, projects=projects)
    if only is not None:
        munis_qs = munis_qs.filter(id__in=only)
        needs_qs = needs_qs.filter(municipality_id__in=only)
        projects_qs = projects_qs.filter(id__in=ProjectLocation.objects.filter(municipality_id__in=only)
                                         .values("project_id"))
    municipalities: list[MunicipalityIn] = []
    info: dict[int, tuple[str, str | None, str, str, str]] = {}
    for (m_id, district_id, region_id, population, displaced, returnees, slug, pcode, name_ar, name_en,
         district_pcode) in munis_qs.values_list(
            "id", "district_id", "district__region_id", "population", "displaced", "returnees", "slug", "pcode",
            "name_ar", "name_en", "district__pcode"):
        municipalities.append(MunicipalityIn(m_id, district_id, region_id, population, displaced, returnees))
        info[m_id] = (slug, pcode, name_ar, name_en, district_pcode)
    sector_info = {s_id: (code, ar, en) for s_id, code, ar, en in
                   Sector.objects.order_by("order", "code").values_list("id", "code", "name_ar", "name_en")}

    ids = projects_qs.values("id")
    locations: dict[int, list[tuple[int, float | None]]] = {}
    for project_id, muni_id, share in ProjectLocation.objects.filter(project_id__in=ids).values_list(
            "project_id", "municipality_id", "share"):
        locations.setdefault(project_id, []).append((muni_id, float(share) if share is not None else None))
    sectors: dict[int, list[tuple[int, float]]] = {}
    for project_id, sector_id, pct in ProjectSector.objects.filter(project_id__in=ids).values_list(
            "project_id", "sector_id", "percentage"):
        sectors.setdefault(project_id, []).append((sector_id, float(pct)))
    partners: dict[int, set[int]] = {}
    for project_id, partner_id in Participation.objects.filter(project_id__in=ids).values_list(
            "project_id", "partner_id"):
        partners.setdefault(project_id, set()).add(partner_id)
    rates = exchange_rate_table()
    this_year = dt.date.today().year
    unconverted: dict[str, int] = {}
    projects: list[ProjectIn] = []
    for (p_id, status, planned_start, actual_start, actual_end, budget, currency,
         reporter) in projects_qs.values_list("id", "status", "planned_start", "actual_start", "actual_end", "budget",
                                              "currency", "reporting_partner_id"):
        usd = None
        if budget is not None:
            converted = to_usd(budget, currency, planned_start.year if planned_start else this_year, rates)
            if converted is None:
                unconverted[currency] = unconverted.get(currency, 0) + 1
            else:
                usd = float(converted)
        projects.append(ProjectIn(
            id=p_id, status=status, start=actual_start or planned_start, end=actual_end, budget_usd=usd,
            partner_ids=tuple(sorted(partners.get(p_id, set()) | {reporter})),
            locations=tuple(locations.get(p_id, ())), sectors=tuple(sectors.get(p_id, ())),
        ))
    needs = [NeedIn(m, s, sev, pin, on_, disp, ret) for m, s, sev, pin, on_, disp, ret in needs_qs.values_list(
        "municipality_id", "sector_id", "severity", "people_in_need", "assessed_on", "displaced", "returnees")]
    return GapInputs(on=on, municipalities=municipalities, sector_ids=list(sector_info), projects=projects,
                     needs=needs, municipality_info=info, sector_info=sector_info, unconverted=unconverted)


def municipality_ids_of_projects(project_ids: Iterable[int]) -> list[int]:
    return sorted(set(ProjectLocation.objects.filter(project_id__in=list(project_ids))
                      .values_list("municipality_id", flat=True)))


def gap_flag_list(*, filters: dict[str, Any] | None = None) -> QuerySet[GapFlag]:
    """Gap flags with their places joined, current ones only unless ``resolved`` is asked for."""
    f = filters or {}
    qs = GapFlag.objects.select_related("municipality__district", "sector", "decided_by")
    resolved = f.get("resolved", False)  # True: only resolved, False: only current, None: both
    if resolved is not None:
        qs = qs.filter(resolved_at__isnull=not resolved)
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("municipality"):
        qs = qs.filter(_municipality_q(f["municipality"], "municipality__"))
    if f.get("sector"):
        value = str(f["sector"])
        if value in ("none", "-"):
            qs = qs.filter(sector__isnull=True)
        else:
            qs = qs.filter(Q(sector__code=value) | (Q(sector_id=int(value)) if value.isdigit() else Q(pk__in=[])))
    if f.get("district"):
        qs = qs.filter(municipality__district__pcode=f["district"])
    return qs.order_by("-score", "id")


# A gap flag's review life: what a row found for a reader (``gap_finding_rows``) has none of.
GAP_FLAG_LIFE_FIELDS = ("id", "status", "status_label", "decided_by", "decided_at", "decision_note", "resolved_at",
                        "created_at", "updated_at")


def gap_finding_rows(inputs: GapInputs, findings: Iterable[GapFinding], *,
                     filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Gap findings as rows shaped like gap flags, highest score first, for a reader who is not served
    the stored flags (``coordination.selectors.flags.gap_flags_stored_for``).

    Each row has a flag's facts (place, sector, need, score, reasons) and none of its review life
    (``GAP_FLAG_LIFE_FIELDS`` are None): no stored flag stands behind it. ``filters`` as
    ``gap_flag_list``'s but ``municipality``, which narrows the analysis itself (``gap_inputs``); a finding
    holds now and has no review status, so asking for resolved flags or for a status finds none."""
    f = filters or {}
    if f.get("status") or f.get("resolved", False) is True:
        return []
    sector = str(f.get("sector") or "")
    rows = []
    for finding in findings:
        slug, pcode, name_ar, name_en, district = inputs.municipality_info[finding.municipality_id]
        code, _ar, _en = inputs.sector_info[finding.sector_id] if finding.sector_id else (None, "", "")
        if sector in ("none", "-") and finding.sector_id is not None:
            continue
        if sector not in ("", "none", "-") and sector not in (code, str(finding.sector_id)):
            continue
        if f.get("district") and district != f["district"]:
            continue
        row: dict[str, Any] = dict.fromkeys(GAP_FLAG_LIFE_FIELDS)
        row.update({
            "municipality": finding.municipality_id, "municipality_slug": slug, "municipality_pcode": pcode,
            "municipality_name_ar": name_ar, "municipality_name_en": name_en, "district_pcode": district,
            "sector": finding.sector_id, "sector_code": code, "severity": finding.severity,
            "people_in_need": finding.people_in_need, "score": finding.score, "reasons": [finding.reason()],
        })
        rows.append(row)
    rows.sort(key=lambda r: (-r["score"], r["municipality_slug"], r["sector_code"] or ""))
    return rows


def _municipality_q(value: Any, prefix: str = "") -> Q:
    text = str(value).strip()
    q = Q(**{f"{prefix}slug": text}) | Q(**{f"{prefix}pcode": text.upper()})
    if text.isdigit():
        q |= Q(**{f"{prefix}id": int(text)})
    return q


def municipality_lookup(value: Any) -> int | None:
    """A municipality id from an id, a slug or a p-code."""
    return Municipality.objects.filter(_municipality_q(value)).values_list("id", flat=True).first()


def municipality_shapes() -> dict[int, tuple[Any, bool | None]]:
    """Each municipality's area (else its point) with whether the area is official, in one query."""
    return {
        m_id: (area or point, official if area else None)
        for m_id, area, point, official in Municipality.objects.values_list("id", "area", "point", "area_is_official")
        if area or point
    }


def gap_rows(inputs: GapInputs, figures: Iterable[Any]) -> list[dict[str, Any]]:
    """Gap figures as plain rows with the municipality's and sector's names (for the API and commands)."""
    rows = []
    for f in figures:
        slug, pcode, name_ar, name_en, district = inputs.municipality_info.get(f.municipality_id, ("", None, "", "", ""))
        code, sector_ar, sector_en = inputs.sector_info.get(f.sector_id, ("", "", "")) if f.sector_id else ("", "", "")
        rows.append({
            "municipality_id": f.municipality_id, "municipality_slug": slug, "municipality_pcode": pcode,
            "municipality_name_ar": name_ar, "municipality_name_en": name_en, "district_pcode": district,
            "sector_id": f.sector_id, "sector_code": code or None, "sector_name_ar": sector_ar,
            "sector_name_en": sector_en, "active_projects": f.active_projects, "partners": f.partners,
            "budget_usd": f.budget_usd, "projects_without_budget": f.projects_without_budget,
            "population": f.population, "budget_per_capita": f.budget_per_capita,
            "budget_per_person_in_need": f.budget_per_person_in_need, "severity": f.severity,
            "people_in_need": f.people_in_need, "displaced": f.displaced, "returnees": f.returnees,
            "need_assessed_on": f.need_assessed_on, "gap_score": f.gap_score, "unreached": f.unreached,
        })
    return rows
