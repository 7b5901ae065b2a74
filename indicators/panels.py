"""What this module adds to other pages: the "PIs to update this month" section of My work and the
PIs panel on a plan item's golden-thread page."""

from django.utils import timezone

from indicators import monthly
from indicators.models import Indicator


def due_items(user) -> dict:
    """The person's PIs due for the current reporting month, missing ones first (bounded list), and
    when they are due by the calendar of the person's organisation (as on the monthly update page)."""
    if not user.is_authenticated:
        return {"rows": [], "missing": 0}
    month = monthly.reporting_month(timezone.localdate())
    rows = monthly.due_rows(user=user, month=month)
    rows.sort(key=lambda row: (not row.is_missing, row.indicator.code))
    return {
        "rows": rows[:20],
        "total": len(rows),
        "missing": sum(1 for row in rows if row.is_missing),
        "deadline": monthly.deadline(month, unit=user.org_unit),
        "month": month,
    }


def linked_indicators(plan_item, user) -> list:
    return list(
        Indicator.objects.visible_to(user).filter(actions=plan_item).select_related("org_unit").order_by("code")
    )
