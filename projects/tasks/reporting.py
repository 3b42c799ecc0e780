"""Celery tasks: reporting."""

__all__: list[str] = []
