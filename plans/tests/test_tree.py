"""The plan tree's rows: overdue counts below a branch, stale actions, and why a branch a reader
may open shows nothing below it."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans import status as rules
from plans.models import PlanItem, ProgressUpdate
from plans.tests.factories import K, item


def _children(client, parent):
    return client.get(reverse("plan-tree-children", kwargs={"pk": parent.pk}))


def test_overdue_below_counts_only_the_overdue_items_the_reader_may_see(plans, world, client_for):
    PlanItem.objects.filter(pk__in=[plans.action.pk, plans.other_action.pk]).update(status=rules.OVERDUE)
    PlanItem.objects.filter(pk__in=[plans.strategy.pk, plans.plan.pk, plans.objective.pk]).update(
        attention=rules.OVERDUE
    )
    admin = client_for(world.admin).get(reverse("plan-tree"))
    [strategy] = admin.context["nodes"]
    assert strategy.overdue_below == 2
    assert {node.code: node.overdue_below for node in strategy.opened} == {"CS 1": 0, "SDP H": 2}
    html = admin.content.decode()
    assert html.count('<span class="plan-attention plan-attention--count status--red">2 overdue below</span>') == 2
    # bob manages Housing, not Property: he sees one of the two overdue actions, and is told of one.
    manager = client_for(world.manager).get(reverse("plan-tree"))
    [strategy] = manager.context["nodes"]
    assert {node.code: node.overdue_below for node in [strategy, *strategy.opened]} == {
        "CS": 1,
        "CS 1": 0,
        "SDP H": 1,
    }
    assert "1 overdue below" in manager.content.decode()
    assert "2 overdue below" not in manager.content.decode()
    # An overdue action says so in its own status, not as "below".
    actions = _children(client_for(world.admin), plans.objective)
    assert [node.overdue_below for node in actions.context["nodes"]] == [0, 0]
    assert "overdue below" not in actions.content.decode()
    assert actions.content.decode().count('<span class="status status--red">Overdue</span>') == 2


def test_check_progress_below_is_still_flagged_when_nothing_below_is_overdue(plans, world, client_for):
    PlanItem.objects.filter(pk=plans.plan.pk).update(attention=rules.CHECK_PROGRESS)
    html = client_for(world.admin).get(reverse("plan-tree")).content.decode()
    assert "Check progress below" in html
    assert "overdue below" not in html


def test_an_open_action_without_a_progress_update_for_a_month_is_marked_stale(plans, world, client_for):
    today = timezone.localdate()
    ProgressUpdate.objects.create(
        action=plans.action,
        date=today - datetime.timedelta(days=31),
        author=world.updater,
        progress=10,
        status=rules.IN_PROGRESS,
    )
    # No update at all: counted from creation, as the monthly cycle chases it.
    PlanItem.objects.filter(pk=plans.other_action.pk).update(created_at=timezone.now() - datetime.timedelta(days=45))
    recent = item("H 1.2", parent=plans.objective, unit=world.team)
    ProgressUpdate.objects.create(
        action=recent,
        date=today - datetime.timedelta(days=29),
        author=world.updater,
        progress=10,
        status=rules.IN_PROGRESS,
    )
    PlanItem.objects.filter(pk=recent.pk).update(created_at=timezone.now() - datetime.timedelta(days=90))
    done = item("H 1.3", parent=plans.objective, unit=world.team, status=rules.COMPLETED)
    PlanItem.objects.filter(pk=done.pk).update(created_at=timezone.now() - datetime.timedelta(days=90))

    response = _children(client_for(world.admin), plans.objective)
    stale = {node.code: node.stale_since for node in response.context["nodes"]}
    assert stale == {
        "H 1.1": today - datetime.timedelta(days=31),
        "H 1.2": None,
        "H 1.3": None,
        "P 1.1": (timezone.now() - datetime.timedelta(days=45)).astimezone(timezone.get_current_timezone()).date(),
    }
    html = response.content.decode()
    since = (today - datetime.timedelta(days=31)).strftime("%-d %b %Y")
    assert f'<span class="plan-stale">Stale: no progress update since {since}</span>' in html
    assert html.count('class="plan-stale"') == 2


def test_stale_actions_in_the_opened_first_level_are_marked(plans, world, client_for):
    top = item("QA", kind=K.PLAN, unit=world.org, title="Quick actions")
    action = item("QA 1", parent=top, unit=world.team, assigned_to=world.updater)
    PlanItem.objects.filter(pk=action.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    response = client_for(world.updater).get(reverse("plan-tree"))
    opened = {node.code: [child.stale_since is not None for child in node.opened] for node in response.context["nodes"]}
    assert opened == {"CS": [False, False], "QA": [True]}


def test_a_branch_with_nothing_the_reader_may_see_below_says_why(plans, world, client_for):
    hidden = item("CS 1.1", parent=plans.corporate_objective, unit=world.other_directorate)
    client = client_for(world.manager)
    # Opened with the first level (exploring from the strategy) ...
    response = client.get(reverse("plan-tree"), {"root": plans.strategy.pk})
    by_code = {node.code: node for node in response.context["nodes"]}
    assert by_code["CS 1"].opened == [] and by_code["CS 1"].hidden_below == 1
    html = response.content.decode()
    reason = (
        "There is 1 item below CS 1 that you may not see: it is outside your part of the organisation and "
        "neither assigned to you nor managed by you."
    )
    assert f'<li class="empty">{reason}</li>' in html
    # ... loaded with a click ...
    assert f'<li class="empty">{reason}</li>' in _children(client, plans.corporate_objective).content.decode()
    # ... or explored from.
    page = client.get(reverse("plan-tree"), {"root": plans.corporate_objective.pk}).content.decode()
    assert f'<p class="empty">{reason}</p>' in page
    item("CS 1.2", parent=plans.corporate_objective, unit=world.other_directorate)
    assert (
        "There are 2 items below CS 1 that you may not see: they are outside"
        in _children(client, plans.corporate_objective).content.decode()
    )
    # The admin sees them, so no explanation.
    assert "may not see" not in _children(client_for(world.admin), plans.corporate_objective).content.decode()
    PlanItem.objects.filter(parent=plans.corporate_objective).update(active=False)
    assert (
        '<li class="empty">Everything below CS 1 is archived: tick “Archived items only” in the filters to see it.</li>'
        in _children(client, plans.corporate_objective).content.decode()
    )
    assert hidden.pk


def _top_level_plan(number, world):
    """A top-level plan with an objective holding an overdue, stale action, an empty objective, an
    objective whose only item the manager may not see, and an overdue action of its own; then a
    top-level plan whose only item the manager may not see."""
    top = item(f"S{number}", kind=K.PLAN, unit=world.org)
    below = item(f"S{number} 1", kind=K.OBJECTIVE, parent=top, unit=world.org)
    action = item(f"S{number} 1.1", parent=below, unit=world.team, status=rules.OVERDUE)
    PlanItem.objects.filter(pk=action.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    item(f"S{number} 2", kind=K.OBJECTIVE, parent=top, unit=world.org)
    hidden = item(f"S{number} 3", kind=K.OBJECTIVE, parent=top, unit=world.org)
    item(f"S{number} 3.1", parent=hidden, unit=world.other_directorate)
    stale = item(f"S{number} 4", parent=top, unit=world.team, status=rules.OVERDUE)
    PlanItem.objects.filter(pk=stale.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    elsewhere = item(f"T{number}", kind=K.PLAN, unit=world.org)
    item(f"T{number} 1", parent=elsewhere, unit=world.other_directorate)


def test_opened_tree_query_count_does_not_grow_with_branches(plans, world, client_for):
    client = client_for(world.manager)
    url = reverse("plan-tree")
    _top_level_plan(1, world)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
        opened = {node.code: len(node.opened) for node in response.context["nodes"]}
        assert opened == {"CS": 2, "S1": 4, "T1": 0}
        html = response.content.decode()
        assert html.count("overdue below") == 2
        assert html.count('class="plan-stale"') == 1
        assert html.count("that you may not see") == 1
    for number in range(2, 21):
        _top_level_plan(number, world)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
        opened = {node.code: len(node.opened) for node in response.context["nodes"]}
        assert opened == {"CS": 2} | {f"S{n}": 4 for n in range(1, 21)} | {f"T{n}": 0 for n in range(1, 21)}
        html = response.content.decode()
        assert html.count("overdue below") == 2 * 20
        assert html.count('class="plan-stale"') == 20
        assert html.count("that you may not see") == 20
    assert len(one) == len(many)
