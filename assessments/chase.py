"""Self-assessment questions as dated work the monthly cycle chases (pmf.registry.CHASE_SOURCES):
each unanswered question of an assessment still being answered is owed by the person it is
assigned to, in the assessment's unit."""

import datetime

from django.urls import reverse

from assessments import status as rules
from assessments.models import Response
from pmf.registry import ChaseItem

KIND = "assessment_response_due"
LABEL = "Self-assessment questions"
BEHIND_LABEL = "Assessment questions overdue"
FIELDS = (
    "pk",
    "node__code",
    "node__title",
    "assessment__title",
    "assigned_to_id",
    "assessment__org_unit_id",
    "due_date",
)


def responses_due(*, today: datetime.date, within_days: int) -> list[ChaseItem]:
    """A ChaseItem for every unanswered question (no score, not marked not applicable) assigned to
    an active person in a draft or in-progress assessment, due on or before TODAY + WITHIN_DAYS,
    earliest first; overdue when the date has passed (the rule of assessments.status.is_overdue,
    as My work counts them). One query."""
    responses = (
        Response.objects.filter(
            assessment__status__in=(rules.DRAFT, rules.IN_PROGRESS),
            assigned_to__is_active=True,
            level__isnull=True,
            not_applicable=False,
            due_date__lte=today + datetime.timedelta(days=within_days),
        )
        .order_by("due_date", "assessment__title", "node__lft")
        .values_list(
            "pk",
            "node__code",
            "node__title",
            "assessment__title",
            "assigned_to_id",
            "assessment__org_unit_id",
            "due_date",
        )
    )
    return [
        ChaseItem(
            person_id=person_id,
            unit_id=unit_id,
            model="assessments.response",
            object_id=pk,
            title=f"{code} {title} ({assessment})",
            url=reverse("response-edit", kwargs={"pk": pk}),
            due=due,
            overdue=rules.is_overdue(due=due, answered=False, today=today),
        )
        for pk, code, title, assessment, person_id, unit_id, due in responses
    ]
