"""Partner scorecards: how well each partner reports.

Per partner: reports due, on time, late and missing (the reporting calendar), the on-time rate; how
complete its project records and its updates are; how many of its submissions the ministry returned.
A fixed number of queries whatever the number of partners and projects (partners, then per partner the
projects' and the updates' filled fields and the report counts from the stored reporting periods, all summed
by the database with conditional counts, and the two review histories); no project or update row is read
into Python.
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

    def set(self, records: int, filled: dict[str, float], applicable: dict[str, int]) -> None:
        """Sums counted elsewhere (the database): ``records`` records, ``filled`` per field, ``applicable``
        per field (fields applying to no record are left out, as ``add`` leaves them)."""
        self.records = records
        for name, count in applicable.items():
            if count:
                self.applicable[name] += count
                self.filled[name] += filled[name]

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


def _filled(condition: Q) -> Count:
    return Count("pk", filter=condition)


# Text that is more than whitespace (Python's ``str.strip()`` leaving something): a regex both databases run.
_HAS_TEXT = r"\S"


def _project_sums(ids: list[int]) -> dict[int, tuple[int, dict[str, float]]]:
    """Per partner: its projects counted once (not marked duplicates) and, per field of PROJECT_FIELDS, how many
    are filled (titles count half per language), summed by the database (one query)."""
    rows = (Project.objects.filter(reporting_partner_id__in=ids, duplicate_of__isnull=True)
            .values("reporting_partner_id").order_by()
            .annotate(records=Count("pk"),
                      title_ar=_filled(Q(title_ar__gt="")), title_en=_filled(Q(title_en__gt="")),
                      sector=_filled(Q(Exists(ProjectSector.objects.filter(project=OuterRef("pk"))))),
                      municipality=_filled(Q(Exists(ProjectLocation.objects.filter(project=OuterRef("pk"))))),
                      budget=_filled(Q(budget__isnull=False)),
                      dates=_filled(Q(planned_start__isnull=False, planned_end__isnull=False)),
                      iati_identifier=_filled(Q(iati_identifier__gt="")),
                      beneficiaries_targeted=_filled(Q(beneficiaries_targeted__isnull=False))))
    out = {}
    for row in rows:
        filled = {name: float(row[name]) for name in PROJECT_FIELDS if name != "titles"}
        filled["titles"] = (row["title_ar"] + row["title_en"]) / 2
        out[row["reporting_partner_id"]] = (row["records"], filled)
    return out


def _update_sums(ids: list[int]) -> dict[int, tuple[int, dict[str, float], dict[str, int]]]:
    """Per partner: its submitted updates (of projects counted once), per field of UPDATE_FIELDS how many are
    filled, and how many the field applies to ("problems" only to updates whose status says the work is held
    up), summed by the database (one query)."""
    held_up = Q(status__in=HELD_UP)
    rows = (ProjectUpdate.objects.filter(partner_id__in=ids, submitted_at__isnull=False,
                                         project__duplicate_of__isnull=True)
            .values("partner_id").order_by()
            .annotate(records=Count("pk"), held_up=_filled(held_up),
                      narrative=_filled(Q(narrative__regex=_HAS_TEXT)),
                      spend=_filled(Q(spend_to_date__gt=0)),
                      beneficiaries=_filled(Q(beneficiaries_reached__isnull=False)),
                      problems=_filled(held_up & Q(problems__regex=_HAS_TEXT))))
    out = {}
    for row in rows:
        records = row["records"]
        applicable = {"narrative": records, "spend": records, "beneficiaries": records, "problems": row["held_up"]}
        out[row["partner_id"]] = (records, {name: float(row[name]) for name in UPDATE_FIELDS}, applicable)
    return out


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

    for partner_id, (records, filled) in _project_sums(ids).items():
        card = cards[partner_id]
        card.projects = records
        card.project_fields.set(records, filled, {name: records for name in PROJECT_FIELDS})
    for partner_id, (records, filled, applicable) in _update_sums(ids).items():
        cards[partner_id].update_fields.set(records, filled, applicable)

    for partner_id, report_tally in report_tallies(partner_ids=ids, today=today).items():
        cards[partner_id].reports = report_tally

    returned_p, returned_u = _returned_counts(ids)
    for partner_id, card in cards.items():
        card.returned_projects, card.returned_updates = returned_p[partner_id], returned_u[partner_id]
    return list(cards.values())


def partner_scorecard(*, partner_id: int, today: dt.date | None = None) -> PartnerScorecard | None:
    cards = partner_scorecards(partner_ids=[partner_id], today=today)
    return cards[0] if cards else None
