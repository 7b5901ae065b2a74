"""Which calendar applies where, and the dates that follow from it.

A unit follows the calendar of the nearest unit above it (or itself) that has one: its
organisation's, else its group's; with none, the built-in days apply (`DEFAULT`) and nothing
locks. `Calendars.load()` reads every calendar and override in two queries, so a job or a page
asks it for thousands of units without a query each.
"""

import datetime
from collections import defaultdict

from django.utils import timezone

from cycle import rules
from cycle.models import CalendarOverride, ReportingCalendar
from pmf.models import OrgUnit

DEFAULT = rules.CalendarDays()
MONTHS_IN = {"monthly": 1, "quarterly": 3, "annual": 12}


class Calendars:
    """Every reporting calendar, with what applies to a unit."""

    def __init__(self, holders: list[tuple[int, int, int, int, rules.CalendarDays]]):
        # (tree_id, lft, rght, level, days) of each unit that has a calendar, deepest first.
        self._holders = sorted(holders, key=lambda holder: -holder[3])
        self._positions: dict[int, tuple[int, int, int]] = {}
        self._by_unit: dict[int, rules.CalendarDays] = {}

    @classmethod
    def load(cls) -> "Calendars":
        calendars = list(ReportingCalendar.objects.select_related("org_unit"))
        if not calendars:
            return cls([])
        overrides = defaultdict(dict)
        for row in CalendarOverride.objects.all():
            overrides[row.calendar_id][(row.month, row.step)] = row.date
        return cls(
            [
                (
                    cal.org_unit.tree_id,
                    cal.org_unit.lft,
                    cal.org_unit.rght,
                    cal.org_unit.level,
                    cal.days(overrides[cal.pk]),
                )
                for cal in calendars
            ]
        )

    def every(self) -> list[rules.CalendarDays]:
        """Every calendar's days, the built-in ones among them."""
        return [DEFAULT, *(days for *_, days in self._holders)]

    @property
    def any_lock(self) -> bool:
        return any(days.lock is not None for *_, days in self._holders)

    def for_position(self, tree_id: int, lft: int, rght: int) -> rules.CalendarDays:
        for holder_tree, holder_lft, holder_rght, _, days in self._holders:
            if holder_tree == tree_id and holder_lft <= lft and rght <= holder_rght:
                return days
        return DEFAULT

    def for_unit(self, unit: OrgUnit | None) -> rules.CalendarDays:
        if unit is None:
            return DEFAULT
        return self.for_position(unit.tree_id, unit.lft, unit.rght)

    def know(self, unit_ids) -> None:
        """Read where UNIT_IDS sit in the tree (one query for those not yet known)."""
        wanted = {pk for pk in unit_ids if pk is not None and pk not in self._positions}
        if wanted and self._holders:
            for pk, tree_id, lft, rght in OrgUnit.objects.filter(pk__in=wanted).values_list(
                "pk", "tree_id", "lft", "rght"
            ):
                self._positions[pk] = (tree_id, lft, rght)

    def for_unit_id(self, unit_id: int | None) -> rules.CalendarDays:
        if not self._holders or unit_id is None:
            return DEFAULT
        found = self._by_unit.get(unit_id)
        if found is None:
            self.know([unit_id])
            position = self._positions.get(unit_id)
            found = self.for_position(*position) if position else DEFAULT
            self._by_unit[unit_id] = found
        return found


def deadline(month: datetime.date, *, unit: OrgUnit | None = None) -> datetime.date:
    """When values for reporting MONTH are due in UNIT (the built-in day without a unit)."""
    return Calendars.load().for_unit(unit).deadline(month) if unit is not None else DEFAULT.deadline(month)


class PeriodLocks:
    """When values lock, as of TODAY: `locked_on` gives the day a period's values locked, or
    None while they are open."""

    def __init__(self, calendars: Calendars, today: datetime.date):
        self.calendars = calendars
        self.today = today

    @classmethod
    def load(cls, today: datetime.date | None = None) -> "PeriodLocks":
        return cls(Calendars.load(), today or timezone.localdate())

    @property
    def any(self) -> bool:
        return self.calendars.any_lock

    def locked_on(self, unit_id: int | None, frequency: str, period: datetime.date) -> datetime.date | None:
        if not self.any:
            return None
        month = rules.reporting_month(period, MONTHS_IN[frequency])
        lock = self.calendars.for_unit_id(unit_id).lock_date(month)
        return lock if lock is not None and self.today >= lock else None
