"""What each person sees first: the briefing of a Board member (viewer), what waits for a manager
or an updater on My work, and the month at a glance of the performance team."""

import datetime
import os
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from indicators import monthly, services
from indicators.models import Measurement
from indicators.tests.factories import team_indicator
from pmf import periods
from pmf.tests.browser import serious_violations, sign_in
from scorecards.models import ScorecardEdition
from scorecards.tests.factories import PERIOD, issue, make_indicator, make_scorecard

AUG = datetime.date(2025, 8, 1)


def _text(html: str) -> str:
    return re.sub(r"\s+([:.,)])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def _reporting_month():
    return monthly.reporting_month(timezone.localdate())


def test_viewer_lands_on_the_briefing_of_the_editions_shared_with_them(world, client_for):
    rising = make_indicator("BR1", world.team, start_value=79, approved=False)  # Aug 92 (red), Sep 93 (amber)
    steady = make_indicator("BR2", world.team, start_value=90)  # Aug 103, Sep 104 (green)
    card = make_scorecard(world.directorate, [rising, steady], shared_with=[world.viewer], title="Board scorecard")
    hidden = make_scorecard(world.directorate, [steady], title="Not shared")
    issue(card, AUG)
    september = issue(card)
    issue(hidden)
    services.measurement_update(
        indicator=rising, period=PERIOD, value=Decimal("99"), user=world.admin, commentary="Late payments counted"
    )

    response = client_for(world.viewer).get(reverse("home"))
    html = response.content.decode()
    text = _text(html)
    assert "<h1>Briefing</h1>" in html
    assert f'<a href="{september.get_absolute_url()}">Board scorecard, Sep 2025</a>' in html
    assert "Not shared" not in html
    assert "Compared with Aug 2025." in text
    assert "BR1 Indicator BR1 93.0% Target: 95.0% · Sep 2025 Within tolerance" in text
    assert "BR2 Indicator BR2 104.0% Target: 95.0% · Sep 2025 On target" in text
    assert "Changed since Aug 2025 BR1 Indicator BR1: Off target to Within tolerance" in text
    assert "Corrected since issue BR1 Indicator BR1: issued as 93.0%, now 99.0% (Late payments counted)" in text
    assert "PIs to update this month" not in html


def test_viewer_with_nothing_issued_is_told_what_will_appear(world, client_for):
    html = client_for(world.viewer).get(reverse("home")).content.decode()
    assert "No scorecard has been issued to you yet." in html


def test_briefing_reads_a_fixed_number_of_queries_per_edition(world, client_for):
    client = client_for(world.viewer)
    first = make_indicator("Q1", world.team)
    issue(make_scorecard(world.directorate, [first], shared_with=[world.viewer], title="One"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("home")).status_code == 200
    many = [make_indicator(f"M{n}", world.team) for n in range(12)]
    issue(make_scorecard(world.directorate, many, shared_with=[world.viewer], title="Two"), AUG)
    with CaptureQueriesContext(connection) as two:
        html = client.get(reverse("home")).content.decode()
    assert "M11 Indicator M11" in html
    # a second edition adds only its restatements' query, whatever its number of PIs
    assert len(two) == len(one) + 1


def test_manager_sees_approvals_waiting_their_area_scorecards_and_who_has_not_updated(world, client_for):
    make_indicator("AP1", world.team, owner=world.manager, months=3, approved=False)
    team_indicator(world, code="DUE1", title="Rent collected")  # updated by charlie, nothing entered
    helper = make_user("erin", "updater", world.other_directorate, name="Erin Elsewhere")
    team_indicator(world, code="DUE2", updater=helper)  # a PI of bob's area updated from outside it
    make_scorecard(world.team, [], owner=world.admin, title="Rents team scorecard")
    make_scorecard(world.other_directorate, [], owner=world.admin, title="Property scorecard")

    html = client_for(world.manager).get(reverse("home")).content.decode()
    text = _text(html)
    assert '<a href="/indicators/approvals/"><strong>3</strong> values waiting for your approval</a>' in html
    month = periods.month_label(_reporting_month())
    assert f"Not updated yet for {month} Charlie Updater: 1 value missing" in text
    assert f'href="{reverse("cycle-behind-person", args=[world.updater.pk])}"' in html
    # Who is behind shows only the people of bob's area, so Erin is named without a link
    assert "<li>Erin Elsewhere: 1 value missing</li>" in html
    assert "Scorecards in your area Rents team scorecard (Rents Team)" in text
    assert "Property scorecard" not in html


def test_manager_with_nothing_waiting_is_told_so(world, client_for):
    text = _text(client_for(world.manager).get(reverse("home")).content.decode())
    assert "No values are waiting for your approval." in text
    assert "Everyone in your area has entered their values" in text
    assert "No scorecards are kept for your area yet." in text


def test_updater_sees_how_many_values_are_due_by_when_and_which_are_missing(world, client_for):
    month = _reporting_month()
    done = team_indicator(world, code="U1", title="Arrears")
    team_indicator(world, code="U2", title="Voids")
    services.measurement_update(indicator=done, period=month, value=Decimal("95"), user=world.updater)

    html = client_for(world.updater).get(reverse("home")).content.decode()
    text = _text(html)
    deadline = monthly.deadline(month)
    assert (
        f"1 of 2 PIs still to update for {month:%B %Y}; due by {deadline.day} {deadline:%B}. Open the monthly update"
        in text
    )
    assert f'<a href="{reverse("indicator-monthly-update")}">Open the monthly update</a>' in html
    assert "U2 Voids · missing" in text
    assert "Waiting for you No values are waiting for your approval." in text
    assert "Scorecards in your area" not in text


def _glance_world(world, extra_units: int = 0):
    month = _reporting_month()
    entered = team_indicator(world, code="G1")
    services.measurement_update(indicator=entered, period=month, value=Decimal("95"), user=world.updater)
    Measurement.objects.filter(indicator=entered).update(approved_at=timezone.now())
    team_indicator(world, code="G2")
    red = team_indicator(world, code="G3")
    Measurement.objects.create(indicator=red, period=month, value=Decimal("50"), status="red")
    for n in range(extra_units):
        team_indicator(world, code=f"X{n}", org_unit=world.other_directorate)
    return month


def test_performance_team_sees_the_month_at_a_glance(world, client_for):
    month = _glance_world(world)
    card = make_scorecard(world.directorate, [], title="Issued card")
    make_scorecard(world.directorate, [], title="Waiting card")
    ScorecardEdition.objects.create(
        scorecard=card, period=month, title="Issued card", issued_at=timezone.now(), issued_by=world.admin
    )
    text = _text(client_for(world.admin).get(reverse("home")).content.decode())
    label = periods.month_label(month)
    assert (
        f"{label} at a glance Values for {label} by organisation "
        "Organisation Due Entered Approved Missing Alpha Homes 3 2 1 1 All 3 2 1 1" in text
    )
    assert "1 red value without commentary" in text
    assert f"1 of 2 scorecards not yet issued for {label}" in text


def test_a_partner_admin_sees_the_month_at_a_glance_of_their_own_partner_only(world, client_for):
    from pmf.models import OrgUnit

    _glance_world(world)
    partner = OrgUnit.objects.create(
        name="Beta Homes", code="beta-homes", kind=OrgUnit.Kind.ORGANISATION, parent=world.group
    )
    team_indicator(world, code="B1", org_unit=partner)
    make_scorecard(partner, [], title="Partner card")
    group_text = _text(client_for(world.admin).get(reverse("home")).content.decode())
    assert "Alpha Homes 3 2 1 1 Beta Homes 1 0 0 1 All 4 2 1 2" in group_text
    partner_admin = make_user("pat", "admin", partner, name="Pat Partner")
    text = _text(client_for(partner_admin).get(reverse("home")).content.decode())
    assert "Organisation Due Entered Approved Missing Beta Homes 1 0 0 1 All 1 0 0 1" in text
    assert "Alpha Homes" not in text
    assert "1 of 1 scorecard not yet issued" in text


def test_month_at_a_glance_reads_a_fixed_number_of_queries(world, client_for):
    client = client_for(world.admin)
    _glance_world(world)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("home")).status_code == 200
    for n in range(20):
        team_indicator(world, code=f"Y{n}", org_unit=world.other_directorate)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("home")).content.decode()
    assert "Alpha Homes 23 2 1 21" in _text(html)
    assert len(few) == len(many)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_briefing_and_my_work_pass_axe(browser, live_server, world):
    card = make_scorecard(
        world.directorate, [make_indicator("AX1", world.team, start_value=79)], shared_with=[world.viewer]
    )
    issue(card, AUG)
    issue(card)
    _glance_world(world)
    for width in (1280, 375):
        page = browser.new_page(viewport={"width": width, "height": 900})
        for username, heading in (("dora", "Briefing"), ("bob", "My work"), ("alice", "My work")):
            page.context.clear_cookies()
            sign_in(page, live_server, username)
            assert page.get_by_role("heading", level=1).inner_text() == heading
            assert serious_violations(page) == [], username
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (username, width)
            if os.environ.get("SCREENSHOT_DIR"):
                name = f"home_{username}_{width}.png"
                page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)
        page.close()
