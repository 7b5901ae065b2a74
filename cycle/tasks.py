"""Celery jobs of the monthly cycle (thin wrappers around the services)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from cycle import digests, jobs, services

log = logging.getLogger(__name__)

RETRY_DIGESTS_AFTER = 15 * 60


@shared_task(name="cycle.daily", bind=True, autoretry_for=(DatabaseError,), max_retries=3, retry_backoff=60)
def daily(self) -> dict:
    """Daily on beat: the cycle's reminders, escalations and digests for every day since the last
    run (idempotent; a second runner at the same time stops at once). Failed e-mails are tried
    again by `retry_digests`."""
    outcome = services.run_daily()
    if outcome is None:
        return {"skipped": True}
    log.info(
        "Cycle: %s day(s) done, %s notification(s), %s digest(s) sent, %s failed, %s not sent",
        len(outcome.days),
        outcome.notifications,
        outcome.sent,
        outcome.failed,
        outcome.skipped,
    )
    if outcome.failed:
        retry_digests.apply_async(countdown=RETRY_DIGESTS_AFTER)
    return {
        "days": [day.isoformat() for day in outcome.days],
        "notifications": outcome.notifications,
        "sent": outcome.sent,
        "failed": outcome.failed,
        "skipped": outcome.skipped,
    }


@shared_task(
    name="cycle.retry_digests", bind=True, max_retries=digests.MAX_ATTEMPTS, default_retry_delay=RETRY_DIGESTS_AFTER
)
def retry_digests(self) -> dict:
    """Send the failed digests again; while some still fail, try again later."""
    outcome = digests.retry_failed()
    if outcome.failed and self.request.retries < self.max_retries:
        raise self.retry()
    return {"sent": outcome.sent, "failed": outcome.failed}


@shared_task(name="cycle.send_digest")
def send_digest(*, digest_id: int) -> dict:
    """Send one digest made to go at once (a chase); a second delivery sends nothing."""
    outcome = digests.send_one(digest_id=digest_id)
    if outcome.failed:
        retry_digests.apply_async(countdown=RETRY_DIGESTS_AFTER)
    return {"sent": outcome.sent, "failed": outcome.failed}


@shared_task(name="cycle.run_job", bind=True, max_retries=jobs.MAX_ATTEMPTS, default_retry_delay=30)
def run_job(self, *, job_id: int) -> dict:
    """Run a background job exactly once (see cycle.jobs). A database error is retried; running
    out of time or of retries fails the job, which its page then says."""
    try:
        job = jobs.run(job_id=job_id)
    except SoftTimeLimitExceeded:
        jobs.fail(job_id=job_id, error="The job took longer than the time allowed and was stopped; nothing was saved.")
        raise
    except DatabaseError as exc:
        if self.request.retries >= self.max_retries:
            jobs.fail(job_id=job_id, error=f"The job failed: {exc}. Nothing was saved.")
            raise
        raise self.retry(exc=exc) from exc
    except Exception as exc:
        jobs.fail(job_id=job_id, error=f"The job failed: {type(exc).__name__}: {exc}. Nothing was saved.")
        raise
    return {"job": job_id, "status": job.status if job else "gone"}
