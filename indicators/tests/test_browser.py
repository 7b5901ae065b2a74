"""The monthly update in a real browser: an updater enters values, a manager sees them on the PI list."""

import pytest

from indicators.models import Indicator
from indicators.tests.factories import team_indicator
from pmf.tests.browser import serious_violations, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_updater_enters_the_month_and_the_manager_sees_the_traffic_lights(browser, live_server, world):
    rent = team_indicator(world, code="INC01", title="Rent collected as % of rent due")
    arrears = team_indicator(world, code="INC02", title="Tenancies with arrears over 8 weeks")
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "charlie")
    page.goto(f"{live_server.url}/indicators/update/")
    assert "2 of 2 PIs still missing a value" in page.get_by_text("still missing a value").inner_text()
    assert serious_violations(page) == []

    rent_box = page.get_by_role("group", name="INC01 Rent collected as % of rent due")
    rent_box.get_by_label("Value").fill("96.5%")
    rent_box.get_by_label("Commentary").fill("Collection ahead of plan after the new payment reminders.")
    arrears_box = page.get_by_role("group", name="INC02 Tenancies with arrears over 8 weeks")
    arrears_box.get_by_label("Value").fill("71")
    page.get_by_role("button", name="Save all").click()
    # Red without the structured commentary is refused, naming the PI, and nothing is saved.
    alert = page.get_by_role("alert")
    assert "Nothing was saved" in alert.inner_text()
    assert "INC02" in alert.inner_text()
    assert rent.measurements.count() == 0

    arrears_box = page.get_by_role("group", name="INC02 Tenancies with arrears over 8 weeks")
    arrears_box.get_by_label("Cause").fill("Two officers on long-term leave.")
    arrears_box.get_by_label("Action being taken").fill("Agency cover from next week.")
    arrears_box.get_by_label("Expected recovery date").fill("2027-01-31")
    page.get_by_role("button", name="Save all").click()
    page.get_by_text("Saved 2 values.").wait_for()
    context.close()

    rent.refresh_from_db()
    arrears.refresh_from_db()
    assert (rent.latest_status, arrears.latest_status) == (Indicator.Status.GREEN, Indicator.Status.RED)

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/indicators/")
    rent_row = page.get_by_role("row").filter(has_text="INC01")
    arrears_row = page.get_by_role("row").filter(has_text="INC02")
    assert "On target" in rent_row.inner_text() and "96.5%" in rent_row.inner_text()
    assert "Off target" in arrears_row.inner_text() and "71.0%" in arrears_row.inner_text()
    assert serious_violations(page) == []
