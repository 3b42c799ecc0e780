"""Columns the admin lists of jobs share (analysis runs, import, export and report jobs)."""

from __future__ import annotations

from typing import Any

from django.utils.text import Truncator

ERROR_COLUMN_CHARS = 80


def job_error_summary(model_admin: Any, obj: Any) -> str:
    """The first line of a job's error, cut to fit a list column ("" when it did not fail)."""
    first = (getattr(obj, "error", "") or "").strip().splitlines()
    return Truncator(first[0]).chars(ERROR_COLUMN_CHARS) if first else ""
