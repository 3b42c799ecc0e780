"""Seeding without the services' re-checks: the writes the demo makes through services (plans, meetings,
government projects) queue their analyses with ``transaction.on_commit``, once per write; the seed drops
them and runs each analysis once on the whole portfolio instead."""

from __future__ import annotations

from django.db import connection


def on_commit_mark() -> int:
    """Where the callbacks queued from now on begin (call it inside the seed's ``transaction.atomic``)."""
    return len(connection.run_on_commit)


def on_commit_mute(mark: int) -> int:
    """Drop the callbacks queued since ``mark`` (in the same transaction); returns how many were dropped.
    Django keeps them in ``connection.run_on_commit`` until the outermost block commits."""
    dropped = len(connection.run_on_commit) - mark
    del connection.run_on_commit[mark:]
    return dropped
