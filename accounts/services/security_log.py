"""Writing and pruning the security log.

A failed write never fails the request it describes: signing in, downloading or being refused goes on, and the
event, with the reason it could not be stored, goes to the ``tansiq.security`` logger at ERROR instead, so it
reaches the process log. Every stored event is also logged there at INFO, for a log collector.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.models import SecurityEvent
from accounts.origin import RequestOrigin, request_origin

logger = logging.getLogger("tansiq.security")
KINDS = frozenset(SecurityEvent.Kind.values)


def _cut(value: Any, field: str) -> str:
    return str(value or "")[: SecurityEvent._meta.get_field(field).max_length]


def _account(user: Any, username: str) -> tuple[Any, str]:
    """The user row (or None) and the name to keep: the user's own, else the name that was tried."""
    if user is not None and getattr(user, "is_authenticated", False):
        return user, user.get_username()
    if username:
        model = get_user_model()
        found = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
        return found, username
    return None, ""


def security_event_record(*, kind: str, request: Any = None, origin: RequestOrigin | None = None, user: Any = None,
                          username: str = "", object_ref: str = "", detail: str = "") -> SecurityEvent | None:
    """Record one event. ``request`` (a Django or DRF request) gives the address, method, path, browser and, unless
    ``user`` is given, the user; services that have no request pass ``origin`` instead. ``username`` is the name
    tried when there is no signed-in user (a failed sign-in). Returns the row, or None if it could not be stored."""
    if kind not in KINDS:
        raise ValueError(f"Unknown security event kind {kind!r}.")
    if origin is None:
        origin = request_origin(request) if request is not None else RequestOrigin()
    if user is None and request is not None and not username:  # a name tried is about that name, not the session
        user = getattr(request, "user", None)
    user, username = _account(user, username)
    fields = {
        "kind": kind, "user": user, "username": _cut(username, "username"), "ip": origin.ip,
        "method": _cut(origin.method, "method"), "path": _cut(origin.path, "path"),
        "object_ref": _cut(object_ref, "object_ref"), "detail": _cut(detail, "detail"),
        "user_agent": _cut(origin.user_agent, "user_agent"),
    }
    summary = "%s user=%s ip=%s %s %s ref=%s detail=%s"
    values = (kind, fields["username"] or "-", origin.ip or "-", fields["method"], fields["path"],
              fields["object_ref"] or "-", fields["detail"] or "-")
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the caller's transaction usable
            event = SecurityEvent.objects.create(**fields)
    except DatabaseError:
        logger.exception("security event NOT STORED: " + summary, *values)
        return None
    logger.info("security event: " + summary, *values)
    return event


def security_events_prune(*, days: int, now=None) -> int:
    """Delete the events older than ``days`` days; the number deleted. Safe to run twice."""
    if days < 1:
        raise ValueError("The security log is kept for at least one day.")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _by_model = SecurityEvent.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        logger.info("security log: %d events older than %d days deleted", deleted, days)
    return deleted
