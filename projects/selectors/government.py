"""What makes a project the government's own (مشروع حكومي), as one condition for every read.

A government project is one the Libyan state pays for: every funder it names is a government body (a
ministry, ``Partner.OrgType.GOVERNMENT``, or a municipal council, ``LOCAL_GOVERNMENT``, of country LY: a donor
government such as BMZ or USAID is IATI type 10 too, and is an international partner); a project that names
no funder is the government's when a government body keeps its record. A project with an international
funder beside a ministry stays a partner's project (its money is international money, at least in part),
so "international money only" never hides a grant a partner gave.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, QuerySet

from projects.models import OrganisationRole, Participation, Partner, Project, government_body_q


def government_project_condition(project_ref: str = "pk", prefix: str = "") -> Any:
    """A filter expression true for government projects. ``project_ref`` names the project's id and ``prefix``
    its fields from the model queried (``"project_id"`` and ``"project__"`` from a ProjectLocation)."""
    funders = Participation.objects.filter(project_id=OuterRef(project_ref), role=OrganisationRole.FUNDING)
    body = government_body_q("partner__")
    return (~Exists(funders.exclude(body))
            & (Exists(funders.filter(body)) | government_body_q(f"{prefix}reporting_partner__")))


def projects_with_government_flag(qs: QuerySet[Project]) -> QuerySet[Project]:
    """``qs`` with ``is_government`` annotated (one subquery pair, no extra query)."""
    return qs.annotate(is_government=ExpressionWrapper(government_project_condition(), output_field=BooleanField()))


def government_projects(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.filter(government_project_condition())


def international_projects(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.exclude(government_project_condition())


def government_bodies() -> QuerySet[Partner]:
    """Ministries and municipal councils, councils with their municipality."""
    return Partner.objects.filter(government_body_q()).select_related("municipality")
