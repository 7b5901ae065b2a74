"""What this module adds to other pages: the "My actions" section of My work."""

from itertools import groupby

from django.db.models import Case, IntegerField, Value, When

from plans import status as rules
from plans.models import PlanItem

MY_ACTIONS_LIMIT = 200
ORDER = [rules.OVERDUE, rules.CHECK_PROGRESS, rules.IN_PROGRESS, rules.NOT_STARTED]


def my_actions(user) -> list[dict]:
    """USER's open actions (assigned to or managed by them), grouped by status, overdue first.

    One query whatever the number of actions; at most MY_ACTIONS_LIMIT are listed."""
    rank = Case(
        *[When(status=status, then=Value(position)) for position, status in enumerate(ORDER)],
        default=Value(len(ORDER)),
        output_field=IntegerField(),
    )
    actions = list(
        PlanItem.objects.filter(kind=PlanItem.Kind.ACTION, active=True)
        .for_person(user)
        .open()
        .select_related("parent")
        .annotate(status_rank=rank)
        .order_by("status_rank", "due_date", "code")[:MY_ACTIONS_LIMIT]
    )
    return [{"status": status, "actions": list(group)} for status, group in groupby(actions, key=lambda a: a.status)]
