"""Risk reviews as dated work the monthly cycle chases (pmf.registry.CHASE_SOURCES): each open,
active risk whose next review falls due is owed by its owner, in the risk's unit."""

import datetime

from django.urls import reverse

from pmf.registry import ChaseItem
from risks.models import Risk

KIND = "risk_review_due"
LABEL = "Risk reviews"
BEHIND_LABEL = "Risk reviews overdue"


def reviews_due(*, today: datetime.date, within_days: int) -> list[ChaseItem]:
    """A ChaseItem for every open, active risk of an active owner whose next review is due on or
    before TODAY + WITHIN_DAYS, earliest first; overdue when the date has passed (the rule of
    risks.status.is_review_overdue). One query."""
    risks = (
        Risk.objects.active()
        .open()
        .filter(owner__is_active=True, next_review_date__lte=today + datetime.timedelta(days=within_days))
        .order_by("next_review_date", "code")
        .values_list("pk", "code", "title", "owner_id", "org_unit_id", "next_review_date")
    )
    return [
        ChaseItem(
            person_id=owner_id,
            unit_id=unit_id,
            model="risks.risk",
            object_id=pk,
            title=f"{code} {title}",
            url=reverse("risk-review", kwargs={"pk": pk}),
            due=due,
            overdue=due < today,
        )
        for pk, code, title, owner_id, unit_id, due in risks
    ]
