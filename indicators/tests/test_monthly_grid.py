"""The monthly update as a grid, in a real browser: a status preview as a value is typed, the red
commentary fields only for a red value, Enter down the value column, the page position kept across
a save, and a compact card per PI on a phone."""

import os
from decimal import Decimal

import pytest

from indicators.models import Measurement
from indicators.tests.factories import team_indicator
from pmf.tests.browser import serious_violations, sign_in

SHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_grid_previews_status_shows_red_fields_moves_down_and_keeps_position(browser, live_server, world):
    made = [team_indicator(world, code=f"G{n:02d}", title=f"Grid indicator {n:02d}") for n in range(14)]
    page = browser.new_page(viewport={"width": 1440, "height": 700})
    sign_in(page, live_server, "charlie")
    page.goto(f"{live_server.url}/indicators/update/")
    assert serious_violations(page) == []
    _shot(page, "monthly_update_desktop")

    last = page.get_by_role("group", name="G13 Grid indicator 13")
    value = last.get_by_label("Value")
    status = last.locator("[data-status-preview]")
    assert status.inner_text() == "Unknown"
    assert last.get_by_label("Cause").is_hidden()
    value.fill("89")
    assert status.inner_text() == "Within tolerance"
    assert last.get_by_label("Cause").is_hidden()
    value.fill("71")
    assert status.inner_text() == "Off target"
    assert last.get_by_label("Cause").is_visible()
    last.get_by_label("Cause").fill("Two officers on long-term leave.")
    last.get_by_label("Action being taken").fill("Agency cover from next week.")
    last.get_by_label("Expected recovery date").fill("2027-01-31")
    assert serious_violations(page) == []

    first_value = page.get_by_role("group", name="G00 Grid indicator 00").get_by_label("Value")
    first_value.fill("95")
    first_value.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"pi{made[1].pk}-value"
    page.keyboard.type("92")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == f"pi{made[2].pk}-value"
    assert Measurement.objects.count() == 0  # Enter moves on; it does not submit

    last.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    assert before > 0
    page.get_by_role("button", name="Save all").click()
    page.get_by_text("Saved 3 values.").wait_for()
    assert abs(page.evaluate("window.scrollY") - before) <= 2
    assert sorted(Measurement.objects.values_list("indicator__code", "value", "status")) == [
        ("G00", Decimal("95"), "green"),
        ("G01", Decimal("92"), "green"),
        ("G13", Decimal("71"), "red"),
    ]
    saved = page.get_by_role("group", name="G13 Grid indicator 13")
    assert saved.locator("[data-status-preview]").inner_text() == "Off target"
    assert saved.get_by_label("Cause").input_value() == "Two officers on long-term leave."
    assert serious_violations(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_grid_is_a_card_per_pi_on_a_phone(browser, live_server, world):
    for n in range(3):
        team_indicator(world, code=f"P{n:02d}", title=f"Phone indicator {n:02d}")
    page = browser.new_page(viewport={"width": 375, "height": 740})
    sign_in(page, live_server, "charlie")
    page.goto(f"{live_server.url}/indicators/update/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    card = page.get_by_role("group", name="P00 Phone indicator 00")
    box = card.bounding_box()
    assert box["width"] <= 375 and box["height"] < 400
    assert card.get_by_label("Value").is_visible() and card.get_by_label("Commentary").is_visible()
    assert serious_violations(page) == []
    _shot(page, "monthly_update_phone")
