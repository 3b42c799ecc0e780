"""The flags about one project, for its page: the duplicate pairs it is in, its delays, and the coverage
gaps of its municipalities, as plain rows.

Only what the reader may see, through the flag selectors' own rules: ``duplicate_flags_visible_to``,
``delay_flags_visible_to``, and for gaps the stored flags for ministry staff (``gap_flags_stored_for``),
else the gaps found over the reader's own ``projects_counted_for`` (another partner's draft neither
shows nor changes what is found). Current flags only (a resolved one no longer holds); a fixed number of
queries whatever the number of flags (at most ``FLAG_ROWS`` rows of each kind are listed, with a count).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from common.bilingual import bilingual_text
from coordination.analysis.delays import delay_reason_text
from coordination.analysis.gaps import gap_findings
from coordination.reasons import reason_text
from coordination.selectors.delays import delay_flag_list, delay_flags_visible_to
from coordination.selectors.duplicates import duplicate_flag_list, duplicate_flags_visible_to
from coordination.selectors.flags import gap_flags_stored_for
from coordination.selectors.gaps import gap_finding_rows, gap_flag_list
from coordination.selectors.places import gap_reason_for_page
from coordination.services.gaps import gap_analysis_on
from projects.models import Project
from projects.selectors.projects import projects_counted_for

FLAG_ROWS = 20


def _duplicates(user: Any, project: Project) -> tuple[list[dict[str, Any]], int]:
    flags = duplicate_flags_visible_to(user, duplicate_flag_list()).filter(
        Q(project_a=project) | Q(project_b=project), resolved_at__isnull=True).order_by("-score", "pk")
    rows = []
    for flag in flags[:FLAG_ROWS]:
        other = flag.project_b if flag.project_a_id == project.pk else flag.project_a
        rows.append({
            "id": flag.pk, "status": flag.status, "status_label": flag.get_status_display(), "score": flag.score,
            "kind_label": flag.get_kind_display(), "other_id": other.pk, "other": str(other),
            "other_partner": str(other.reporting_partner), "reasons": [reason_text(r) for r in flag.reasons[:3]],
        })
    return rows, flags.count()


def _delays(user: Any, project: Project) -> tuple[list[dict[str, Any]], int]:
    flags = delay_flags_visible_to(user, delay_flag_list(filters={"project": project.pk})).order_by("-score", "pk")
    today = timezone.localdate()
    rows = [{
        "id": flag.pk, "status": flag.status, "status_label": flag.get_status_display(), "score": flag.score,
        "rule_label": flag.get_rule_display(), "severity": flag.severity, "severity_label": flag.get_severity_display(),
        "reasons": [delay_reason_text(r, today) for r in flag.reasons or []],
    } for flag in flags[:FLAG_ROWS]]
    return rows, flags.count()


def _gaps(user: Any, municipality_ids: list[int]) -> tuple[list[dict[str, Any]], bool]:
    if not municipality_ids:
        return [], gap_flags_stored_for(user)
    if gap_flags_stored_for(user):
        flags = gap_flag_list().filter(municipality_id__in=municipality_ids)[:FLAG_ROWS]
        return [{
            "id": f.pk, "municipality": str(f.municipality), "municipality_slug": f.municipality.slug,
            "sector": str(f.sector) if f.sector_id else None, "severity": f.severity, "score": f.score,
            "status_label": f.get_status_display(), "reasons": [gap_reason_for_page(r) for r in f.reasons],
        } for f in flags], True
    inputs, analysis = gap_analysis_on(municipality_ids=municipality_ids, projects=projects_counted_for(user))
    rows = []
    for row in gap_finding_rows(inputs, gap_findings(analysis))[:FLAG_ROWS]:
        _code, name_ar, name_en = inputs.sector_info.get(row["sector"], (None, "", "")) if row["sector"] else (
            None, "", "")
        rows.append({
            "id": None, "municipality": bilingual_text(row["municipality_name_ar"], row["municipality_name_en"]),
            "municipality_slug": row["municipality_slug"],
            "sector": bilingual_text(name_ar, name_en) if row["sector"] else None,
            "severity": row["severity"], "score": row["score"], "status_label": "",
            "reasons": [gap_reason_for_page(x) for x in row["reasons"]],
        })
    return rows, False


def project_flags(user: Any, project: Project) -> dict[str, Any]:
    """The current flags about ``project`` that ``user`` may see. Keys: ``duplicates`` (rows: the other
    project, kind, score, status, reasons) and ``duplicate_count``; ``delays`` (rule, severity, score,
    status, reasons) and ``delay_count``; ``gaps`` (municipality, sector, severity, score, reasons) and
    ``gaps_stored`` (stored flags with a review life, or found for the reader)."""
    duplicates, duplicate_count = _duplicates(user, project)
    delays, delay_count = _delays(user, project)
    municipality_ids = sorted(project.locations.values_list("municipality_id", flat=True))
    gaps, stored = _gaps(user, municipality_ids)
    return {"duplicates": duplicates, "duplicate_count": duplicate_count, "delays": delays,
            "delay_count": delay_count, "gaps": gaps, "gaps_stored": stored}
