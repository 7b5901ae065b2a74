"""Demo content of the monthly cycle: the group's reporting calendar."""

from cycle.models import ReportingCalendar


def seed_calendar(organisation: dict) -> ReportingCalendar:
    """The demo group's calendar with the days the seed describes (values by the 14th, scorecards
    by the 16th, executive review on the 20th, service review groups on the 23rd), locking values
    on scorecard day. Idempotent: an existing calendar is left as the performance team set it."""
    group = organisation["units"]["mhg"]
    calendar, _ = ReportingCalendar.objects.get_or_create(org_unit=group)
    return calendar
