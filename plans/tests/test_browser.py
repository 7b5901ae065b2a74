"""A manager builds a plan from strategy to milestone in the browser."""

import pytest

from plans.models import PlanItem
from pmf.tests.browser import serious_violations, sign_in


def create_item(page, kind, code, title, unit_id, due, assigned_to=None):
    page.select_option("#id_kind", kind)
    page.fill("#id_code", code)
    page.fill("#id_title", title)
    page.select_option("#id_org_unit", str(unit_id))
    page.fill("#id_due_date", due)
    if assigned_to:
        page.select_option("#id_assigned_to", str(assigned_to))
    page.get_by_role("button", name="Create").click()
    page.wait_for_selector(f"text=Created {code}.")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_builds_strategy_to_milestone_and_sees_the_golden_thread(browser, live_server, world):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/plans/")
    page.get_by_role("link", name="New top-level item").click()
    create_item(page, "strategy", "CS", "Corporate strategy 2026-2031", world.directorate.pk, "2031-03-31")
    for kind, code, title in (
        ("plan", "HSP", "Housing strategic plan"),
        ("objective", "HSP 1", "Collect more of the rent due"),
        ("action", "HSP 1.1", "Introduce monthly arrears case reviews"),
    ):
        page.get_by_role("link", name="Add an item below").click()
        create_item(
            page,
            kind,
            code,
            title,
            world.team.pk,
            "2027-03-31",
            assigned_to=world.updater.pk if kind == "action" else None,
        )
    assert serious_violations(page) == []

    page.get_by_role("link", name="Add a milestone").click()
    page.fill("#id_title", "Review template agreed with the team")
    page.fill("#id_due_date", "2026-12-31")
    page.fill("#id_weight", "2")
    page.get_by_role("button", name="Add milestone").click()
    page.wait_for_selector("text=Review template agreed with the team")

    action = PlanItem.objects.get(code="HSP 1.1")
    assert [a.code for a in action.get_ancestors()] == ["CS", "HSP", "HSP 1"]
    assert action.assigned_to == world.updater
    assert action.milestones.get().weight == 2
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb").inner_text()
    for code in ("CS", "HSP", "HSP 1"):
        assert code in breadcrumbs
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/plans/")
    # The tree opens with its first level expanded: the strategy's plan is there to read.
    strategy = page.get_by_role("button", name="Items below CS", exact=True)
    assert strategy.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="Housing strategic plan").is_visible()
    assert page.get_by_text("Loading the items below CS…", exact=True).count() == 0
    # Deeper branches load the items below them with htmx on the first click.
    plan = page.get_by_role("button", name="Items below HSP", exact=True)
    assert plan.get_attribute("aria-expanded") == "false"
    assert page.get_by_role("link", name="Collect more of the rent due").is_hidden()
    plan.click()
    page.get_by_role("link", name="Collect more of the rent due").wait_for()
    assert plan.get_attribute("aria-expanded") == "true"
    assert page.get_by_text("Loading the items below HSP…", exact=True).count() == 0
    assert serious_violations(page) == []
    # Every expand control, with its focus ring (3px outline and 6px halo), sits inside the page.
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for control in page.locator(".plan-toggle").all():
            box = control.bounding_box()
            assert box["x"] - 9 >= 0 and box["x"] + box["width"] + 9 <= width, (width, box)
        assert page.evaluate("document.documentElement.scrollWidth") == width
    # Closing the strategy hides everything below it; opening it again shows it without a request.
    strategy.click()
    assert strategy.get_attribute("aria-expanded") == "false"
    assert page.get_by_role("link", name="Housing strategic plan").is_hidden()
    strategy.click()
    assert page.get_by_role("link", name="Housing strategic plan").is_visible()
