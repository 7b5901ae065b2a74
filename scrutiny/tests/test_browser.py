"""A Board member refers a PI from the scorecard shared with her; the performance officer accepts
and assigns it; the service manager answers; the Board member reads the answer. Every page is
checked with axe-core."""

import datetime

import pytest
from django.utils import timezone

from pmf.tests.browser import serious_violations, sign_in
from scorecards.tests.factories import make_indicator, make_scorecard
from scrutiny import rules
from scrutiny.models import Referral
from scrutiny.tests.factories import make_meeting

# bypass_csp lets the test inject axe-core; the pages themselves run no inline script
PAGE = {"viewport": {"width": 1440, "height": 900}, "bypass_csp": True}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_board_member_referral_is_assigned_answered_and_read(browser, live_server, world):
    indicator = make_indicator("RNT1", world.team, owner=world.manager, updater=world.updater, months=3)
    scorecard = make_scorecard(
        world.directorate, [indicator], owner=world.manager, shared_with=[world.viewer], title="Board scorecard"
    )
    meeting = make_meeting(world)

    board = browser.new_page(**PAGE)
    sign_in(board, live_server, "dora")
    board.goto(f"{live_server.url}{scorecard.get_absolute_url()}")
    # by keyboard: the overview chart above lies over the first rows of a one-PI scorecard
    board.get_by_role("button", name="Show chart of RNT1").press("Enter")
    board.get_by_role("link", name="Raise a referral on RNT1").press("Enter")
    board.wait_for_url(f"{live_server.url}/scrutiny/raise/indicator/{indicator.pk}/")
    assert serious_violations(board) == []
    board.get_by_label("Question").fill("Why has rent collection fallen for three months running?")
    board.get_by_label("Board meeting it feeds").select_option(str(meeting.pk))
    board.get_by_role("button", name="Raise the referral").click()
    referral = Referral.objects.get()
    board.get_by_text(f"Referral {referral.pk} raised; the performance team will triage it.").wait_for()
    assert "Raised, awaiting triage" in board.locator("main").inner_text()
    assert serious_violations(board) == []

    officer = browser.new_page(**PAGE)
    sign_in(officer, live_server, "alice")
    officer.get_by_role("link", name="Scrutiny", exact=True).click()
    officer.get_by_role("link", name="Work programme").click()
    assert serious_violations(officer) == []
    officer.get_by_role("link", name=str(referral.pk), exact=True).click()
    assert serious_violations(officer) == []
    due = timezone.localdate() + datetime.timedelta(days=14)
    officer.get_by_label("Service manager who answers").select_option(str(world.manager.pk))
    officer.get_by_label("Answer due").fill(due.isoformat())
    officer.get_by_role("button", name="Accept and assign").click()
    officer.get_by_text(f"Referral {referral.pk} accepted and assigned to Bob Manager.").wait_for()
    assert serious_violations(officer) == []

    manager = browser.new_page(**PAGE)
    sign_in(manager, live_server, "bob")
    manager.get_by_role("link", name=f"Referral {referral.pk}: RNT1 Indicator RNT1").first.click()
    manager.get_by_role("link", name="Answer this referral").click()
    assert serious_violations(manager) == []
    manager.get_by_label("Answer").fill(
        "Collection fell when 40 households moved to Universal Credit; each now has a named income officer."
    )
    manager.get_by_role("button", name="Send the answer").click()
    manager.get_by_text(f"Your answer to referral {referral.pk} has been sent.").wait_for()
    assert serious_violations(manager) == []

    board.goto(f"{live_server.url}/scrutiny/")
    assert "Answered, awaiting review" in board.locator("table").inner_text()
    assert serious_violations(board) == []
    board.get_by_role("link", name=str(referral.pk), exact=True).click()
    answer = board.locator("section", has_text="Answer").first.inner_text()
    assert "each now has a named income officer" in answer
    assert "By Bob Manager" in answer
    assert serious_violations(board) == []
    assert Referral.objects.get().status == rules.ANSWERED
