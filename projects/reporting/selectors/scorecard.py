"""Partner scorecards: how well each partner reports.

Per partner: reports due, on time, late and missing (the reporting calendar), the on-time rate; how
complete its project records and its updates are; how many of its submissions the ministry returned.
A fixed number of queries whatever the number of partners and projects (partners, projects, updates,
the two review histories, and the report counts, summed in SQL from the stored reporting periods); the rest
is arithmetic in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from common.bilingual import bilingual_text
from projects.models import ActivityStatus, Partner, Project, ProjectLocation, ProjectSector, ProjectUpdate, ReviewState
from projects.models.reporting import ReportingPeriod
from projects.reporting.calendar import Tally

# What a complete project record has (titles count half when only one language is given).
PROJECT_FIELDS = ("titles", "sector", "municipality", "budget", "dates", "iati_identifier", "beneficiaries_targeted")
# What a complete update has; "problems" only counts for an update whose status says the work is held up.
UPDATE_FIELDS = ("narrative", "spend", "beneficiaries", "problems")
HELD_UP = (ActivityStatus.SUSPENDED, ActivityStatus.CANCELLED)


@dataclass
class _Filled:
    """Sums of filled shares per field, to average over records."""

    records: int = 0
    filled: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    applicable: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, values: dict[str, float | None]) -> None:
        self.records += 1
        for name, value in values.items():
            if value is not None:  # None: the field does not apply to this record
                self.applicable[name] += 1
                self.filled[name] += value

    def by_field(self, names: Iterable[str]) -> dict[str, float | None]:
        return {n: (round(self.filled[n] / self.applicable[n], 4) if self.applicable[n] else None) for n in names}

    def overall(self) -> float | None:
        total = sum(self.applicable.values())
        return round(sum(self.filled.values()) / total, 4) if total else None


@dataclass
class PartnerScorecard:
    partner_id: int
    name_ar: str
    name_en: str
    acronym: str
    projects: int = 0
    reports: Tally = field(default_factory=Tally)
    project_fields: _Filled = field(default_factory=_Filled)
    update_fields: _Filled = field(default_factory=_Filled)
    returned_projects: int = 0
    returned_updates: int = 0

    @property
    def name(self) -> str:
        return bilingual_text(self.name_ar, self.name_en)

    @property
    def returned(self) -> int:
        return self.returned_projects + self.returned_updates

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner_id, "name_ar": self.name_ar, "name_en": self.name_en, "acronym": self.acronym,
            "projects": self.projects,
            "reports": {"due": self.reports.due, "on_time": self.reports.on_time, "late": self.reports.late,
                        "missing": self.reports.missing, "on_time_rate": self.reports.on_time_rate},
            "project_completeness": self.project_fields.overall(),
            "project_fields": self.project_fields.by_field(PROJECT_FIELDS),
            "updates": self.update_fields.records,
            "update_completeness": self.update_fields.overall(),
            "update_fields": self.update_fields.by_field(UPDATE_FIELDS),
            "returned": {"projects": self.returned_projects, "updates": self.returned_updates,
                         "total": self.returned},
        }


def _project_filled(row: dict[str, Any]) -> dict[str, float | None]:
    titles = (bool(row["title_ar"]) + bool(row["title_en"])) / 2
    return {
        "titles": titles, "sector": float(row["has_sector"]), "municipality": float(row["has_location"]),
        "budget": float(row["budget"] is not None), "dates": float(bool(row["planned_start"] and row["planned_end"])),
        "iati_identifier": float(bool(row["iati_identifier"])),
        "beneficiaries_targeted": float(row["beneficiaries_targeted"] is not None),
    }


def _update_filled(row: dict[str, Any]) -> dict[str, float | None]:
    return {
        "narrative": float(bool((row["narrative"] or "").strip())),
        "spend": float(row["spend_to_date"] is not None and row["spend_to_date"] > 0),
        "beneficiaries": float(row["beneficiaries_reached"] is not None),
        "problems": float(bool((row["problems"] or "").strip())) if row["status"] in HELD_UP else None,
    }


def _returned_counts(partner_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Returns by the ministry, from the review history: each (record, review time) in state *returned* is one
    return, so a record returned twice counts twice and one fixed since still counts."""
    history_p = Project.history.model.objects.filter(state=ReviewState.RETURNED,
                                                     reporting_partner_id__in=partner_ids)
    # An update counts for the partner that wrote it, even on a project the ministry moved since.
    history_u = ProjectUpdate.history.model.objects.filter(state=ReviewState.RETURNED, partner_id__in=partner_ids)
    projects: dict[int, int] = defaultdict(int)
    # order_by(): the history's default ordering would otherwise join the DISTINCT and count every version.
    for _id, _at, partner in history_p.order_by().values_list("id", "reviewed_at", "reporting_partner_id").distinct():
        projects[partner] += 1
    updates: dict[int, int] = defaultdict(int)
    for _id, _at, partner in history_u.order_by().values_list("id", "reviewed_at", "partner_id").distinct():
        updates[partner] += 1
    return projects, updates


def report_tallies(*, partner_ids: list[int], today: dt.date) -> dict[int, Tally]:
    """``calendar.tally`` of each partner's periods on ``today``, counted by the database: the reports that count
    are those submitted (early ones too) and those whose due date passed."""
    on_time = Q(submitted_on__lte=F("due_date"))
    late = Q(submitted_on__gt=F("due_date"))
    missing = Q(submitted_on__isnull=True)
    rows = (ReportingPeriod.objects.filter(partner_id__in=partner_ids, period_start__lte=today)
            .filter(Q(submitted_on__isnull=False) | Q(due_date__lt=today))
            .values("partner_id").order_by()
            .annotate(due=Count("pk"), on_time=Count("pk", filter=on_time), late=Count("pk", filter=late),
                      missing=Count("pk", filter=missing)))
    return {row["partner_id"]: Tally(row["due"], row["on_time"], row["late"], row["missing"]) for row in rows}


def partner_scorecards(
    *, partner_ids: Iterable[int] | None = None, today: dt.date | None = None,
) -> list[PartnerScorecard]:
    """Scorecards of the partners that report projects (or of ``partner_ids``), by name."""
    today = today or timezone.localdate()
    partners = Partner.objects.all() if partner_ids is not None else \
        Partner.objects.filter(Exists(Project.objects.filter(reporting_partner=OuterRef("pk"))))
    if partner_ids is not None:
        partners = partners.filter(pk__in=list(partner_ids))
    cards = {row["id"]: PartnerScorecard(row["id"], row["name_ar"], row["name_en"], row["acronym"])
             for row in partners.order_by("name_en", "pk").values("id", "name_ar", "name_en", "acronym")}
    if not cards:
        return []
    ids = list(cards)

    projects = (Project.objects.filter(reporting_partner_id__in=ids, duplicate_of__isnull=True)
                .annotate(has_sector=Exists(ProjectSector.objects.filter(project=OuterRef("pk"))),
                          has_location=Exists(ProjectLocation.objects.filter(project=OuterRef("pk"))))
                .values("reporting_partner_id", "title_ar", "title_en", "has_sector", "has_location", "budget",
                        "planned_start", "planned_end", "iati_identifier", "beneficiaries_targeted"))
    for row in projects:
        card = cards[row["reporting_partner_id"]]
        card.projects += 1
        card.project_fields.add(_project_filled(row))

    updates = (ProjectUpdate.objects.filter(partner_id__in=ids, submitted_at__isnull=False,
                                            project__duplicate_of__isnull=True)
               .values("partner_id", "narrative", "spend_to_date", "beneficiaries_reached", "problems", "status"))
    for row in updates:
        cards[row["partner_id"]].update_fields.add(_update_filled(row))

    for partner_id, report_tally in report_tallies(partner_ids=ids, today=today).items():
        cards[partner_id].reports = report_tally

    returned_p, returned_u = _returned_counts(ids)
    for partner_id, card in cards.items():
        card.returned_projects, card.returned_updates = returned_p[partner_id], returned_u[partner_id]
    return list(cards.values())


def partner_scorecard(*, partner_id: int, today: dt.date | None = None) -> PartnerScorecard | None:
    cards = partner_scorecards(partner_ids=[partner_id], today=today)
    return cards[0] if cards else None
