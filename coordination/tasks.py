from celery import shared_task


@shared_task
def ping() -> str:
    """A no-op the beat schedule and the integration tests use to prove a worker answers."""
    return "pong"
