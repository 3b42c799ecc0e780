"""Switching the Celery app of the test process to another broker (a dead port, a throwaway redis-server) and back.

Not ``app.close()``: it also takes the app off Celery's active apps, so the tasks of every module imported
afterwards would not register with it (``NotRegistered`` in later tests). The app's connection pool is dropped
instead (not closed: kombu's producer pools, kept per broker URL, still use it when the old URL comes back), and
the AMQP helper, which keeps the producer pool of the first broker it sent to (and the queues), is made anew
on next use."""

from __future__ import annotations

from typing import Any


def celery_conf_use(conf: dict[str, Any]) -> dict[str, Any]:
    """Apply ``conf`` to the app's settings and send through the broker it names from now on; returns the old
    values of the same settings, to pass back when done."""
    from config.celery import app

    old = {name: app.conf[name] for name in conf}
    app._pool = None  # not closed: kombu's registry of producer pools, keyed by broker, still holds it
    app.conf.update(conf)
    app.__dict__.pop("amqp", None)
    return old
