"""Which calendar applies where; the monthly update reads its deadline from it."""

import datetime

from django.urls import reverse

from cycle.calendar import DEFAULT, Calendars
from cycle.models import CalendarOverride, ReportingCalendar
from cycle.tests.factories import group_calendar
from indicators import monthly

MAR = datetime.date(2026, 3, 1)


def test_a_unit_follows_its_organisations_calendar_else_its_groups_else_the_built_in_days(world):
    assert Calendars.load().for_unit(world.team) == DEFAULT
    group_calendar(world, values_due_day=12, approvals_due_day=12)
    assert Calendars.load().for_unit(world.team).values_due == 12
    ReportingCalendar.objects.create(org_unit=world.org, values_due_day=10, approvals_due_day=10)
    calendars = Calendars.load()
    assert calendars.for_unit(world.team).values_due == 10
    assert calendars.for_unit(world.group).values_due == 12
    assert calendars.for_unit(world.other_group) == DEFAULT
    assert calendars.for_unit_id(world.team.pk).values_due == 10


def test_the_monthly_deadline_is_the_calendars_with_its_override(world, client_for):
    assert monthly.deadline(MAR) == datetime.date(2026, 4, 14)
    calendar = group_calendar(world, values_due_day=18, approvals_due_day=18, scorecards_day=18)
    CalendarOverride.objects.create(calendar=calendar, month=MAR, step="values_due", date=datetime.date(2026, 4, 9))
    assert monthly.deadline(MAR, unit=world.team) == datetime.date(2026, 4, 9)
    assert monthly.deadline(datetime.date(2026, 4, 1), unit=world.team) == datetime.date(2026, 5, 18)
    response = client_for(world.updater).get(reverse("indicator-monthly-update"), {"month": "2026-03"})
    assert "Thursday 9 April 2026" in response.content.decode()


def test_a_calendar_belongs_to_an_organisation_or_a_group(world):
    from django.core.exceptions import ValidationError

    calendar = ReportingCalendar(org_unit=world.team)
    try:
        calendar.full_clean()
    except ValidationError as exc:
        assert exc.message_dict["org_unit"] == [
            "A calendar belongs to an organisation or a group; its units follow it."
        ]
    else:
        raise AssertionError("a team's calendar was accepted")
