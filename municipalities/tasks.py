from celery import shared_task

from municipalities import services


@shared_task
def derive_approximate_areas() -> int:
    """Recompute approximate municipality areas (idempotent; official areas are never touched)."""
    return services.municipality_derive_approximate_areas()
