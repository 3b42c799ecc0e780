"""Writes to the gazetteer: the report of names imports could not place, and the aliases staff give them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.gazetteer import AMBIGUOUS, Resolution, place_keys, place_misses_active, place_misses_collected
from municipalities.models import Municipality, PlaceName, UnresolvedPlace

RESOLVE_PERMISSION = "municipalities.change_unresolvedplace"


def place_names_can_resolve(user: Any) -> bool:
    """Ministry staff who resolve names (administrators and analysts: coordination.roles)."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(RESOLVE_PERMISSION))


def _suggestions(resolution: Resolution) -> list[dict[str, Any]]:
    return [{"municipality_id": c.municipality_id, "confidence": c.confidence, "name": c.name}
            for c in resolution.candidates]


@transaction.atomic
def unresolved_places_record(*, misses: dict[str, tuple[Resolution, int]], source: str = "",
                             job_id: int | None = None) -> int:
    """Add the names an import gave up on to the report (one row per name, counts added up). A name staff
    resolved since keeps its resolution. Returns the number of names recorded."""
    if not misses:
        return 0
    existing = {u.key: u for u in UnresolvedPlace.objects.select_for_update().filter(key__in=list(misses))}
    new = []
    for key, (resolution, count) in misses.items():
        status = UnresolvedPlace.Status.AMBIGUOUS if resolution.status == AMBIGUOUS else UnresolvedPlace.Status.UNRESOLVED
        row = existing.get(key)
        if row is None:
            new.append(UnresolvedPlace(name=resolution.name[:200], key=key[:200], status=status, count=count,
                                       suggestions=_suggestions(resolution), source=source, job_id=job_id))
            continue
        fields: dict[str, Any] = {"count": F("count") + count, "source": source, "job_id": job_id,
                                  "last_seen": timezone.now()}
        if row.status != UnresolvedPlace.Status.RESOLVED:
            fields |= {"status": status, "suggestions": _suggestions(resolution)}
        UnresolvedPlace.objects.filter(pk=row.pk).update(**fields)
    UnresolvedPlace.objects.bulk_create(new)
    return len(misses)


@transaction.atomic
def place_name_add(*, name: str, municipality: Municipality, user: Any, kind: str = "") -> PlaceName:
    """A name staff give a municipality (or a place in it): the gazetteer resolves it from now on."""
    keys = place_keys(name)
    if keys is None:
        raise ValidationError(_("A place name needs letters."))
    place, _created = PlaceName.objects.update_or_create(
        name=" ".join(name.split())[:200], source=PlaceName.Source.STAFF, municipality=municipality,
        defaults={"script": PlaceName.Script.ARABIC if keys.script == "ar" else PlaceName.Script.LATIN,
                  "key": keys.variant[:200], "kind": kind, "created_by": user})
    return place


@transaction.atomic
def unresolved_place_resolve(*, place: UnresolvedPlace, municipality: Municipality, user: Any) -> PlaceName:
    """Staff say which municipality a reported name is: it becomes a staff alias, and the row is marked."""
    if not place_names_can_resolve(user):
        raise PermissionDenied(_("Only ministry staff can resolve place names."))
    alias = place_name_add(name=place.name, municipality=municipality, user=user)
    UnresolvedPlace.objects.filter(pk=place.pk).update(
        status=UnresolvedPlace.Status.RESOLVED, resolved_to=municipality, resolved_by=user,
        resolved_at=timezone.now())
    place.refresh_from_db()
    return alias


@contextmanager
def unresolved_places_reported(*, source: str, job_id: int | None = None) -> Iterator[None]:
    """Inside the block, the names imports give up on are collected; on leaving it (also by an error: the names
    are why a file was refused) they are added to the report. Inside an outer block, the outer one reports."""
    if place_misses_active():
        yield
        return
    with place_misses_collected() as misses:
        try:
            yield
        finally:
            unresolved_places_record(misses=misses, source=source, job_id=job_id)
