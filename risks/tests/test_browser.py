"""A risk owner records a review in the browser; a manager finds the risk in the right heat-map cell."""

import re

import pytest

from pmf.tests.browser import serious_violations, sign_in
from risks.models import Risk
from risks.tests.factories import risk_world


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_reviews_a_risk_and_the_manager_finds_it_in_the_heat_map(browser, live_server, world):
    risk = risk_world(world).risk
    owner = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(owner, live_server, "charlie")
    owner.get_by_role("link", name="Risks", exact=True).click()
    owner.get_by_role("link", name="Arrears rise after benefit changes").click()
    assert serious_violations(owner) == []
    owner.get_by_role("link", name="Record a review").click()
    owner.select_option("#id_likelihood", "2")
    owner.select_option("#id_impact", "3")
    owner.fill("#id_note", "Universal Credit cases now have a named officer.")
    assert serious_violations(owner) == []
    owner.get_by_role("button", name="Record the review").click()
    owner.get_by_text("Review of R 01 recorded: score 6 (Medium), down.").wait_for()
    assert owner.url.endswith(risk.get_absolute_url())
    assert (
        "Universal Credit cases now have a named officer." in owner.locator("table", has_text="Reviewer").inner_text()
    )
    assert serious_violations(owner) == []
    fresh = Risk.objects.get(pk=risk.pk)
    assert (fresh.current_likelihood, fresh.current_impact, fresh.previous_score) == (2, 3, 12)

    manager = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(manager, live_server, "bob")
    manager.goto(f"{live_server.url}/risks/heat-map/")
    assert serious_violations(manager) == []
    cell = manager.get_by_role(
        "link", name=re.compile(r"^1 Medium 6 risk at likelihood 2 Unlikely, impact 3 Moderate$")
    )
    cell.click()
    manager.wait_for_url(re.compile(r"/risks/\?.*likelihood=2"))
    rows = manager.locator("table.risk-table tbody tr")
    assert rows.count() == 1
    assert "Arrears rise after benefit changes" in rows.first.inner_text()
    assert serious_violations(manager) == []
