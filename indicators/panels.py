"""What this module adds to other pages: the "PIs to update this month" section of My work and the
PIs panel on a plan item's golden-thread page."""

from types import SimpleNamespace

from django.db.models import Case, Count, DateField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from indicators import monthly
from indicators.models import Indicator, Measurement

SHOWN = 20


def due_items(user) -> dict:
    """The person's PIs due for the current reporting month, missing ones first (the first SHOWN),
    and when they are due by the calendar of the person's organisation (as on the monthly update
    page). Counted and listed by the database in two queries: only the rows shown are loaded."""
    if not user.is_authenticated:
        return {"rows": [], "missing": 0}
    month = monthly.reporting_month(timezone.localdate())
    due = monthly.due_periods(month)
    recorded = Measurement.objects.filter(indicator=OuterRef("pk"), period=OuterRef("due_period"))
    indicators = (
        Indicator.objects.due_for(user)
        .filter(frequency__in=due)
        .annotate(
            due_period=Case(*[When(frequency=f, then=Value(p)) for f, p in due.items()], output_field=DateField()),
            due_value=Subquery(recorded.values("value")[:1]),
            due_status=Subquery(recorded.values("status")[:1]),
        )
    )
    counts = indicators.aggregate(total=Count("pk"), missing=Count("pk", filter=Q(due_value__isnull=True)))
    shown = indicators.annotate(has_value=Case(When(due_value__isnull=True, then=Value(0)), default=Value(1))).order_by(
        "has_value", "code"
    )[:SHOWN]
    rows = [
        SimpleNamespace(
            indicator=indicator,
            is_missing=indicator.due_value is None,
            measurement=SimpleNamespace(value=indicator.due_value, status=indicator.due_status),
        )
        for indicator in shown
    ]
    return {
        "rows": rows,
        "total": counts["total"],
        "missing": counts["missing"],
        "deadline": monthly.deadline(month, unit=user.org_unit),
        "month": month,
    }


def linked_indicators(plan_item, user) -> list:
    return list(
        Indicator.objects.visible_to(user).filter(actions=plan_item).select_related("org_unit").order_by("code")
    )
