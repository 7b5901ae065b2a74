"""Celery jobs of the scorecards module (thin wrappers around services)."""

import logging

from celery import shared_task
from django.utils import timezone

from pmf import periods
from scorecards import services
from scorecards.models import Scorecard, ScorecardSettings

log = logging.getLogger(__name__)


@shared_task(name="scorecards.issue_due_editions")
def issue_due_editions() -> int:
    """Daily: from scorecard day on, issue last month's edition of every active scorecard that is
    issued monthly. Idempotent (issue_edition returns the edition already there), so it also
    catches up days the job missed. Returns how many scorecards have an edition for last month."""
    today = timezone.localdate()
    if today.day < ScorecardSettings.load().issue_day:
        return 0
    period = periods.last_complete_month(today)
    issued = 0
    for scorecard in Scorecard.objects.filter(active=True, issue_monthly=True):
        try:
            services.issue_edition(scorecard=scorecard, period=period, user=None, today=today)
            issued += 1
        except services.EditionRefused as refusal:
            log.warning("Edition of %s for %s not issued: %s", scorecard.pk, period, refusal)
    return issued
