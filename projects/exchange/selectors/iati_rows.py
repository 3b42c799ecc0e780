"""The projects of an IATI export as plain records, read in chunks with a fixed number of queries per chunk.

Building model instances (and prefetching through the ORM) cost more than writing the XML at 100,000
projects, so the writer reads plain rows instead: the partners, sectors, municipalities (their point, never the
polygon) and plan objectives once per export, and per chunk of projects one query per
kind of part (participations, sector lines, places, sites, objectives, transactions, related activities,
programmes). Each record is a ``SimpleNamespace`` with the attribute names the models have, its parts as
plain lists (``participations``, ``locations``, ``sites``, ``sector_shares``, ``plan_objectives``,
``transactions``, ``related_activities``), so the XML code reads like the model it describes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet

from municipalities.models import Municipality, PlanObjective, Sector
from projects.exchange.selectors.threew import chunk_filter
from projects.models import (
    Participation,
    Partner,
    Programme,
    Project,
    ProjectLocation,
    ProjectSector,
    RelatedActivity,
    Site,
    Transaction,
)

PROJECT_FIELDS = (
    "pk", "programme_id", "reporting_partner_id", "iati_identifier", "partner_code", "title_ar", "title_en",
    "description_ar", "description_en", "status", "planned_start", "planned_end", "actual_start", "actual_end",
    "budget", "currency", "spend_to_date", "beneficiaries_targeted", "beneficiaries_reached", "progress_percent",
    "reporting_frequency", "sdg_tags", "humanitarian", "policy_markers", "aid_type", "finance_type", "flow_type",
    "tied_status", "collaboration_type", "updated_at", "budget_revised",
)


class IatiContext:
    """What every activity may name, read once per export: partners, sectors, places and plan objectives."""

    def __init__(self) -> None:
        self.partners = {row["id"]: SimpleNamespace(pk=row["id"], **row) for row in Partner.objects.values(
            "id", "name_en", "name_ar", "acronym", "iati_ref", "org_type")}
        self.sectors = {row["id"]: SimpleNamespace(pk=row["id"], **row) for row in Sector.objects.values(
            "id", "code")}
        self.places: dict[int, SimpleNamespace] = {}
        for row in Municipality.objects.values("id", "pcode", "slug", "name_en", "name_ar", "point"):
            self.places[row["id"]] = SimpleNamespace(pk=row["id"], **row)
        self.objectives: dict[int, SimpleNamespace] = {}
        for row in PlanObjective.objects.values("id", "plan_id", "code", "title_ar", "title_en", "sdg_targets",
                                                "plan__uri"):
            plan = SimpleNamespace(pk=row["plan_id"], uri=row.pop("plan__uri"))
            self.objectives[row["id"]] = SimpleNamespace(pk=row["id"], plan=plan, **row)


def _grouped(rows: Iterable[dict[str, Any]], make: Any = None) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        project_id = row.pop("project_id")
        out[project_id].append(make(row) if make is not None else SimpleNamespace(**row))
    return out


def _attach(projects: list[SimpleNamespace], context: IatiContext) -> None:
    """The parts of a chunk of projects: one query per kind of part, whatever the chunk's size."""
    ids = [p.pk for p in projects]
    chunk = chunk_filter(ids)
    partners, sectors, places = context.partners, context.sectors, context.places
    participations = _grouped(Participation.objects.filter(**chunk).values(
        "project_id", "partner_id", "role", "activity_id"),
        lambda r: SimpleNamespace(partner=partners[r["partner_id"]], **r))
    shares = _grouped(ProjectSector.objects.filter(**chunk).values(
        "project_id", "id", "sector_id", "percentage", "dac_code"),
        lambda r: SimpleNamespace(pk=r["id"], sector=sectors[r["sector_id"]], **r))
    locations = _grouped(ProjectLocation.objects.filter(**chunk).values(
        "project_id", "municipality_id", "share"),
        lambda r: SimpleNamespace(municipality=places[r["municipality_id"]], share=r["share"]))
    sites = _grouped(Site.objects.filter(**chunk).values("project_id", "id", "name_en", "name_ar", "point"),
                     lambda r: SimpleNamespace(pk=r["id"], **r))
    through = Project.plan_objectives.through
    field_from = Project.plan_objectives.field.m2m_field_name()
    field_to = Project.plan_objectives.field.m2m_reverse_field_name()
    objectives: dict[int, list[Any]] = defaultdict(list)
    for project_id, objective_id in through.objects.filter(**chunk_filter(ids, f"{field_from}_id")).values_list(
            f"{field_from}_id", f"{field_to}_id"):
        objectives[project_id].append(context.objectives[objective_id])
    transactions = _grouped(Transaction.objects.filter(**chunk).values(
        "project_id", "id", "type", "date", "value", "currency", "provider_org_id", "provider_activity_id",
        "receiver_org_id", "receiver_activity_id", "sectors"),
        lambda r: SimpleNamespace(pk=r["id"], provider_org=partners.get(r["provider_org_id"]),
                                  receiver_org=partners.get(r["receiver_org_id"]), **r))
    related = _grouped(RelatedActivity.objects.filter(**chunk).values(
        "project_id", "relation", "iati_identifier"))
    programme_ids = {p.programme_id for p in projects if p.programme_id is not None}
    programmes = {row["id"]: SimpleNamespace(partner=partners[row["partner_id"]], **row)
                  for row in Programme.objects.filter(pk__in=programme_ids).values(
                      "id", "partner_id", "code", "title_en", "title_ar", "description", "start_date", "end_date")
                  } if programme_ids else {}
    for project in projects:
        pk = project.pk
        project.reporting_partner = partners[project.reporting_partner_id]
        project.programme = programmes.get(project.programme_id)
        project.participations = participations.get(pk, [])
        project.sector_shares = shares.get(pk, [])
        project.locations = locations.get(pk, [])
        project.sites = sites.get(pk, [])
        project.plan_objectives = objectives.get(pk, [])
        project.transactions = transactions.get(pk, [])
        project.related_activities = related.get(pk, [])


def _rows(projects: Iterable[Any], chunk_size: int) -> Iterator[list[dict[str, Any]]]:
    """The projects' own columns, ``chunk_size`` at a time, in the order given."""
    if isinstance(projects, QuerySet):
        batch: list[dict[str, Any]] = []
        for row in projects.prefetch_related(None).values(*PROJECT_FIELDS).iterator(chunk_size=chunk_size):
            batch.append(row)
            if len(batch) >= chunk_size:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    pending: list[int] = []
    for project in projects:  # model instances (or ids): read again as rows, in the same order
        pending.append(getattr(project, "pk", project))
        if len(pending) >= chunk_size:
            yield _rows_of(pending)
            pending = []
    if pending:
        yield _rows_of(pending)


def _rows_of(ids: list[int]) -> list[dict[str, Any]]:
    found = {row["pk"]: row for row in Project.objects.filter(pk__in=ids).values(*PROJECT_FIELDS)}
    return [found[pk] for pk in ids if pk in found]


def iati_project_records(projects: Iterable[Any], *, chunk_size: int,
                         context: IatiContext | None = None) -> Iterator[SimpleNamespace]:
    """Each project as a plain record with its parts, read chunk by chunk."""
    context = context or IatiContext()
    for rows in _rows(projects, chunk_size):
        records = [SimpleNamespace(**row) for row in rows]
        _attach(records, context)
        yield from records
