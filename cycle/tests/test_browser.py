"""The cycle in a real browser: an updater sees the deadline and what they still owe on My work;
their manager opens Who is behind, drills down to them and chases."""

import pytest
from django.core import mail
from django.utils import timezone

from cycle import chase
from cycle.models import Chase
from indicators import monthly
from indicators.tests.factories import team_indicator
from pmf import periods
from pmf.tests.browser import serious_violations, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_updater_sees_what_is_due_and_the_manager_chases(browser, live_server, world):
    team_indicator(world, code="INC01", title="Rent collected as % of rent due")
    team_indicator(world, code="INC02", title="Tenancies with arrears over 8 weeks")
    month = chase.reporting_month(timezone.localdate())
    deadline = monthly.deadline(month, unit=world.team)

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server, "charlie")
    section = page.get_by_role("region", name="PIs to update this month")
    assert f"2 of 2 PIs still to update for {month:%B %Y}; due by {deadline.day} {deadline:%B}." in section.inner_text()
    assert "INC01 Rent collected as % of rent due · missing" in section.inner_text()
    deadlines = page.get_by_role("region", name="Deadlines this month").inner_text()
    if deadline >= timezone.localdate():  # steps already past are no longer listed
        line = f"{deadline:%a %-d %b}: PI values due for {periods.month_label(month)} · 2 of your PI values missing"
        assert line in deadlines
    assert serious_violations(page) == []
    page.close()

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server, "bob")
    page.get_by_role("link", name="Who is behind").click()
    people = page.get_by_role("table", name="Counts per person, furthest behind first")
    assert "Charlie Updater" in people.inner_text()
    assert serious_violations(page) == []
    people.get_by_role("link", name="Charlie Updater").click()
    missing = page.get_by_role("region", name="Values missing (2)")
    assert "INC01 Rent collected as % of rent due" in missing.inner_text()
    page.get_by_role("button", name="Chase now").click()
    page.get_by_text("Sent Charlie Updater a reminder of 2 items.").wait_for()
    assert "Chased today at" in page.get_by_role("region", name="Chase").inner_text()
    assert page.get_by_role("button", name="Chase now").count() == 0
    assert serious_violations(page) == []
    page.close()

    assert Chase.objects.get().chased_by == world.manager
    assert [message.to for message in mail.outbox] == [["charlie@example.org"]]
