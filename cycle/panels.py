"""What the monthly cycle adds to other pages: the "Deadlines this month" section of My work."""

from django.utils import timezone

from cycle import chase, rules
from cycle.calendar import Calendars
from cycle.models import Notification
from pmf import periods


def deadlines(user) -> dict:
    """The steps of this month's cycle for USER's organisation still to come (today included),
    with what USER owes for them: values missing and values waiting for their approval."""
    if not user.is_authenticated:
        return {}
    today = timezone.localdate()
    month = chase.reporting_month(today)
    days = Calendars.load().for_unit(user.org_unit if user.org_unit_id else None)
    missing, approvals = chase.count_owed(month, person=user)
    owed = {rules.VALUES_DUE: missing, rules.APPROVALS_DUE: approvals}
    return {
        "month": month,
        "month_label": periods.month_label(month),
        "steps": [
            {"label": rules.STEP_LABELS[step], "date": date, "owed": owed.get(step, 0), "step": step}
            for step, date in days.steps(month)
            if date >= today
        ],
        "missing": missing,
        "approvals": approvals,
        "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
