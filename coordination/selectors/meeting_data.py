"""Reads behind a meeting's agenda and snapshot: the figures of the records it discussed, and the agenda
proposals built from the data (open flags, overdue reports, open actions of the series).

Figures per linked municipality and partner come from the municipality file and the partner page
(``coordination.selectors.places``), so a meeting shows the same numbers those pages show; a project's from
its own budget at the staff-set rates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common.bilingual import bilingual_text
from common.formatting import number_format
from coordination.models import (
    OPEN_ACTION_STATUSES,
    AgendaItem,
    AlignmentFlag,
    DelayFlag,
    DuplicateFlag,
    FlagStatus,
    FollowUpAction,
    GapFlag,
    LinkKind,
    Meeting,
    MeetingSeries,
)
from coordination.selectors.alignment import alignment_flags_stored_for
from coordination.selectors.delays import delay_flags_visible_to
from coordination.selectors.duplicates import duplicate_flags_visible_to
from coordination.selectors.flags import gap_flags_stored_for
from coordination.selectors.meeting_links import meeting_links
from coordination.selectors.places import municipality_file, partner_file
from municipalities.models import Municipality, PlanObjective
from projects.models import Participation, Partner, Project, ProjectLocation, ProjectSector
from projects.models.reporting import ReportingPeriod
from projects.money import to_usd
from projects.permissions import user_oversees
from projects.selectors.money import exchange_rate_table
from projects.selectors.projects import projects_counted_for

PROPOSALS_PER_SOURCE = 30


# --- figures -------------------------------------------------------------------------------------------


def meeting_subjects(meeting: Meeting) -> dict[str, set[int]]:
    """The municipalities, partners and projects a meeting discussed: linked directly, or through a linked
    flag (a gap's municipality, a duplicate's or a delay's projects)."""
    subjects: dict[str, set[int]] = {"municipality": set(), "partner": set(), "project": set()}
    gaps, duplicates, delays = set(), set(), set()
    for link in meeting_links(meeting):
        if link.kind in subjects:
            subjects[link.kind].add(link.target_id)
        elif link.kind == LinkKind.GAP:
            gaps.add(link.gap_flag_id)
        elif link.kind == LinkKind.DUPLICATE:
            duplicates.add(link.duplicate_flag_id)
        elif link.kind == LinkKind.DELAY:
            delays.add(link.delay_flag_id)
    if gaps:
        subjects["municipality"] |= set(GapFlag.objects.filter(pk__in=gaps).values_list("municipality_id", flat=True))
    for a, b in DuplicateFlag.objects.filter(pk__in=duplicates).values_list("project_a_id", "project_b_id"):
        subjects["project"] |= {a, b}
    if delays:
        subjects["project"] |= set(DelayFlag.objects.filter(pk__in=delays).values_list("project_id", flat=True))
    return subjects


def _usd(value: Any) -> float | None:
    return None if value is None else float(value)


def _municipality_figure(user: Any, m: Municipality) -> dict[str, Any]:
    data = municipality_file(user, m)
    gaps = data["gaps"]
    open_flags = sum(1 for rows in (data["duplicate_flags"], data["delay_flags"], gaps["flags"])
                     for row in rows if row["status"] in (FlagStatus.OPEN, None))
    return {"kind": "municipality", "id": m.pk, "label_ar": bilingual_text(m.name_ar, m.name_en, "ar"),
            "label_en": bilingual_text(m.name_ar, m.name_en, "en"), "projects": data["totals"]["projects"],
            "usd": _usd(data["totals"]["usd"]), "reached": not gaps["unreached"],
            "gaps": sum(1 for c in gaps["coverage"] if c["unreached"]), "open_flags": open_flags}


def _partner_figure(user: Any, p: Partner) -> dict[str, Any]:
    data = partner_file(user, p)
    return {"kind": "partner", "id": p.pk, "label_ar": p.acronym or bilingual_text(p.name_ar, p.name_en, "ar"),
            "label_en": p.acronym or bilingual_text(p.name_ar, p.name_en, "en"),
            "projects": data["totals"]["projects"], "usd": _usd(data["totals"]["usd"]), "reached": None,
            "gaps": None, "open_flags": data["duplicate_count"] + data["delay_count"]}


def _project_figures(user: Any, ids: set[int]) -> list[dict[str, Any]]:
    projects = list(projects_counted_for(user).filter(pk__in=ids).order_by("pk"))
    if not projects:
        return []
    rates = exchange_rate_table()
    is_open = Q(status=FlagStatus.OPEN, resolved_at__isnull=True)
    flags: dict[int, int] = {}
    for a, b in duplicate_flags_visible_to(user, DuplicateFlag.objects.filter(is_open)).filter(
            Q(project_a_id__in=ids) | Q(project_b_id__in=ids)).values_list("project_a_id", "project_b_id"):
        flags[a] = flags.get(a, 0) + 1
        flags[b] = flags.get(b, 0) + 1
    for pid, n in (delay_flags_visible_to(user, DelayFlag.objects.filter(is_open)).filter(project_id__in=ids)
                   .values("project_id").annotate(n=Count("pk")).values_list("project_id", "n")):
        flags[pid] = flags.get(pid, 0) + n
    out = []
    for p in projects:
        usd = None
        if p.budget is not None and p.duplicate_of_id is None:
            year = p.planned_start.year if p.planned_start else dt.date.today().year
            usd = _usd(to_usd(p.budget, p.currency, year, rates))
        out.append({"kind": "project", "id": p.pk, "label_ar": bilingual_text(p.title_ar, p.title_en, "ar"),
                    "label_en": bilingual_text(p.title_ar, p.title_en, "en"), "projects": 1, "usd": usd,
                    "reached": None, "gaps": None, "open_flags": flags.get(p.pk, 0)})
    return out


def meeting_figures(*, user: Any, meeting: Meeting) -> list[dict[str, Any]]:
    """For each municipality, partner and project the meeting discussed, as ``user`` may see them: projects,
    USD, reached and gaps (municipalities), open flags; labels in both languages (plain JSON, for the
    snapshot)."""
    subjects = meeting_subjects(meeting)
    figures = [_municipality_figure(user, m) for m in Municipality.objects.select_related("district__region")
               .filter(pk__in=subjects["municipality"]).order_by("name_en")]
    figures += [_partner_figure(user, p) for p in Partner.objects.filter(pk__in=subjects["partner"])
                .order_by("acronym", "name_en")]
    return figures + _project_figures(user, subjects["project"])


# --- agenda proposals -----------------------------------------------------------------------------------


def _both(message: str, **params: Any) -> dict[str, str]:
    """``message`` (a msgid marked with gettext_noop) in Arabic and English with ``params`` (callables taking
    the language, or plain values)."""
    out = {}
    for language in ("ar", "en"):
        with translation.override(language):
            values = {k: (v(language) if callable(v) else v) for k, v in params.items()}
            out[f"title_{language}"] = _(message) % values
    return out


def _title(record: Any, field: str = "title"):
    return lambda language: bilingual_text(getattr(record, f"{field}_ar"), getattr(record, f"{field}_en"), language)


def _name(record: Any):
    if isinstance(record, Partner) and record.acronym:
        return lambda language: record.acronym
    return _title(record, "name")


def _scope(user: Any, municipalities: Iterable[int], sectors: Iterable[int], partners: Iterable[int]):
    projects = projects_counted_for(user)
    if municipalities:
        projects = projects.filter(pk__in=ProjectLocation.objects.filter(
            municipality_id__in=municipalities).values("project_id"))
    if sectors:
        projects = projects.filter(pk__in=ProjectSector.objects.filter(sector_id__in=sectors).values("project_id"))
    if partners:
        projects = projects.filter(Q(reporting_partner_id__in=partners) | Q(
            pk__in=Participation.objects.filter(partner_id__in=partners).values("project_id")))
    return projects.values("pk")


def _flag_proposals(user: Any, scope, municipalities, sectors, partners) -> list[dict[str, Any]]:
    is_open = Q(status=FlagStatus.OPEN, resolved_at__isnull=True)
    out = []
    duplicates = (duplicate_flags_visible_to(user, DuplicateFlag.objects.filter(is_open))
                  .filter(Q(project_a__in=scope) | Q(project_b__in=scope))
                  .select_related("project_a", "project_b").order_by("-score", "pk")[:PROPOSALS_PER_SOURCE])
    for f in duplicates:
        out.append({"key": f"duplicate:{f.pk}", "source": AgendaItem.Source.DUPLICATE, "score": f.score,
                    "links": [("duplicate", f.pk), ("project", f.project_a_id), ("project", f.project_b_id)],
                    **_both(gettext_noop("Possible duplicate: %(a)s and %(b)s"), a=_title(f.project_a), b=_title(f.project_b))})
    if gap_flags_stored_for(user) and not (partners and not (municipalities or sectors)):
        gaps = GapFlag.objects.filter(is_open).select_related("municipality", "sector")
        if municipalities:
            gaps = gaps.filter(municipality_id__in=municipalities)
        if sectors:
            gaps = gaps.filter(sector_id__in=sectors)
        for f in gaps.order_by("-score", "pk")[:PROPOSALS_PER_SOURCE]:
            links = [("gap", f.pk), ("municipality", f.municipality_id)]
            if f.sector_id:
                links.append(("sector", f.sector_id))
                text = _both(gettext_noop("Coverage gap: %(place)s, %(sector)s"), place=_name(f.municipality), sector=_name(f.sector))
            else:
                text = _both(gettext_noop("Coverage gap: %(place)s"), place=_name(f.municipality))
            out.append({"key": f"gap:{f.pk}", "source": AgendaItem.Source.GAP, "score": f.score, "links": links,
                        **text})
    delays = (delay_flags_visible_to(user, DelayFlag.objects.filter(is_open)).filter(project__in=scope)
              .select_related("project").order_by("-score", "pk")[:PROPOSALS_PER_SOURCE])
    for f in delays:
        rule = f.rule
        out.append({"key": f"delay:{f.pk}", "source": AgendaItem.Source.DELAY, "score": f.score,
                    "links": [("delay", f.pk), ("project", f.project_id)],
                    **_both(gettext_noop("Delay: %(project)s (%(rule)s)"), project=_title(f.project),
                            rule=lambda language, r=rule: str(DelayFlag.Rule(r).label))})
    return out


def _alignment_proposals(user: Any, scope, municipalities, sectors, partners) -> list[dict[str, Any]]:
    """Open alignment flags (``coordination.models.AlignmentFlag``, the ministry's staff only): a project of the
    picked ones outside every plan; a picked municipality's unfunded priority objective (of a picked sector) or
    its money mostly outside its priorities (no sector of its own, so not when sectors are picked)."""
    if not alignment_flags_stored_for(user):
        return []
    is_open = Q(status=FlagStatus.OPEN, resolved_at__isnull=True)
    where = Q(kind=AlignmentFlag.Kind.OUTSIDE_PLANS, project__in=scope)
    if municipalities or (sectors and not partners):
        places = Q(municipality_id__in=municipalities) if municipalities else Q()
        unfunded = Q(kind=AlignmentFlag.Kind.PRIORITY_UNFUNDED) & places
        if sectors:
            unfunded &= Q(objective__in=PlanObjective.objects.filter(
                Q(sector_id__in=sectors) | Q(sectors__in=sectors)).values("pk"))
        where |= unfunded
        if municipalities and not sectors:
            where |= Q(kind=AlignmentFlag.Kind.CONCENTRATED) & places
    flags = (AlignmentFlag.objects.filter(is_open).filter(where)
             .select_related("project", "objective", "municipality").order_by("-score", "pk")[:PROPOSALS_PER_SOURCE])
    out = []
    for f in flags:
        if f.kind == AlignmentFlag.Kind.OUTSIDE_PLANS:
            links = [("project", f.project_id)]
            text = _both(gettext_noop("Outside every plan: %(project)s"), project=_title(f.project))
        elif f.kind == AlignmentFlag.Kind.PRIORITY_UNFUNDED:
            links = [("objective", f.objective_id), ("municipality", f.municipality_id)]
            text = _both(gettext_noop("Priority objective unfunded: %(objective)s, %(place)s"),
                         objective=_title(f.objective), place=_name(f.municipality))
        else:
            links = [("municipality", f.municipality_id)]
            text = _both(gettext_noop("Funding outside the plan's priorities: %(place)s"), place=_name(f.municipality))
        out.append({"key": f"alignment:{f.pk}", "source": AgendaItem.Source.ALIGNMENT, "score": f.score,
                    "links": links, **text})
    return out


def _report_proposals(user: Any, scope, today: dt.date) -> list[dict[str, Any]]:
    if not user_oversees(user):  # the reporting calendar of every partner is the ministry's
        return []
    rows = (ReportingPeriod.objects.filter(submitted_on__isnull=True, due_date__lt=today, project__in=scope)
            .values("project_id").annotate(n=Count("pk")).order_by("project_id")[:PROPOSALS_PER_SOURCE])
    counts = {r["project_id"]: r["n"] for r in rows}
    out = []
    for p in Project.objects.filter(pk__in=counts).select_related("reporting_partner").order_by("pk"):
        out.append({"key": f"report:{p.pk}", "source": AgendaItem.Source.REPORT, "score": 0.5,
                    "links": [("project", p.pk), ("partner", p.reporting_partner_id)],
                    **_both(gettext_noop("Overdue reports (%(count)s): %(project)s, %(partner)s"), count=lambda language, n=counts[p.pk]: number_format(n),
                            project=_title(p), partner=_name(p.reporting_partner))})
    return out


def _action_proposals(series: MeetingSeries, meeting: Meeting | None) -> list[dict[str, Any]]:
    actions = (FollowUpAction.objects.filter(meeting__series=series, status__in=OPEN_ACTION_STATUSES,
                                             carried_to__isnull=True).select_related("owner_partner")
               .order_by("due", "pk"))
    if meeting is not None:
        actions = actions.filter(Q(carried_over_from__isnull=False) | ~Q(meeting=meeting))
    out = []
    for a in actions[:PROPOSALS_PER_SOURCE]:
        links = [("partner", a.owner_partner_id)] if a.owner_partner_id else []
        out.append({"key": f"action:{a.pk}", "source": AgendaItem.Source.ACTION, "score": 1.0, "links": links,
                    **_both(gettext_noop("Follow-up: %(action)s"), action=_title(a, "text"))})
    return out


def agenda_proposals(*, user: Any, series: MeetingSeries, municipalities: Iterable[int] = (),
                     sectors: Iterable[int] = (), partners: Iterable[int] = (), meeting: Meeting | None = None,
                     today: dt.date | None = None) -> list[dict[str, Any]]:
    """Agenda items proposed for a meeting of ``series`` about the chosen municipalities, sectors or partners
    (ids): open duplicate, gap, delay and alignment flags, overdue reports, and the open actions of the series. Each:
    key ("duplicate:12"), source, title_ar, title_en, links [(kind, id)], score; actions first, then the
    flags by score."""
    municipalities, sectors, partners = list(municipalities), list(sectors), list(partners)
    today = today or timezone.localdate()
    scope = _scope(user, municipalities, sectors, partners)
    flags = (_flag_proposals(user, scope, municipalities, sectors, partners)
             + _alignment_proposals(user, scope, municipalities, sectors, partners) + _report_proposals(user, scope, today))
    flags.sort(key=lambda p: -p["score"])
    return _action_proposals(series, meeting) + flags


def agenda_proposals_for_meeting(*, user: Any, meeting: Meeting, filters: dict[str, Any],
                                 include_dropped: bool = False) -> list[dict[str, Any]]:
    """``agenda_proposals`` for ``meeting`` less those already on its agenda (and those dropped for it)."""
    taken = set(meeting.agenda_items.exclude(source_key="").values_list("source_key", flat=True))
    if not include_dropped:
        taken |= set(Meeting.objects.filter(pk=meeting.pk).values_list("proposals_dropped", flat=True).first() or ())
    proposals = agenda_proposals(user=user, series=meeting.series, meeting=meeting,
                                 municipalities=filters.get("municipalities") or (),
                                 sectors=filters.get("sectors") or (), partners=filters.get("partners") or ())
    return [p for p in proposals if p["key"] not in taken]
