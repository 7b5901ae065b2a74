"""What this module adds to other pages: the "Questions to answer" section of My work and the
self-assessment panel on a plan item's golden-thread page."""

from django.utils import timezone

from assessments import status as rules
from assessments.models import Response

MY_QUESTIONS_LIMIT = 20


def my_questions(user) -> dict:
    """Questions assigned to USER in assessments still being answered (draft or in progress),
    unanswered and earliest due first; a bounded list and the counts, in a fixed number of queries."""
    if not user.is_authenticated:
        return {"rows": [], "open": 0, "overdue": 0}
    mine = Response.objects.filter(assigned_to=user, assessment__status__in=(rules.DRAFT, rules.IN_PROGRESS))
    unanswered = mine.filter(level__isnull=True, not_applicable=False)
    today = timezone.localdate()
    rows = list(
        unanswered.select_related("node", "assessment").order_by("due_date", "assessment__title", "node__lft")[
            :MY_QUESTIONS_LIMIT
        ]
    )
    return {
        "rows": rows,
        "open": unanswered.count(),
        "overdue": unanswered.filter(due_date__lt=today).count(),
        "today": today,
    }


def linked_responses(plan_item, user) -> list:
    """The self-assessment questions USER may see that PLAN_ITEM is an improvement action for."""
    return list(
        Response.objects.visible_to(user)
        .filter(improvement_actions=plan_item)
        .select_related("node__scale", "assessment")
        .order_by("assessment__assessed_on", "node__lft")
    )
