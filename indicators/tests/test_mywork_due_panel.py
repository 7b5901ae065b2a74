"""My work's "PIs to update this month": the updater's PIs due this reporting month, missing ones
first then by code, at most twenty shown, counted by the database; the same rows the monthly update
page lists as due and missing."""

from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import monthly
from indicators.models import Indicator, Measurement
from indicators.panels import SHOWN, due_items
from indicators.tests.factories import team_indicator


def _month():
    return monthly.reporting_month(timezone.localdate())


def test_missing_first_then_by_code_with_values_and_counts_as_the_monthly_update(world):
    month = _month()
    entered = team_indicator(world, code="B-ENTERED", frequency="monthly")
    team_indicator(world, code="C-MISSING", frequency="monthly")
    blank = team_indicator(world, code="A-BLANK", frequency="monthly")
    team_indicator(world, code="Z-OTHER", frequency="monthly", updater=world.manager)
    team_indicator(world, code="D-OFF", frequency="monthly", active=False)
    Measurement.objects.create(indicator=entered, period=month, value=D("95.5"), target=D("90"), status="green")
    Measurement.objects.create(indicator=blank, period=month, value=None, target=D("90"), status="unknown")
    items = due_items(world.updater)
    shown = [
        (row.indicator.code, row.is_missing, row.measurement.value, row.measurement.status) for row in items["rows"]
    ]
    assert shown == [
        ("A-BLANK", True, None, "unknown"),
        ("C-MISSING", True, None, None),
        ("B-ENTERED", False, D("95.5"), "green"),
    ]
    assert (items["total"], items["missing"], items["month"]) == (3, 2, month)
    rows = monthly.due_rows(user=world.updater, month=month)
    assert (len(rows), sum(row.is_missing for row in rows)) == (items["total"], items["missing"])


def test_at_most_twenty_are_shown_and_the_queries_do_not_grow(world, client_for):
    team_indicator(world, code="PI00", frequency="monthly")
    with CaptureQueriesContext(connection) as few:
        due_items(world.updater)
    for number in range(1, 30):
        team_indicator(world, code=f"PI{number:02}", frequency="monthly")
    with CaptureQueriesContext(connection) as many:
        items = due_items(world.updater)
    assert len(many) == len(few)
    assert (len(items["rows"]), items["total"], items["missing"]) == (SHOWN, 30, 30)
    assert [row.indicator.code for row in items["rows"]][:3] == ["PI00", "PI01", "PI02"]
    html = client_for(world.updater).get(reverse("home")).content.decode()
    assert "30 of 30 PIs still to update" in html and "30 in all on the monthly update page." in html
    assert Indicator.objects.count() == 30
