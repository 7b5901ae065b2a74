"""axe-core on the 1-2-1 pages and the appraisal as the line manager writes in them: no serious or
critical violations (every comment box labelled, statuses carry their word)."""

import pytest

from people.tests.factories import people_world
from pmf.tests.browser import serious_violations, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_meeting_history_and_appraisal_pages_pass_axe(browser, live_server, world):
    pw = people_world(world)
    # axe-core is injected as an inline script, which the pages' Content-Security-Policy forbids.
    page = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server, "bob")
    for path in (
        "/team/",
        f"/team/meetings/{pw.meeting.pk}/",
        f"/team/meetings/{pw.done.pk}/",
        f"/team/people/{world.updater.pk}/",
        f"/team/appraisals/{pw.appraisal.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1, path
        assert serious_violations(page) == [], path
    page.goto(f"{live_server.url}/team/meetings/{pw.meeting.pk}/")
    page.get_by_label("Your comment on H 1.1").fill("Talk to the contractor")
    page.get_by_role("button", name="Save notes and comments").click()
    page.get_by_text("Notes and comments saved.").wait_for()
    assert page.get_by_label("Your comment on H 1.1").input_value() == "Talk to the contractor"
