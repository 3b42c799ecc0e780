"""Helpers shared by the gap, delay and needs tests (plain functions; each module wraps them in fixtures)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.contrib.gis.geos import Point
from django.core.management import call_command

from tests.projects.test_seed_demo import DISTRICTS, PARTNERS, RATES, SECTORS, TODAY, _municipality

__all__ = ["TODAY", "demo_reference_in_db", "seed_demo", "make_project"]


def demo_reference_in_db() -> None:
    """The seed_demo tests' small reference (3 regions, 3 districts, 20 municipalities, 8 sectors)."""
    from municipalities.models import District, Municipality, Region, Sector
    from projects.models import ExchangeRate, Partner

    regions = {code: Region.objects.create(pcode=code, name_ar=code, name_en=code) for code, _ in DISTRICTS}
    districts = [District.objects.create(pcode=d, region=regions[r], name_ar=d, name_en=d) for r, d in DISTRICTS]
    for i in range(20):
        m = _municipality(i)
        Municipality.objects.create(
            pcode=m["pcode"], slug=f"baladiya-{i}", district=districts[i % 3], name_en=m["name_en"],
            name_ar=m["name_ar"], point=Point(m["lon"], m["lat"], srid=4326), population=m["population"],
            population_year=2021)
    for i, (code, en, ar) in enumerate(SECTORS):
        Sector.objects.create(code=code, name_en=en, name_ar=ar, order=i)
    for acronym, org_type, ref, country in PARTNERS:
        Partner.objects.create(acronym=acronym, name_en=acronym, name_ar=acronym, org_type=org_type, iati_ref=ref,
                               country=country)
    for currency, rate in RATES.items():
        for year in range(2018, 2027):
            ExchangeRate.objects.create(currency=currency, year=year, usd_per_unit=rate)


def seed_demo(tmp_path: Path, projects: int = 300, seed: int = 3, today: date = TODAY) -> dict:
    path = tmp_path / "truth.json"
    call_command("seed_demo", f"--truth={path}", f"--today={today.isoformat()}", f"--projects={projects}",
                 f"--seed={seed}", verbosity=0)
    return json.loads(path.read_text(encoding="utf-8"))


def make_project(*, municipalities, sectors=None, shares=None, partner=None, **fields):
    """A project with its municipalities (optional shares), sectors ({sector: percent}) and partner roles."""
    from projects.models import OrganisationRole, Participation, ProjectLocation, ProjectSector
    from tests import factories

    project = factories.ProjectFactory(**({"reporting_partner": partner} if partner else {}), **fields)
    for i, muni in enumerate(municipalities):
        ProjectLocation.objects.create(project=project, municipality=muni,
                                       share=Decimal(str(shares[i])) if shares else None)
    for sector, pct in (sectors or {}).items():
        ProjectSector.objects.create(project=project, sector=sector, percentage=Decimal(str(pct)))
    Participation.objects.create(project=project, partner=project.reporting_partner, role=OrganisationRole.FUNDING)
    return project


def role_user(username: str, role: str | None = None, **fields):
    """A user in one of the role groups (needs the ``roles`` fixture); the shared personas' partners
    would clash with the demo reference's."""
    from django.contrib.auth.models import Group

    from tests import factories

    user = factories.UserFactory(username=username, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user
