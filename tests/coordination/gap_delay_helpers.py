"""Helpers shared by the gap, delay and needs tests (plain functions; each module wraps them in fixtures)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command

from tests.demo.reference import TODAY, demo_reference_in_db

__all__ = ["TODAY", "demo_reference_in_db", "seed_demo", "make_project"]


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
