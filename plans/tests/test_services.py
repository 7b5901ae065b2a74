import datetime

import pytest
from django.core.exceptions import ValidationError

from plans import services
from plans import status as rules
from plans.models import Milestone, PlanItem, PlanSettings, ProgressUpdate
from plans.tests.factories import TODAY, item
from pmf.locking import EditConflict

D = datetime.date


def fresh(obj):
    obj.refresh_from_db()
    return obj


def test_action_with_milestones_takes_progress_from_completed_weight(plans):
    action = plans.action
    plans.milestone.delete()
    first = services.add_milestone(action=action, title="A", due_date=None, weight=1)
    services.add_milestone(action=action, title="B", due_date=None, weight=3)
    services.complete_milestones(action=action, milestones=[first], on=TODAY)
    assert fresh(action).progress == 25


def test_deleting_milestones_returns_progress_to_the_action(plans):
    action = plans.action
    services.complete_milestones(action=action, milestones=[plans.milestone], on=TODAY)
    assert fresh(action).progress == 100
    assert action.status == rules.COMPLETED
    services.delete_milestones(action=action, milestones=[plans.milestone])
    assert not Milestone.objects.filter(action=action).exists()
    assert fresh(action).progress == 100


def test_parents_roll_progress_up_by_weight_and_flag_the_worst_child(plans, world):
    objective = plans.objective
    plans.milestone.delete()
    PlanItem.objects.filter(pk=plans.other_action.pk).update(weight=3)
    services.post_progress(
        action=plans.action, author=world.updater, progress=100, outcome=rules.COMPLETED, note="", on=TODAY
    )
    other = fresh(plans.other_action)
    other.due_date = D(2026, 1, 1)
    services.save_item(item=other)
    objective = fresh(objective)
    # (100 * 1 + 0 * 3) / 4
    assert objective.progress == 25
    assert fresh(plans.other_action).status == rules.OVERDUE
    assert objective.attention == rules.OVERDUE
    assert fresh(plans.plan).attention == rules.OVERDUE
    assert fresh(plans.plan).progress == 25
    assert fresh(plans.strategy).attention == rules.OVERDUE


def test_cancelled_children_do_not_count_in_the_roll_up(plans, world):
    plans.milestone.delete()
    services.post_progress(
        action=plans.action, author=world.manager, progress=40, outcome=rules.IN_PROGRESS, note="", on=TODAY
    )
    services.post_progress(
        action=plans.other_action, author=world.admin, progress=0, outcome=rules.CANCELLED, note="", on=TODAY
    )
    assert fresh(plans.objective).progress == 40


def test_progress_update_records_author_status_and_note(plans, world):
    plans.milestone.delete()
    update = services.post_progress(
        action=plans.action,
        author=world.updater,
        progress=60,
        outcome=rules.IN_PROGRESS,
        note="Half the team trained",
        on=TODAY,
    )
    action = fresh(plans.action)
    # 60 % against about 79 % expected on the straight line from the planned start
    assert (action.progress, action.status, action.actual_start) == (60, rules.CHECK_PROGRESS, TODAY)
    assert (update.author, update.progress, update.status, update.note, update.date) == (
        world.updater,
        60,
        rules.CHECK_PROGRESS,
        "Half the team trained",
        TODAY,
    )
    assert action.version == 2


def test_progress_update_on_an_action_with_milestones_keeps_milestone_progress(plans, world):
    update = services.post_progress(
        action=plans.action, author=world.updater, progress=90, outcome=rules.IN_PROGRESS, note="", on=TODAY
    )
    assert fresh(plans.action).progress == 0
    assert update.progress == 0


def test_progress_outside_0_to_100_is_refused_and_nothing_saved(plans, world):
    with pytest.raises(ValidationError) as error:
        services.post_progress(
            action=plans.action, author=world.updater, progress=101, outcome=rules.IN_PROGRESS, note="", on=TODAY
        )
    assert error.value.message_dict == {"progress": ["Progress must be between 0 and 100 (you gave 101)."]}
    assert not ProgressUpdate.objects.exists()


def test_completing_and_cancelling_set_their_dates(plans, world):
    plans.milestone.delete()
    services.post_progress(
        action=plans.action, author=world.updater, progress=70, outcome=rules.COMPLETED, note="", on=TODAY
    )
    action = fresh(plans.action)
    assert (action.completed_date, action.progress, action.status) == (TODAY, 100, rules.COMPLETED)
    services.post_progress(action=action, author=world.updater, progress=70, outcome=rules.CANCELLED, note="", on=TODAY)
    action = fresh(action)
    assert (action.completed_date, action.cancelled_date, action.status) == (None, TODAY, rules.CANCELLED)


def test_promoting_a_milestone_makes_a_sub_action_with_its_weight(plans):
    plans.milestone.weight = 2
    plans.milestone.due_date = D(2026, 2, 1)
    plans.milestone.save()
    services.add_milestone(action=plans.action, title="Other", due_date=None, weight=2, completed_on=TODAY)
    sub_action = services.promote_milestone(milestone=plans.milestone)
    assert (sub_action.code, sub_action.parent, sub_action.kind, sub_action.weight, sub_action.title) == (
        "H 1.1.1",
        plans.action,
        PlanItem.Kind.ACTION,
        2,
        "Course booked",
    )
    assert (sub_action.assigned_to, sub_action.due_date) == (plans.action.assigned_to, D(2026, 2, 1))
    assert not Milestone.objects.filter(pk=plans.milestone.pk).exists()
    # one completed milestone of weight 2 and an open sub-action of weight 2
    assert fresh(plans.action).progress == 50


def test_moving_a_subtree_keeps_codes_and_history(plans, world):
    other_objective = item("H 2", kind=PlanItem.Kind.OBJECTIVE, parent=plans.plan, unit=world.directorate)
    sub = item("H 1.1.1", parent=plans.action, unit=world.team)
    history_before = plans.action.history.count()
    services.move_item(item=fresh(plans.action), new_parent=other_objective)
    action = fresh(plans.action)
    assert action.parent == other_objective
    assert list(fresh(other_objective).get_descendants().values_list("code", flat=True)) == ["H 1.1", "H 1.1.1"]
    assert fresh(sub).parent == action
    assert action.history.count() == history_before + 1


def test_moving_an_item_under_its_own_descendant_is_refused(plans, world):
    sub = item("H 1.1.1", parent=plans.action, unit=world.team)
    with pytest.raises(ValidationError) as error:
        services.move_item(item=fresh(plans.action), new_parent=sub)
    assert error.value.message_dict == {
        "parent": ["H 1.1 cannot move under itself or one of its own items (H 1.1.1); that would make a loop."]
    }
    assert fresh(plans.action).parent == plans.objective


def test_due_date_before_start_is_refused_naming_the_field(plans):
    action = fresh(plans.action)
    action.due_date = D(2025, 1, 1)
    with pytest.raises(ValidationError) as error:
        services.save_item(item=action)
    assert error.value.message_dict["due_date"] == ["The due date cannot be before the planned start."]
    assert fresh(plans.action).due_date == D(2026, 3, 31)


def test_a_second_save_from_a_stale_copy_is_refused(plans):
    first = PlanItem.objects.get(pk=plans.action.pk)
    second = PlanItem.objects.get(pk=plans.action.pk)
    first.title = "First editor"
    services.save_item(item=first, expected_version=1)
    second.title = "Second editor"
    with pytest.raises(EditConflict) as error:
        services.save_item(item=second, expected_version=1)
    assert "changed by someone else after you opened it" in error.value.message
    assert fresh(plans.action).title == "First editor"
    assert fresh(plans.action).version == 2


def test_archiving_hides_the_subtree_from_roll_ups_and_restoring_brings_it_back(plans, world):
    plans.milestone.delete()
    services.post_progress(
        action=plans.action, author=world.updater, progress=80, outcome=rules.IN_PROGRESS, note="", on=TODAY
    )
    sub = item("H 1.1.1", parent=plans.action, unit=world.team)
    assert services.set_archived(item=fresh(plans.action), archived=True) == 2
    assert not fresh(sub).active
    assert fresh(plans.objective).progress == 0
    assert services.set_archived(item=fresh(plans.action), archived=False) == 2
    assert fresh(sub).active


def test_daily_refresh_marks_actions_overdue_and_is_idempotent(plans):
    plans.milestone.delete()
    PlanItem.objects.filter(pk=plans.action.pk).update(status=rules.IN_PROGRESS)
    assert services.refresh_statuses(on=D(2026, 4, 1)) >= 1
    assert fresh(plans.action).status == rules.OVERDUE
    assert fresh(plans.objective).attention == rules.OVERDUE
    assert services.refresh_statuses(on=D(2026, 4, 1)) == 0


def test_tolerance_comes_from_plan_settings(plans):
    plans.milestone.delete()
    on = D(2025, 10, 1)  # about 50 % of the way from 1 April 2025 to 31 March 2026
    PlanItem.objects.filter(pk=plans.action.pk).update(progress=45, actual_start=D(2025, 4, 1))
    services.refresh_statuses(on=on)
    assert fresh(plans.action).status == rules.IN_PROGRESS
    settings = PlanSettings.load()
    settings.check_progress_tolerance = 2
    settings.save()
    services.refresh_statuses(on=on)
    assert fresh(plans.action).status == rules.CHECK_PROGRESS


def test_milestone_of_weight_zero_is_refused(plans):
    with pytest.raises(ValidationError) as error:
        services.add_milestone(action=plans.action, title="Nothing", due_date=None, weight=0)
    assert "weight" in error.value.message_dict
    assert Milestone.objects.count() == 1


def test_refresh_task_runs_the_service(plans):
    from plans.tasks import refresh_statuses

    PlanItem.objects.filter(pk=plans.action.pk).update(status=rules.CANCELLED)
    assert refresh_statuses.delay().get() >= 1
    assert fresh(plans.action).status != rules.CANCELLED


def test_objective_without_children_takes_progress_from_the_items_supporting_it(plans, world):
    plans.milestone.delete()
    services.post_progress(
        action=plans.action, author=world.updater, progress=40, outcome=rules.IN_PROGRESS, note="", on=TODAY
    )
    # H 1.1 supports CS 1, which has nothing below it
    corporate = fresh(plans.corporate_objective)
    assert corporate.progress == 40
    second = item("P 1.2", parent=plans.objective, unit=world.other_directorate, weight=3, progress=80)
    services.save_item(item=second, supports=[corporate])
    assert fresh(corporate).progress == 70  # (40 * 1 + 80 * 3) / 4
    services.save_item(item=fresh(second), supports=[])
    assert fresh(corporate).progress == 40
    PlanItem.objects.filter(pk=corporate.pk).update(progress=0)
    services.refresh_statuses(on=TODAY)
    assert fresh(corporate).progress == 40


def test_refresh_command_reports_how_many_items_changed(plans):
    import io

    from django.core.management import call_command

    plans.milestone.delete()
    out = io.StringIO()
    call_command("refresh_plan_statuses", "--date", "2026-04-01", stdout=out)
    assert fresh(plans.action).status == rules.OVERDUE
    out2 = io.StringIO()
    call_command("refresh_plan_statuses", "--date", "2026-04-01", stdout=out2)
    assert out2.getvalue() == "0 plan items changed.\n"
    assert out.getvalue() != out2.getvalue()
