"""Snapshots list the plan actions of their unit or person beside the PIs."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import status as plan_rules
from plans.models import PlanItem
from plans.tests.factories import item, plan_world
from scorecards.tests.factories import make_snapshot


def action_codes(html: str) -> list[str]:
    section = html.split('id="snapshot-actions"', 1)[1]
    return re.findall(r"<tr><td><span class=\"status [^\"]+\">[^<]+</span></td><td>([^<]+)</td>", section)


def test_unit_snapshot_lists_the_units_actions_overdue_first_with_status_words(world, client_for):
    plans = plan_world(world)
    late = item("H 1.2", parent=plans.objective, unit=world.team, due_date=datetime.date(2020, 1, 31))
    PlanItem.objects.filter(pk=late.pk).update(status=plan_rules.OVERDUE)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.service)
    html = client_for(world.manager).get(reverse("snapshot-detail", args=[snapshot.pk])).content.decode()
    assert action_codes(html) == ["H 1.2", "H 1.1"]
    assert '<td><span class="status status--red">Overdue</span></td><td>H 1.2</td>' in html
    assert "P 1.1" not in html  # an action of another directorate


def test_person_snapshot_lists_what_the_person_is_assigned_or_manages(world, client_for):
    plan_world(world)
    snapshot = make_snapshot(world.updater, world.team, person_filter=world.updater)
    html = client_for(world.updater).get(reverse("snapshot-detail", args=[snapshot.pk])).content.decode()
    assert action_codes(html) == ["H 1.1"]


def test_recipients_see_only_the_actions_they_may_see(world, client_for):
    plan_world(world)
    snapshot = make_snapshot(
        world.manager, world.directorate, unit_filter=world.directorate, shared_with=[world.viewer]
    )
    html = client_for(world.viewer).get(reverse("snapshot-detail", args=[snapshot.pk])).content.decode()
    assert action_codes(html) == []
    assert "No plan actions you can see" in html


def test_actions_can_be_left_out_and_tag_only_snapshots_have_none(world, client_for):
    plan_world(world)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.service, include_actions=False)
    html = client_for(world.manager).get(reverse("snapshot-detail", args=[snapshot.pk])).content.decode()
    assert 'id="snapshot-actions"' not in html
    explicit = make_snapshot(world.manager, world.directorate, name="Explicit list")
    html = client_for(world.manager).get(reverse("snapshot-detail", args=[explicit.pk])).content.decode()
    assert 'id="snapshot-actions"' not in html


def test_snapshot_actions_cost_the_same_queries_for_1_and_50_actions(world, client_for):
    plans = plan_world(world)
    PlanItem.objects.filter(code="P 1.1").delete()
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.directorate)
    client = client_for(world.manager)
    url = reverse("snapshot-detail", args=[snapshot.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        return len(ctx.captured_queries), len(action_codes(html))

    one = count()
    assert one[1] == 1
    for n in range(49):
        item(f"H 2.{n}", parent=plans.objective, unit=world.team, assigned_to=world.updater)
    many = count()
    assert many == (one[0], 50)
