"""axe-core on the PI page (chart with its controls) and the plan tree (expand controls beside the
row's links): no serious or critical violations, nested-interactive included."""

import datetime
import os
from decimal import Decimal

import pytest

from indicators import services
from indicators.tests.factories import team_indicator
from plans.tests.factories import plan_world
from pmf.tests.browser import serious_violations, sign_in

SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1440, 375])
def test_pi_page_and_plan_tree_pass_axe(browser, live_server, world, width):
    indicator = team_indicator(world, code="AX1", title="Rent collected")
    for month in (1, 2, 3):
        services.measurement_update(
            indicator=indicator, period=datetime.date(2025, month, 1), value=Decimal("91"), user=world.updater
        )
    plans = plan_world(world)
    page = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(page, live_server, "bob")

    page.goto(f"{live_server.url}/indicators/{indicator.pk}/")
    page.locator("#pi-chart .main-svg").first.wait_for()
    assert serious_violations(page) == []
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"pi_page_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/plans/")
    # The tree opens with its first level expanded; a deeper branch loads on its first click.
    toggle = page.get_by_role("button", name=f"Items below {plans.strategy.code}", exact=True)
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name=plans.plan.title).is_visible()
    below = page.get_by_role("button", name=f"Items below {plans.plan.code}", exact=True)
    below.click()
    page.get_by_role("link", name=plans.objective.title).wait_for()
    assert below.get_attribute("aria-expanded") == "true"
    assert serious_violations(page) == []
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"plan_tree_{width}.png"), full_page=True)
    toggle.click()
    assert page.get_by_role("link", name=plans.plan.title).is_hidden()
