import logging

from celery import shared_task

from plans import services

logger = logging.getLogger(__name__)


@shared_task(name="plans.refresh_statuses")
def refresh_statuses() -> int:
    """Daily: recompute every plan item's status as of today (idempotent)."""
    changed = services.refresh_statuses()
    logger.info("Plan statuses refreshed: %s item(s) changed", changed)
    return changed
