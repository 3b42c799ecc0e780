"""Celery tasks: imports."""

__all__: list[str] = []
