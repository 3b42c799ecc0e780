"""Sites: the points where a project works, shared by the project and the update services."""

from __future__ import annotations

from typing import Any

from projects.models import Site


def site_municipality(point) -> Any:
    """The municipality whose area holds ``point`` (an official boundary before an approximate one), or None."""
    from municipalities.models import Municipality

    return (Municipality.objects.filter(area__contains=point).order_by("-area_is_official", "pk").first())


def site_identity(site: Site) -> tuple:
    """What makes two sites the same place: names, point (to 7 decimals) and municipality."""
    return (site.name_ar, site.name_en, round(site.point.x, 7), round(site.point.y, 7), site.municipality_id)
