"""The pages of this module load in a fixed number of queries whatever the number of items."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.services.latest import refresh_latest
from indicators.tests.factories import MeasurementFactory, team_indicator
from people import services
from people.tests.factories import people_world
from plans.models import PlanItem
from plans.tests.factories import plan_world
from pmf import periods
from risks.tests.factories import make_risk


def _give(world, count: int, start: int) -> None:
    """COUNT more actions, PIs (each with a value) and risks for charlie."""
    objective = plan_world(world).objective
    month = periods.last_complete_month(datetime.date.today())
    for number in range(start, start + count):
        PlanItem.objects.create(
            code=f"H 1.{number + 10}",
            kind="action",
            parent=objective,
            org_unit=world.team,
            title=f"Action {number}",
            assigned_to=world.updater,
            due_date=datetime.date.today() + datetime.timedelta(days=number),
        )
        indicator = team_indicator(world, code=f"Q{number:03d}")
        MeasurementFactory(indicator=indicator, period=month, value=Decimal(80 + number), commentary="Why")
        refresh_latest(indicator_ids=[indicator.pk])
        make_risk(f"R Q{number}", unit=world.team, owner=world.updater)


def _count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_open_and_completed_meeting_pages_take_the_same_queries_for_3_and_33_items(world, client_for):
    pw = people_world(world)
    client = client_for(world.manager)
    open_url = reverse("meeting-detail", args=[pw.meeting.pk])
    few, page = _count(client, open_url)
    assert page.count('class="tag">To discuss') == 1  # the red PI lacking its commentary
    _give(world, 10, 0)
    many, page = _count(client, open_url)
    assert page.count("<textarea") == 33 + 1
    assert many == few
    services.complete_meeting(meeting=pw.meeting, user=world.manager)
    frozen_many, page = _count(client, open_url)
    assert page.count("<tr>") >= 33
    done_url = reverse("meeting-detail", args=[pw.done.pk])
    frozen_few, _ = _count(client, done_url)
    assert frozen_many == frozen_few


def test_home_and_history_pages_take_the_same_queries_for_one_and_many_people(world, client_for):
    from conftest import make_user

    pw = people_world(world)
    client = client_for(world.manager)
    home_few, _ = _count(client, reverse("people-home"))
    history_few, _ = _count(client, reverse("people-person", args=[world.updater.pk]))
    for number in range(5):
        person = make_user(f"p{number}", "updater", world.team, line_manager=world.manager)
        meeting = services.start_meeting(manager=world.manager, person=person, held_on=datetime.date.today())
        services.complete_meeting(meeting=meeting, user=world.manager)
    services.complete_meeting(meeting=pw.meeting, user=world.manager)
    home_many, page = _count(client, reverse("people-home"))
    assert page.count("/team/people/") >= 8
    history_many, _ = _count(client, reverse("people-person", args=[world.updater.pk]))
    assert (home_many, history_many) == (home_few, history_few + 2)  # the comparison appears: two meetings' rows


def test_appraisal_page_takes_the_same_queries_for_one_and_many_objectives_and_needs(world, client_for):
    pw = people_world(world)
    plans = plan_world(world)
    url = reverse("appraisal-detail", args=[pw.appraisal.pk])
    for user in (world.manager, world.updater):
        client = client_for(user)
        few, _ = _count(client, url)
        if user == world.manager:
            for number in range(6):
                services.add_objective(
                    appraisal=pw.appraisal, user=user, title=f"Objective {number}", plan_item=plans.objective
                )
                services.add_need(appraisal=pw.appraisal, user=user, need=f"Need {number}", support="", by_date=None)
        many, page = _count(client, url)
        assert page.count("Objective ") >= 6
        assert many == few
