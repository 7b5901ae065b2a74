import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import status as rules
from plans.models import Milestone, PlanItem, ProgressUpdate
from plans.tests.factories import item

D = datetime.date


def fresh(obj):
    obj.refresh_from_db()
    return obj


def test_tree_opens_with_the_first_level_expanded_and_deeper_levels_lazy(plans, world, client_for):
    response = client_for(world.manager).get(reverse("plan-tree"))
    assert response.status_code == 200
    assert [node.code for node in response.context["nodes"]] == ["CS"]
    [strategy] = response.context["nodes"]
    assert [node.code for node in strategy.opened] == ["CS 1", "SDP H"]
    html = response.content.decode()
    # The strategy is open (its items are in the page, no request needed), the plan below it is
    # closed and loads its own items on the first click.
    opened = 'class="plan-toggle" aria-expanded="true" aria-controls="plan-children-{}"><span class="visually-hidden">'
    assert opened.format(plans.strategy.pk) in html
    assert f'<ul class="plan-children" id="plan-children-{plans.strategy.pk}">' in html
    assert f'hx-get="{reverse("plan-tree-children", kwargs={"pk": plans.strategy.pk})}"' not in html
    assert f'hx-get="{reverse("plan-tree-children", kwargs={"pk": plans.plan.pk})}"' in html
    assert 'hx-trigger="click once"' in html
    assert f'<ul class="plan-children" id="plan-children-{plans.plan.pk}" hidden>' in html
    assert ">Housing delivery plan</a>" in html
    assert ">Reduce arrears</a>" not in html
    assert "Loading the items below CS…" not in html
    assert "Loading the items below SDP H…" in html


def test_expanding_a_branch_returns_only_that_level(plans, world, client_for):
    response = client_for(world.admin).get(reverse("plan-tree-children", kwargs={"pk": plans.objective.pk}))
    assert [node.code for node in response.context["nodes"]] == ["H 1.1", "P 1.1"]
    assert b"<html" not in response.content
    assert b"Train the rents team" in response.content


def test_updater_sees_the_plan_structure_and_only_their_own_actions(plans, world, client_for):
    response = client_for(world.updater).get(reverse("plan-tree-children", kwargs={"pk": plans.objective.pk}))
    assert [node.code for node in response.context["nodes"]] == ["H 1.1"]


def test_outsider_sees_no_plans(plans, world, client_for):
    response = client_for(world.outsider).get(reverse("plan-tree"))
    assert list(response.context["nodes"]) == []


def test_explore_from_here_reroots_the_tree_with_breadcrumbs(plans, world, client_for):
    response = client_for(world.manager).get(reverse("plan-tree"), {"root": plans.plan.pk})
    assert [node.code for node in response.context["nodes"]] == ["H 1"]
    assert [link["item"].code for link in response.context["chain"]] == ["CS"]
    html = response.content.decode()
    assert '<span aria-current="page">SDP H Housing delivery plan</span>' in html


def test_each_level_is_paginated(plans, world, client_for):
    for number in range(2, 53):
        item(f"H 1.{number:02d}", parent=plans.objective, unit=world.team)
    client = client_for(world.admin)
    first = client.get(reverse("plan-tree-children", kwargs={"pk": plans.objective.pk}))
    assert len(first.context["nodes"]) == 50
    assert b"Show more" in first.content
    second = client.get(reverse("plan-tree-children", kwargs={"pk": plans.objective.pk}), {"page": 2})
    assert [node.code for node in second.context["nodes"]] == ["H 1.51", "H 1.52", "P 1.1"]


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"status": rules.OVERDUE}, ["P 1.1"]),
        ({"due": "overdue"}, ["P 1.1"]),
        ({"due": "next30"}, ["H 1.1"]),
        ({"person": "updater"}, ["H 1.1"]),
        ({"unit": "team"}, ["H 1.1"]),
    ],
)
def test_filters_give_a_flat_list(plans, world, client_for, params, codes):
    PlanItem.objects.filter(pk=plans.other_action.pk).update(status=rules.OVERDUE)
    PlanItem.objects.filter(pk=plans.action.pk).update(due_date=datetime.date.today() + datetime.timedelta(days=10))
    query = dict(params)
    if "person" in query:
        query["person"] = getattr(world, query["person"]).pk
    if "unit" in query:
        query["unit"] = getattr(world, query["unit"]).pk
    response = client_for(world.admin).get(reverse("plan-tree"), query)
    assert response.context["filtering"] is True
    assert [node.code for node in response.context["nodes"]] == codes


def test_tree_page_query_count_does_not_grow_with_rows(plans, world, client_for):
    client = client_for(world.admin)
    url = reverse("plan-tree-children", kwargs={"pk": plans.objective.pk})
    PlanItem.objects.filter(pk=plans.other_action.pk).delete()
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["nodes"]) == 1
    for number in range(2, 51):
        item(f"H 1.{number:02d}", parent=plans.objective, unit=world.team, assigned_to=world.updater)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(url).context["nodes"]) == 50
    assert len(one) == len(fifty)
    tree_url = reverse("plan-tree")
    with CaptureQueriesContext(connection) as filtered_fifty:
        assert len(client.get(tree_url, {"person": world.updater.pk}).context["nodes"]) == 50
    PlanItem.objects.filter(code__startswith="H 1.").exclude(code="H 1.1").delete()
    with CaptureQueriesContext(connection) as filtered_one:
        assert len(client.get(tree_url, {"person": world.updater.pk}).context["nodes"]) == 1
    assert len(filtered_one) == len(filtered_fifty)


def test_my_actions_groups_by_status_overdue_first_in_constant_queries(plans, world, client_for):
    from plans.panels import my_actions

    PlanItem.objects.filter(pk=plans.action.pk).update(status=rules.IN_PROGRESS)
    with CaptureQueriesContext(connection) as one:
        groups = my_actions(world.updater)
        [a.parent.code for g in groups for a in g["actions"]]
    assert [(g["status"], [a.code for a in g["actions"]]) for g in groups] == [(rules.IN_PROGRESS, ["H 1.1"])]
    for number in range(2, 51):
        item(
            f"H 1.{number:02d}",
            parent=plans.objective,
            unit=world.team,
            assigned_to=world.updater,
            status=rules.OVERDUE if number % 2 else rules.NOT_STARTED,
        )
    with CaptureQueriesContext(connection) as fifty:
        groups = my_actions(world.updater)
        [a.parent.code for g in groups for a in g["actions"]]
    assert [g["status"] for g in groups] == [rules.OVERDUE, rules.IN_PROGRESS, rules.NOT_STARTED]
    assert sum(len(g["actions"]) for g in groups) == 50
    assert len(one) == len(fifty)
    page = client_for(world.updater).get(reverse("home"))
    assert b"My actions" in page.content and b"H 1.03" in page.content


def test_action_page_shows_golden_thread_both_ways(plans, world, client_for):
    response = client_for(world.manager).get(plans.action.get_absolute_url())
    html = response.content.decode()
    assert [link["item"].code for link in response.context["chain"]] == ["CS", "SDP H", "H 1"]
    assert [other.code for other in response.context["supports"]] == ["CS 1"]
    assert "Course booked" in html
    corporate = client_for(world.manager).get(plans.corporate_objective.get_absolute_url())
    assert [other.code for other in corporate.context["supported_by"]] == ["H 1.1"]


def test_linked_panels_from_other_modules_appear_on_the_action_page(plans, world, client_for, settings):
    from pmf import registry

    panel = registry.LinkedPanel(
        title="Linked test things", template="plans/mywork_actions.html", items=lambda plan_item, user: [], order=50
    )
    registry.LINKED_PANELS.register(panel)
    try:
        response = client_for(world.manager).get(plans.action.get_absolute_url())
    finally:
        registry.LINKED_PANELS.remove(panel)
    assert b"<h3>Linked test things</h3>" in response.content


def test_action_page_query_count_does_not_grow_with_updates_and_milestones(plans, world, client_for):
    client = client_for(world.manager)
    ProgressUpdate.objects.create(action=plans.action, author=world.updater, progress=1, status=rules.IN_PROGRESS)
    with CaptureQueriesContext(connection) as one:
        client.get(plans.action.get_absolute_url())
    for number in range(19):
        ProgressUpdate.objects.create(
            action=plans.action, author=world.manager, progress=number, status=rules.IN_PROGRESS
        )
        Milestone.objects.create(action=plans.action, title=f"M{number}", weight=1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(plans.action.get_absolute_url())
    assert len(response.context["updates_page"].object_list) == 20
    assert len(one) == len(many)


def test_manager_creates_an_action_under_an_objective(plans, world, client_for):
    response = client_for(world.manager).post(
        reverse("planitem-create") + f"?parent={plans.objective.pk}",
        {
            "kind": "action",
            "code": "H 1.2",
            "title": "Write the arrears policy",
            "org_unit": world.service.pk,
            "assigned_to": world.updater.pk,
            "planned_start": "2026-01-01",
            "due_date": "2026-06-30",
            "weight": 2,
            "priority": "high",
            "supports": [plans.corporate_objective.pk],
        },
    )
    created = PlanItem.objects.get(code="H 1.2")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert (created.parent, created.org_unit, created.weight) == (plans.objective, world.service, 2)
    assert list(created.supports.all()) == [plans.corporate_objective]
    assert created.history.count() == 1


def test_creating_with_due_date_before_start_names_the_field_and_saves_nothing(plans, world, client_for):
    response = client_for(world.manager).post(
        reverse("planitem-create") + f"?parent={plans.objective.pk}",
        {
            "kind": "action",
            "code": "H 1.2",
            "title": "Backwards",
            "org_unit": world.team.pk,
            "planned_start": "2026-06-30",
            "due_date": "2026-01-01",
            "weight": 1,
            "priority": "medium",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"due_date": ["The due date cannot be before the planned start."]}
    assert not PlanItem.objects.filter(code="H 1.2").exists()


def _edit_payload(action, world, title, version):
    return {
        "kind": "action",
        "code": action.code,
        "title": title,
        "org_unit": world.team.pk,
        "weight": 1,
        "priority": "medium",
        "planned_start": "2025-04-01",
        "due_date": "2026-03-31",
        "version": version,
    }


def test_second_concurrent_edit_is_refused_with_a_clear_message(plans, world, client_for):
    url = reverse("planitem-edit", kwargs={"pk": plans.action.pk})
    client = client_for(world.manager)
    first = client.post(url, _edit_payload(plans.action, world, "First", 1))
    assert first.status_code == 302
    second = client.post(url, _edit_payload(plans.action, world, "Second", 1))
    assert second.status_code == 409
    assert any("changed by someone else after you opened it" in e for e in second.context["form"].non_field_errors())
    assert fresh(plans.action).title == "First"


def test_move_into_own_subtree_is_refused_on_the_parent_field(plans, world, client_for):
    item("H 1.1.1", parent=plans.action, unit=world.team)
    response = client_for(world.manager).post(
        reverse("planitem-move", kwargs={"pk": plans.action.pk}), {"parent_code": "H 1.1.1", "version": 1}
    )
    assert response.context["form"].errors == {
        "parent_code": ["H 1.1 cannot move under itself or one of its own items (H 1.1.1); that would make a loop."]
    }
    assert fresh(plans.action).parent == plans.objective


def test_moving_from_a_stale_page_is_refused_with_409_and_the_form_kept(plans, world, client_for):
    target = item("H 2", kind=PlanItem.Kind.OBJECTIVE, parent=plans.plan, unit=world.directorate)
    client = client_for(world.manager)
    client.post(
        reverse("planitem-edit", kwargs={"pk": plans.action.pk}),
        _edit_payload(plans.action, world, "Edited meanwhile", 1),
    )
    response = client.post(
        reverse("planitem-move", kwargs={"pk": plans.action.pk}), {"parent_code": "H 2", "version": 1}
    )
    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "H 1.1 was changed by someone else after you opened it (version 1, now 2). Reload the page to see "
        "their changes, then make yours again."
    ]
    assert response.context["form"]["parent_code"].value() == "H 2"
    assert fresh(plans.action).parent == plans.objective
    assert target.get_children().count() == 0


def test_manager_moves_an_action_by_parent_code(plans, world, client_for):
    target = item("H 2", kind=PlanItem.Kind.OBJECTIVE, parent=plans.plan, unit=world.directorate)
    response = client_for(world.manager).post(
        reverse("planitem-move", kwargs={"pk": plans.action.pk}), {"parent_code": "H 2", "version": 1}
    )
    assert response.status_code == 302
    assert fresh(plans.action).parent == target


def test_manager_archives_an_action(plans, world, client_for):
    response = client_for(world.manager).post(
        reverse("planitem-archive", kwargs={"pk": plans.action.pk}), {"version": 1}
    )
    assert response.status_code == 302
    assert fresh(plans.action).active is False


def test_updater_posts_progress_on_their_action(plans, world, client_for):
    plans.milestone.delete()
    response = client_for(world.updater).post(
        reverse("progress-create", kwargs={"pk": plans.action.pk}),
        {"progress": 90, "outcome": "in_progress", "note": "Nearly there"},
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.author, update.progress, update.note) == (world.updater, 90, "Nearly there")
    assert fresh(plans.action).progress == 90


def test_progress_outside_0_to_100_is_refused_naming_the_field(plans, world, client_for):
    plans.milestone.delete()
    response = client_for(world.updater).post(
        reverse("progress-create", kwargs={"pk": plans.action.pk}), {"progress": 120, "outcome": "in_progress"}
    )
    assert response.context["form"].errors == {"progress": ["Progress must be between 0 and 100."]}
    assert not ProgressUpdate.objects.exists()


def test_milestone_weight_zero_is_refused_naming_the_field(plans, world, client_for):
    response = client_for(world.updater).post(
        reverse("milestone-create", kwargs={"pk": plans.action.pk}), {"title": "Free", "weight": 0}
    )
    assert response.context["form"].errors == {
        "weight": ["The weight must be at least 1; a milestone of weight 0 would count for nothing."]
    }
    assert Milestone.objects.count() == 1


def test_updater_completes_and_deletes_ticked_milestones(plans, world, client_for):
    second = Milestone.objects.create(action=plans.action, title="Course held", weight=3)
    third = Milestone.objects.create(action=plans.action, title="Obsolete", weight=1)
    client = client_for(world.updater)
    url = reverse("milestone-bulk", kwargs={"pk": plans.action.pk})
    client.post(url, {"milestone": [plans.milestone.pk, second.pk], "operation": "complete"})
    assert fresh(plans.action).progress == 80
    client.post(url, {"milestone": [third.pk], "operation": "delete"})
    assert not Milestone.objects.filter(pk=third.pk).exists()
    assert fresh(plans.action).progress == 100


def test_manager_promotes_a_milestone_to_a_sub_action(plans, world, client_for):
    response = client_for(world.manager).post(reverse("milestone-promote", kwargs={"pk": plans.milestone.pk}))
    sub_action = PlanItem.objects.get(code="H 1.1.1")
    assert response["Location"] == sub_action.get_absolute_url()
    assert sub_action.parent == plans.action


def test_admin_changes_the_tolerance(plans, world, client_for):
    from plans.models import PlanSettings

    response = client_for(world.admin).post(reverse("plan-settings"), {"check_progress_tolerance": 25})
    assert response.status_code == 302
    assert PlanSettings.load().check_progress_tolerance == 25


def test_export_of_the_current_view_as_csv_and_xlsx(plans, world, client_for):
    client = client_for(world.manager)
    response = client.get(reverse("plan-export"), {"root": plans.objective.pk, "format": "csv"})
    lines = response.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code,parent_code,kind,title")
    # the Property action is outside the manager's directorate
    assert [line.split(",")[0] for line in lines[1:]] == ["H 1", "H 1.1"]
    response = client.get(reverse("plan-export"), {"status": rules.NOT_STARTED, "format": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][0] == "code"
    assert sorted(row[0] for row in rows[1:]) == sorted(
        PlanItem.objects.visible_to(world.manager).filter(status=rules.NOT_STARTED).values_list("code", flat=True)
    )
    assert "P 1.1" not in [row[0] for row in rows]


def test_an_objective_cannot_be_created_at_the_top(world, client_for):
    response = client_for(world.admin).post(
        reverse("planitem-create"),
        {
            "kind": "objective",
            "code": "X 1",
            "title": "Floating",
            "org_unit": world.org.pk,
            "weight": 1,
            "priority": "medium",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"kind": ["An objective cannot sit at the top."]}
    assert not PlanItem.objects.exists()


def test_explore_from_here_query_count_does_not_grow_with_rows(plans, world, client_for):
    client = client_for(world.manager)
    PlanItem.objects.filter(pk=plans.other_action.pk).delete()
    url = reverse("plan-tree")
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url, {"root": plans.objective.pk}).context["nodes"]) == 1
    for number in range(2, 51):
        item(f"H 1.{number:02d}", parent=plans.objective, unit=world.team, assigned_to=world.updater)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(url, {"root": plans.objective.pk}).context["nodes"]) == 50
    assert len(one) == len(fifty)


def test_xlsx_export_keeps_text_that_looks_like_a_formula_as_text(plans, world, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    PlanItem.objects.filter(pk=plans.action.pk).update(title="=1+1")
    response = client_for(world.admin).get(reverse("plan-export"), {"root": plans.objective.pk, "format": "xlsx"})
    sheet = load_workbook(BytesIO(response.getvalue())).active
    titles = {row[0].value: row[3] for row in sheet.iter_rows(min_row=2)}
    assert (titles["H 1.1"].value, titles["H 1.1"].data_type) == ("'=1+1", "s")


def test_plan_item_history_lists_the_edit(plans, world, client_for):
    client = client_for(world.manager)
    client.post(
        reverse("planitem-edit", kwargs={"pk": plans.action.pk}),
        _edit_payload(plans.action, world, "Renamed in test", 1),
    )
    response = client.get(reverse("history", kwargs={"model_label": "plans.planitem", "pk": plans.action.pk}))
    assert response.status_code == 200
    assert "Renamed in test" in response.content.decode()


def test_changing_kind_so_the_children_no_longer_fit_is_refused(plans, world, client_for):
    item("H 1.A", kind=PlanItem.Kind.OBJECTIVE, parent=plans.objective, unit=world.directorate)
    payload = {
        "kind": "action",
        "code": "H 1",
        "title": "Reduce arrears",
        "org_unit": world.directorate.pk,
        "weight": 1,
        "priority": "medium",
        "version": 1,
    }
    response = client_for(world.manager).post(reverse("planitem-edit", kwargs={"pk": plans.objective.pk}), payload)
    assert response.context["form"].errors == {
        "kind": ["An objective sits below H 1, and an objective cannot sit under an action."]
    }
    assert fresh(plans.objective).kind == PlanItem.Kind.OBJECTIVE


def test_archiving_from_a_stale_page_is_refused(plans, world, client_for):
    client = client_for(world.manager)
    client.post(
        reverse("planitem-edit", kwargs={"pk": plans.action.pk}),
        _edit_payload(plans.action, world, "Edited meanwhile", 1),
    )
    response = client.post(reverse("planitem-archive", kwargs={"pk": plans.action.pk}), {"version": 1})
    assert response.status_code == 409
    assert fresh(plans.action).active is True
    assert response.context["conflict"].startswith(
        "H 1.1 was changed by someone else after you opened it (version 1, now 2)"
    )
    assert 'name="version" value="2"' in response.content.decode()


@pytest.mark.parametrize("hostile", ["²", "NaN", "", "123456789012345678901234567890", "<script>"])
def test_milestone_ids_that_are_not_ids_are_ignored_not_a_server_error(plans, world, client_for, hostile):
    url = reverse("milestone-bulk", kwargs={"pk": plans.action.pk})
    ticked = {"milestone": [hostile, plans.milestone.pk], "operation": "complete"}
    response = client_for(world.updater).post(url, ticked)
    assert response.status_code == 302
    assert fresh(plans.milestone).completed_on is not None
