"""My work says when the updater's PIs are due by their organisation's reporting calendar, the same
date as the monthly update page (not the built-in 14th)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cycle.models import CalendarOverride, ReportingCalendar
from cycle.rules import VALUES_DUE
from indicators import monthly
from indicators.panels import due_items
from indicators.tests.factories import team_indicator
from pmf import periods


def _month_and_next():
    month = monthly.reporting_month(timezone.localdate())
    return month, periods.add_months(month, 1)


def test_my_work_due_date_follows_the_organisations_calendar(world, client_for):
    team_indicator(world, code="DUE1")
    ReportingCalendar.objects.create(org_unit=world.org, values_due_day=9)
    month, following = _month_and_next()
    due = datetime.date(following.year, following.month, 9)
    assert due_items(world.updater)["deadline"] == due
    html = client_for(world.updater).get(reverse("home")).content.decode()
    assert f"still to update for {month:%B %Y}; due by {due.day} {due:%B}." in html
    monthly_page = client_for(world.updater).get(reverse("indicator-monthly-update"))
    assert monthly_page.context["deadline"] == due


def test_my_work_due_date_follows_a_moved_deadline_for_the_month(world):
    team_indicator(world, code="DUE1")
    calendar = ReportingCalendar.objects.create(org_unit=world.org, values_due_day=9)
    month, following = _month_and_next()
    moved = datetime.date(following.year, following.month, 12)
    CalendarOverride.objects.create(calendar=calendar, month=month, step=VALUES_DUE, date=moved)
    assert due_items(world.updater)["deadline"] == moved


def test_without_a_calendar_the_built_in_day_applies(world):
    team_indicator(world, code="DUE1")
    _, following = _month_and_next()
    assert due_items(world.updater)["deadline"] == datetime.date(following.year, following.month, 14)
