"""What this module adds to other pages: the count of personal objectives serving a plan item
(its golden-thread panel) and the "1-2-1s due" section of My work."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from people.models import Meeting, PersonalObjective

DUE_WITHIN_DAYS = 7


def personal_objective_counts(plan_item, user) -> list[dict]:
    """How many personal objectives (of anyone's appraisal) serve PLAN_ITEM directly and through
    the items below it. Counts only: appraisals are private, so no name, title or link is given,
    whoever looks. One query; an empty list when none serves it."""
    counts = PersonalObjective.objects.filter(
        plan_item__tree_id=plan_item.tree_id, plan_item__lft__gte=plan_item.lft, plan_item__rght__lte=plan_item.rght
    ).aggregate(direct=Count("pk", filter=Q(plan_item_id=plan_item.pk)), total=Count("pk"))
    if not counts["total"]:
        return []
    return [{"direct": counts["direct"], "below": counts["total"] - counts["direct"], "total": counts["total"]}]


def meetings_due(user) -> list[dict]:
    """The people below USER in the line whose next 1-2-1 (as set at their last completed one) is
    due within DUE_WITHIN_DAYS or has passed with no meeting since, soonest first: their direct
    reports (those further down meet their own line managers). One query."""
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=DUE_WITHIN_DAYS)
    latest = Meeting.objects.filter(person=OuterRef("person"), held_on__gt=OuterRef("held_on"))
    due = (
        Meeting.objects.filter(status=Meeting.Status.COMPLETED, next_meeting__isnull=False, next_meeting__lte=horizon)
        .filter(~Exists(latest))
        .filter(person__line_manager=user)
        .select_related("person")
        .order_by("next_meeting", "person__name")[:50]
    )
    return [
        {"person": meeting.person, "due": meeting.next_meeting, "overdue": meeting.next_meeting < today}
        for meeting in due
    ]
