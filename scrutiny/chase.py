"""Referral answers as dated work the monthly cycle chases (pmf.registry.CHASE_SOURCES): each
accepted referral not yet answered is owed by the service manager it is assigned to, by its due
date, in the unit of what was referred."""

import datetime

from django.urls import reverse

from pmf.registry import ChaseItem
from scrutiny import rules
from scrutiny.models import Referral

KIND = "referral_answer_due"
LABEL = "Referrals to answer"
BEHIND_LABEL = "Referral answers overdue"


def answers_due(*, today: datetime.date, within_days: int) -> list[ChaseItem]:
    """A ChaseItem for every accepted referral assigned to an active person whose answer is due on
    or before TODAY + WITHIN_DAYS, earliest first; overdue once the due date has passed. One query."""
    referrals = (
        Referral.objects.filter(
            status=rules.ACCEPTED,
            assigned_to__is_active=True,
            due_on__lte=today + datetime.timedelta(days=within_days),
        )
        .order_by("due_on", "pk")
        .values_list("pk", "assigned_to_id", "org_unit_id", "due_on", "question")
    )
    return [
        ChaseItem(
            person_id=person_id,
            unit_id=unit_id,
            model="scrutiny.referral",
            object_id=pk,
            title=f"Referral {pk}: {question[:120]}",
            url=reverse("referral-answer", kwargs={"pk": pk}),
            due=due,
            overdue=due < today,
        )
        for pk, person_id, unit_id, due, question in referrals
    ]
