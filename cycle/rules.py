"""Pure rules of the monthly cycle (no ORM): when each step of a reporting month falls, when a
period's values lock, when a reminder is due and when it escalates.

A reporting month's steps fall in the month after it: values for January are due on the 14th of
February, its scorecards are issued on the 16th, and so on. A day that a month does not have
(31 in a 30-day month, 29 to 31 in February) falls on that month's last day.
"""

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from pmf import periods

VALUES_DUE = "values_due"
APPROVALS_DUE = "approvals_due"
SCORECARDS = "scorecards"
EXECUTIVE_REVIEW = "executive_review"
SERVICE_REVIEW = "service_review"
LOCK = "lock"

STEP_LABELS = {
    VALUES_DUE: "PI values due",
    APPROVALS_DUE: "Commentary and approvals due",
    SCORECARDS: "Scorecards issued",
    EXECUTIVE_REVIEW: "Executive review",
    SERVICE_REVIEW: "Service and tenant review",
    LOCK: "Values locked",
}
# The steps in the order they must fall within a month.
ORDERED_STEPS = (VALUES_DUE, APPROVALS_DUE, SCORECARDS, EXECUTIVE_REVIEW, SERVICE_REVIEW)

DUE_SOON = "due"
OVERDUE = "overdue"


def on_day(month: datetime.date, day: int) -> datetime.date:
    """DAY of MONTH (any date in it), or the month's last day when it is shorter."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(day, last))


@dataclass(frozen=True)
class CalendarDays:
    """The days of one organisation's monthly cycle, with its per-month overrides.

    LOCK is the day values lock for updaters; None means they never lock. OVERRIDES maps
    (reporting month, step) to the date that step moved to for that month."""

    values_due: int = 14
    approvals_due: int = 15
    scorecards: int = 16
    executive_review: int = 20
    service_review: int = 23
    lock: int | None = None
    reminder_lead_days: int = 3
    escalate_manager_after: int = 3
    escalate_director_after: int = 7
    action_due_soon_days: int = 7
    action_stale_days: int = 30
    overrides: Mapping[tuple[datetime.date, str], datetime.date] = field(default_factory=dict, compare=False)

    def day_of(self, step: str) -> int | None:
        return getattr(self, step)

    def date(self, month: datetime.date, step: str) -> datetime.date | None:
        """When STEP of reporting MONTH falls (None for a lock that is off)."""
        month = periods.month_start(month)
        moved = self.overrides.get((month, step))
        if moved is not None:
            return moved
        day = self.day_of(step)
        if day is None:
            return None
        return on_day(periods.add_months(month, 1), day)

    def deadline(self, month: datetime.date) -> datetime.date:
        """The day values and commentary for MONTH are due."""
        return self.date(month, VALUES_DUE)

    def lock_date(self, month: datetime.date) -> datetime.date | None:
        """The day MONTH's values lock for updaters (None when they never lock)."""
        if self.lock is None:
            return None
        return self.date(month, LOCK)

    def steps(self, month: datetime.date) -> list[tuple[str, datetime.date]]:
        """Every step of reporting MONTH with its date, in date order (the lock when there is one)."""
        found = [(step, self.date(month, step)) for step in (*ORDERED_STEPS, LOCK)]
        return sorted(((step, day) for step, day in found if day is not None), key=lambda pair: pair[1])


def reporting_month(period: datetime.date, months_in_period: int) -> datetime.date:
    """The reporting month a period's values belong to: the period's last month (a quarter's
    values are due after its third month)."""
    return periods.add_months(period, months_in_period - 1)


def reminder_stage(*, today: datetime.date, due: datetime.date, lead_days: int) -> str | None:
    """DUE_SOON from LEAD_DAYS before DUE until DUE, OVERDUE after it, None before that."""
    if today > due:
        return OVERDUE
    if today >= due - datetime.timedelta(days=lead_days):
        return DUE_SOON
    return None


def escalations(*, today: datetime.date, due: datetime.date, manager_after: int, director_after: int) -> tuple:
    """(line manager told, director and performance team told) for work still missing on TODAY
    that was due on DUE."""
    late = (today - due).days
    return late >= manager_after, late >= director_after


def calendar_problems(days: dict) -> dict[str, str]:
    """What makes a calendar impossible, by field: steps out of order, values locking before they
    are due, escalation to the director before the line manager. DAYS holds the field values
    (missing or None ones are not judged here: the form says they are required)."""
    problems = {}
    named = [(step, days.get(step)) for step in ORDERED_STEPS]
    for (earlier, earlier_day), (later, later_day) in zip(named, named[1:], strict=False):
        if earlier_day is not None and later_day is not None and later_day < earlier_day:
            problems[later] = (
                f"{STEP_LABELS[later]} on day {later_day} would come before {STEP_LABELS[earlier].lower()} "
                f"(day {earlier_day}); choose day {earlier_day} or later."
            )
    lock, values_due = days.get(LOCK), days.get(VALUES_DUE)
    if lock is not None and values_due is not None and lock < values_due:
        problems[LOCK] = (
            f"Values would lock on day {lock}, before they are due (day {values_due}); "
            f"choose day {values_due} or later."
        )
    manager, director = days.get("escalate_manager_after"), days.get("escalate_director_after")
    if manager is not None and director is not None and director <= manager:
        problems["escalate_director_after"] = (
            f"The director and performance team would hear after {director} days, no later than the line manager "
            f"({manager} days); give them more days than the line manager."
        )
    return problems


def override_problem(days: CalendarDays, month: datetime.date, step: str, moved_to: datetime.date) -> str:
    """Why STEP of reporting MONTH cannot move to MOVED_TO ("" when it can): it must fall after
    the month ends and keep the month's steps in order."""
    month = periods.month_start(month)
    if moved_to < periods.add_months(month, 1):
        return (
            f"{STEP_LABELS[step]} for {periods.month_label(month)} must fall after the month ends "
            f"(on or after {periods.add_months(month, 1):%-d %b %Y})."
        )
    moved = CalendarDays(**{**_fields(days), "overrides": {**days.overrides, (month, step): moved_to}})
    dates = [(other, moved.date(month, other)) for other in ORDERED_STEPS]
    for (earlier, earlier_date), (later, later_date) in zip(dates, dates[1:], strict=False):
        if later_date < earlier_date:
            return (
                f"With this date, {STEP_LABELS[later].lower()} ({later_date:%-d %b %Y}) would come before "
                f"{STEP_LABELS[earlier].lower()} ({earlier_date:%-d %b %Y}) for {periods.month_label(month)}."
            )
    lock, values_due = moved.lock_date(month), moved.deadline(month)
    if lock is not None and lock < values_due:
        return (
            f"With this date, values for {periods.month_label(month)} would lock ({lock:%-d %b %Y}) before they are "
            f"due ({values_due:%-d %b %Y})."
        )
    return ""


def _fields(days: CalendarDays) -> dict:
    return {name: getattr(days, name) for name in CalendarDays.__dataclass_fields__ if name != "overrides"}
