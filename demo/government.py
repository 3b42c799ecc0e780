"""The demo's government side (``seed_demo --government``): ministries and municipal councils as partners,
development allocations (باب التنمية) for every municipality for the last three years, and a few government
projects, one of them a planted repeat of a partner's project (written to the truth file).

Everything is marked as demo data: allocations carry the note ``Tansiq demo``, the projects the partner code
``DEMO-GOV-n`` and a description saying so. Written after the portfolio (through the ORM: a few hundred rows),
deterministic for a seed. The government projects are active (started ten days ago, on schedule) and go to
municipalities the portfolio already reaches, so the planted coverage gaps and delays of the truth file stand.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from demo.records import DEMO_NEED_SOURCE
from municipalities.models import DevelopmentAllocation, Municipality
from municipalities.services import allocation_save
from projects.models import (
    LIBYA,
    ActivityStatus,
    OrganisationRole,
    Participation,
    Partner,
    Project,
    ProjectLocation,
    ProjectSector,
    ReviewState,
)

DEMO_CODE = "DEMO-GOV-"
MINISTRIES = (
    ("MoLG", "Ministry of Local Government", "وزارة الحكم المحلي"),
    ("MoH", "Ministry of Health", "وزارة الصحة"),
    ("MoE", "Ministry of Education", "وزارة التربية والتعليم"),
    ("MoWR", "Ministry of Water Resources", "وزارة الموارد المائية"),
    ("MoHC", "Ministry of Housing and Construction", "وزارة الإسكان والتعمير"),
)
WORKS = (
    ("Maintenance of the water network in {place}", "صيانة شبكة المياه في {place}"),
    ("Rehabilitation of municipal roads in {place}", "إعادة تأهيل الطرق البلدية في {place}"),
    ("Equipping the health centre of {place}", "تجهيز المركز الصحي في {place}"),
    ("Repair of school buildings in {place}", "صيانة المباني المدرسية في {place}"),
    ("Street lighting for {place}", "إنارة الشوارع في {place}"),
)
DEMO_NOTE_AR = "بيانات تجريبية (Tansiq demo)."


def government_bodies_ensure(municipalities: list[Municipality]) -> tuple[list[Partner], dict[int, Partner]]:
    """The demo ministries and a council for each municipality given (found again on a second run)."""
    ministries = []
    for acronym, en, ar in MINISTRIES:
        ministry, _ = Partner.objects.get_or_create(
            name_en=en, org_type=Partner.OrgType.GOVERNMENT, country=LIBYA,
            defaults={"name_ar": ar, "acronym": acronym})
        ministries.append(ministry)
    councils = {c.municipality_id: c for c in Partner.objects.filter(
        org_type=Partner.OrgType.LOCAL_GOVERNMENT, municipality__in=municipalities)}
    for m in municipalities:
        if m.pk not in councils:
            councils[m.pk] = Partner.objects.create(
                name_en=f"{m.name_en} municipal council", name_ar=f"المجلس البلدي {m.name_ar}",
                org_type=Partner.OrgType.LOCAL_GOVERNMENT, country=LIBYA, municipality=m)
    return ministries, councils


def _allocations(rng: random.Random, municipalities: list[Municipality], today: dt.date) -> int:
    written = 0
    for m in municipalities:
        base = 400_000 + 25 * (m.population or 20_000)  # dinars: a small town about 1 million, a city tens
        for year in range(today.year - 2, today.year + 1):
            amount = Decimal(round(base * rng.uniform(0.7, 1.3), -3))
            allocation_save(municipality=m, year=year, amount=amount, currency="LYD", note=DEMO_NEED_SOURCE)
            written += 1
    return written


def _government_project(n: int, body: Partner, municipality: Municipality, sector_id: int, title: tuple[str, str],
                        today: dt.date, budget: Decimal, *, funder: Partner | None = None) -> Project:
    start = today - dt.timedelta(days=10)  # no reporting period of it is due yet: not delayed
    project = Project.objects.create(
        reporting_partner=body, review_notes_partner=body, partner_code=f"{DEMO_CODE}{n}",
        title_en=title[0], title_ar=title[1], description_ar=DEMO_NOTE_AR,
        description_en="Demo data: a government project (Tansiq demo).",
        status=ActivityStatus.IMPLEMENTATION, planned_start=start, actual_start=start,
        planned_end=today + dt.timedelta(days=340), budget=budget, currency="LYD",
        progress_percent=Decimal("3"), state=ReviewState.ACCEPTED)
    ProjectSector.objects.create(project=project, sector_id=sector_id, percentage=Decimal("100"))
    ProjectLocation.objects.create(project=project, municipality=municipality)
    Participation.objects.create(project=project, partner=funder or body, role=OrganisationRole.FUNDING)
    return project


def _repeat_candidate(rng: random.Random, today: dt.date) -> Project | None:
    """An accepted partner project, active today in one municipality and one sector: the one to repeat."""
    one_place = [p for p in Project.objects.filter(
        state=ReviewState.ACCEPTED, status=ActivityStatus.IMPLEMENTATION, planned_end__gt=today + dt.timedelta(days=60),
        planned_start__lte=today).exclude(partner_code__startswith=DEMO_CODE).prefetch_related(
        "locations", "sector_shares").order_by("pk")[:400]
        if len(p.locations.all()) == 1 and len(p.sector_shares.all()) == 1 and (p.title_en or p.title_ar)]
    return rng.choice(one_place) if one_place else None


@transaction.atomic
def government_demo_write(*, seed: int, today: dt.date, projects: int) -> dict[str, Any]:
    """Write the government side of the demo; returns its part of the truth file."""
    rng = random.Random(f"government-{seed}")
    municipalities = list(Municipality.objects.order_by("pk"))
    # (municipality, sector) pairs some partner project already works in: the truth's gaps stay gaps.
    covered = sorted({pair for pair in ProjectLocation.objects.filter(
        project__status=ActivityStatus.IMPLEMENTATION, project__sector_shares__isnull=False).values_list(
        "municipality_id", "project__sector_shares__sector_id")})
    if not municipalities or not covered:
        return {"allocations": 0, "projects": [], "duplicates": []}
    places = {m.pk: m for m in municipalities}
    chosen = rng.sample(covered, min(len(covered), max(3, projects // 40)))
    ministries, councils = government_bodies_ensure([places[m] for m, _ in chosen])
    allocations = _allocations(rng, municipalities, today)
    made: list[int] = []
    for n, (municipality_id, sector_id) in enumerate(chosen, start=1):
        m = places[municipality_id]
        en, ar = rng.choice(WORKS)
        body = councils[m.pk] if n % 2 else rng.choice(ministries)
        budget = Decimal(rng.randrange(200, 5000) * 1000)
        made.append(_government_project(n, body, m, sector_id, (en.format(place=m.name_en),
                                        ar.format(place=m.name_ar)), today, budget).pk)
    duplicates = []
    original = _repeat_candidate(rng, today)
    if original is not None:
        location = original.locations.all()[0]
        council = government_bodies_ensure([location.municipality])[1][location.municipality_id]
        repeat = _government_project(len(made) + 1, council, location.municipality,
                                     original.sector_shares.all()[0].sector_id,
                                     (original.title_en, original.title_ar), today, Decimal("1500000"))
        made.append(repeat.pk)
        duplicates.append({"a": min(repeat.pk, original.pk), "b": max(repeat.pk, original.pk), "kind": "overlap",
                           "government": repeat.pk, "partner_project": original.pk})
    return {"allocations": allocations, "projects": made, "duplicates": duplicates}


def government_demo_clear() -> int:
    """Remove the demo's allocations (its projects go with the portfolio's)."""
    deleted, _ = DevelopmentAllocation.objects.filter(note=DEMO_NEED_SOURCE).delete()
    return deleted
