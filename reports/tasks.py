"""Celery jobs of Report Central (thin wrappers around reports.services)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from reports import services

log = logging.getLogger(__name__)

# A report takes seconds to a few minutes; past these it is stopped (soft) and its worker ended
# (hard). services.STUCK_AFTER is longer than the hard limit.
RUN_SOFT_TIME_LIMIT = 15 * 60
RUN_TIME_LIMIT = 20 * 60
RETRY_AFTER = 30


@shared_task(
    name="reports.render_run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=services.MAX_ATTEMPTS - 1,
    soft_time_limit=RUN_SOFT_TIME_LIMIT,
    time_limit=RUN_TIME_LIMIT,
)
def render_run(self, *, run_id: int) -> dict:
    """Make report run RUN_ID (see services.execute). A database error is retried a bounded
    number of times; running out of time or of retries fails the run with the reason."""
    try:
        run = services.execute(run_id=run_id)
    except SoftTimeLimitExceeded:
        services.fail(run_id=run_id, error="The report took longer than the time allowed and was stopped.")
        raise
    except DatabaseError as exc:
        if self.request.retries >= self.max_retries:
            services.fail(run_id=run_id, error=f"The report could not be saved: {exc}")
            raise
        services.requeue(run_id=run_id)
        raise self.retry(exc=exc, countdown=RETRY_AFTER) from exc
    return {"run": run_id, "status": run.status if run else "gone"}


@shared_task(name="reports.run_schedule")
def run_schedule() -> dict:
    """Daily on beat: make the scheduled runs now due (idempotent per definition and period)."""
    made = services.run_schedule()
    log.info("Reports: %s scheduled run(s) made", len(made))
    return {"made": [run.pk for run in made]}


@shared_task(name="reports.sweep")
def sweep() -> dict:
    """Every few minutes on beat: runs whose worker died go back to the queue (or fail after
    their last attempt), and recipients not yet told of a done scheduled run are e-mailed."""
    outcome = services.sweep_stuck()
    outcome["notified"] = services.notify_pending()
    return outcome
