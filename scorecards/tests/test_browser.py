"""Real browser: an anonymous visitor opens a published scorecard; axe-core finds nothing serious."""

import pytest

from indicators.models import Indicator
from pmf.tests.browser import serious_violations
from scorecards.models import Scorecard, ScorecardSettings
from scorecards.tests.factories import issue, make_indicator, make_scorecard
from scorecards.tests.test_public_pages import make_survey


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_anonymous_visitor_reads_a_public_scorecard_that_passes_axe(browser, live_server, world):
    indicators = [make_indicator("TP01", world.team), make_indicator("TP02", world.team, start_value=60)]
    card = make_scorecard(
        world.directorate,
        indicators,
        sections=("Repairs", "Overall"),
        publication=Scorecard.Publication.FULL,
        public_slug="tenants",
        public_title="How satisfied our tenants are",
    )
    card.entries.update(signpost=True)
    Indicator.objects.filter(code__in=["TP01", "TP02"]).update(source=Indicator.Source.TSM)
    issue(card)
    ScorecardSettings(public_name="Alpha Homes", public_introduction="How we are doing for our tenants.").save()
    make_survey()
    for width in (1280, 320):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(f"{live_server.url}/public/")
        assert serious_violations(page) == []
        page.get_by_role("link", name="How satisfied our tenants are", exact=True).click()
        page.wait_for_url(f"{live_server.url}/public/tenants/")
        assert page.get_by_role("heading", level=1).inner_text() == (
            "How satisfied our tenants are: results for Sep 2025"
        )
        assert page.get_by_role("table", name="Number of results by traffic light in each area").is_visible()
        assert serious_violations(page) == []
        definition = page.get_by_text("The result met or beat the target we set ourselves.")
        assert not definition.is_visible()
        page.get_by_text("What the traffic lights mean").click()
        assert definition.is_visible()
        page.get_by_role("link", name="How the survey was done (Indicator TP01)").click()
        assert page.get_by_role("heading", name="How we carried out our tenant survey 2025/26").is_visible()
        assert serious_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.goto(f"{live_server.url}/public/tenants/signposts/")
        assert serious_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_opens_a_pi_chart_on_demand_and_the_scorecard_passes_axe(browser, live_server, world):
    from pmf.tests.test_browser import sign_in

    indicator = make_indicator("REP01", world.team, owner=world.manager)
    card = make_scorecard(world.directorate, [indicator], owner=world.manager, sections=("Process",))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server, "bob@example.org")
    page.goto(f"{live_server.url}/scorecards/{card.pk}/?period=2025-09")
    assert page.get_by_role("heading", level=1).inner_text() == "Housing scorecard, Sep 2025"
    page.wait_for_selector("[data-figure='overview-figure'][data-drawn='1']")
    page.get_by_role("button", name="Show chart of REP01").click()
    page.wait_for_selector(f"[data-figure='chart-{indicator.pk}-data'][data-drawn='1'] .main-svg")
    assert page.get_by_text("REP01 Indicator REP01: value and target").is_visible()
    assert serious_violations(page) == []
