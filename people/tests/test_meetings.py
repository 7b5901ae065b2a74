import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from people import services
from people.models import Meeting, MeetingItem
from people.tests.factories import people_world
from plans import services as plan_services
from plans.models import PlanItem
from plans.tests.factories import plan_world

TODAY = datetime.date.today()


@pytest.fixture
def pw(world):
    return people_world(world)


def _statuses(meeting):
    return {(row.kind, row.code): row.status_label for row in meeting.items.all()}


def test_completing_freezes_every_item_as_it_stood(world, pw):
    action = plan_world(world).action
    services.save_meeting(
        meeting=pw.meeting, user=world.manager, notes="Arrears up", comments={("action", action.pk): "Chase it"}
    )
    count = services.complete_meeting(meeting=pw.meeting, user=world.manager)
    meeting = Meeting.objects.get(pk=pw.meeting.pk)
    assert meeting.status == Meeting.Status.COMPLETED
    assert meeting.completed_by == world.manager
    assert count == 3
    assert _statuses(meeting) == {
        ("action", "H 1.1"): PlanItem.objects.get(pk=action.pk).get_status_display(),
        ("pi", "HM01"): "Off target",
        ("risk", "R 01"): "9 " + meeting.items.get(kind="risk").status_label.split(" ", 1)[1],
    }
    frozen = meeting.items.get(kind="action")
    assert frozen.manager_comment == "Chase it"
    assert ["Commentary", "Missing"] in meeting.items.get(kind="pi").facts
    # The action moves on afterwards: the frozen row keeps what it was that day.
    before = frozen.status_label
    plan_services.post_progress(action=action, author=world.updater, progress=100, outcome="completed", note="Done")
    assert PlanItem.objects.get(pk=action.pk).status == "completed"
    assert meeting.items.get(kind="action").status_label == before
    assert before != "Completed"


def test_a_completed_meeting_refuses_every_change_and_saves_nothing(world, pw, client_for):
    done = pw.done
    before = list(done.items.values_list("pk", "manager_comment", "person_comment"))
    history = done.history.count()
    with pytest.raises(ValidationError, match="completed on"):
        services.save_meeting(meeting=done, user=world.manager, notes="Later", comments={})
    with pytest.raises(ValidationError, match="completed on"):
        services.complete_meeting(meeting=done, user=world.manager)
    with pytest.raises(ValidationError, match="completed on"):
        services.add_agreed_action(
            meeting=done,
            user=world.manager,
            objective=plan_world(world).objective,
            title="Late",
            due_date=TODAY + datetime.timedelta(days=5),
        )
    client = client_for(world.updater)
    response = client.post(reverse("meeting-save", args=[done.pk]), {"notes": "Mine"}, follow=True)
    assert "nothing can be changed" in response.content.decode()
    done.refresh_from_db()
    assert done.person_notes == "" and done.manager_notes == ""
    assert list(done.items.values_list("pk", "manager_comment", "person_comment")) == before
    assert done.history.count() == history


def test_only_someone_above_in_the_line_can_start_a_meeting(world, pw):
    with pytest.raises(ValidationError) as refused:
        services.start_meeting(manager=pw.erin, person=world.updater, held_on=TODAY)
    assert refused.value.message_dict == {
        "person": ["Choose someone who reports to you, directly or further down your line."]
    }
    with pytest.raises(ValidationError) as peer:
        services.start_meeting(manager=pw.dave, person=world.updater, held_on=TODAY)
    assert "person" in peer.value.message_dict
    # Two levels down: bob > charlie > frank (frank has an open one with charlie).
    with pytest.raises(ValidationError, match="already has an open 1-2-1"):
        services.start_meeting(manager=world.manager, person=pw.frank, held_on=TODAY)
    assert Meeting.objects.filter(person=pw.frank).count() == 1


def test_starting_with_someone_outside_the_line_names_the_person_field(world, pw, client_for):
    before = Meeting.objects.count()
    response = client_for(pw.erin).post(
        reverse("meeting-start"), {"person": world.updater.pk, "held_on": TODAY.isoformat()}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "person": ["Choose someone who reports to you, directly or further down your line."]
    }
    assert Meeting.objects.count() == before


def test_a_next_meeting_in_the_past_is_refused_on_its_field_and_nothing_is_saved(world, pw, client_for):
    action = plan_world(world).action
    response = client_for(world.manager).post(
        reverse("meeting-save", args=[pw.meeting.pk]),
        {
            "notes": "Should not stick",
            "next_meeting": (TODAY - datetime.timedelta(days=1)).isoformat(),
            f"comment-action-{action.pk}": "Neither should this",
        },
    )
    assert response.status_code == 400
    assert list(response.context["notes_form"].errors) == ["next_meeting"]
    assert "The next meeting cannot be in the past" in response.context["notes_form"].errors["next_meeting"][0]
    pw.meeting.refresh_from_db()
    assert pw.meeting.manager_notes == ""
    assert not pw.meeting.items.exists()


def test_script_in_comments_is_stored_as_written_and_shown_escaped(world, pw, client_for):
    action = plan_world(world).action
    script = "<script>alert('x')</script>"
    client = client_for(world.updater)
    response = client.post(
        reverse("meeting-save", args=[pw.meeting.pk]), {"notes": script, f"comment-action-{action.pk}": script}
    )
    assert response.status_code == 302
    assert MeetingItem.objects.get(meeting=pw.meeting, kind="action").person_comment == script
    page = client_for(world.manager).get(reverse("meeting-detail", args=[pw.meeting.pk])).content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_each_side_writes_only_its_own_comments(world, pw):
    action = plan_world(world).action
    key = ("action", action.pk)
    services.save_meeting(meeting=pw.meeting, user=world.manager, notes="M", comments={key: "From bob"})
    services.save_meeting(meeting=pw.meeting, user=world.updater, notes="P", comments={key: "From charlie"})
    row = MeetingItem.objects.get(meeting=pw.meeting, kind="action")
    assert (row.manager_comment, row.person_comment) == ("From bob", "From charlie")
    pw.meeting.refresh_from_db()
    assert (pw.meeting.manager_notes, pw.meeting.person_notes) == ("M", "P")
    with pytest.raises(PermissionDenied):
        services.save_meeting(meeting=pw.meeting, user=pw.dave, notes="Peer", comments={})
    with pytest.raises(PermissionDenied):
        services.save_meeting(meeting=pw.meeting, user=world.admin, notes="Admin", comments={})


def test_an_agreed_action_is_a_real_plan_action_assigned_to_the_person(world, pw, client_for):
    objective = plan_world(world).objective
    due = TODAY + datetime.timedelta(days=40)
    response = client_for(world.manager).post(
        reverse("meeting-action", args=[pw.meeting.pk]),
        {"title": "Call the ten highest arrears cases", "objective": objective.pk, "due_date": due.isoformat()},
    )
    assert response.status_code == 302
    action = pw.meeting.agreed_actions.get()
    assert (action.kind, action.parent_id, action.assigned_to, action.managed_by, action.due_date) == (
        "action",
        objective.pk,
        world.updater,
        world.manager,
        due,
    )
    assert action.code == "H 1.3"  # after H 1.1 and P 1.1 under the same objective
    assert action.org_unit == world.team
    assert action.history.count() == 1


def test_an_agreed_action_due_in_the_past_is_refused_on_its_field(world, pw, client_for):
    objective = plan_world(world).objective
    before = PlanItem.objects.count()
    response = client_for(world.manager).post(
        reverse("meeting-action", args=[pw.meeting.pk]),
        {"title": "Late", "objective": objective.pk, "due_date": (TODAY - datetime.timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 400
    assert response.context["action_form"].errors == {"due_date": ["The due date must be today or later."]}
    assert PlanItem.objects.count() == before


def test_history_shows_what_changed_between_two_meetings(world, pw, client_for):
    plans = plan_world(world)
    earlier = pw.done  # action, PI and risk frozen
    plan_services.post_progress(
        action=plans.action, author=world.updater, progress=100, outcome="completed", note="Done"
    )
    new_action = PlanItem.objects.create(
        code="H 1.9", kind="action", parent=plans.objective, org_unit=world.team, title="New", assigned_to=world.updater
    )
    from risks.models import Risk

    Risk.objects.filter(owner=world.updater).update(status="closed")
    services.complete_meeting(meeting=pw.meeting, user=world.manager)
    later = Meeting.objects.get(pk=pw.meeting.pk)
    changes = services.changes_between(earlier, later)
    assert [(old.code, old.status_label, new.status_label) for old, new in changes.changed] == [
        ("H 1.1", earlier.items.get(kind="action").status_label, "Completed")
    ]
    assert [row.code for row in changes.new] == [new_action.code]
    assert [row.code for row in changes.removed] == ["R 01"]
    assert changes.unchanged == 1
    page = client_for(world.manager).get(
        reverse("people-person", args=[world.updater.pk]), {"earlier": earlier.pk, "later": later.pk}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 status change, 1 new item, 1 item gone, 1 unchanged" in text
    assert "H 1.9 New" in text


def test_comparing_meetings_of_someone_else_is_refused_with_a_message(world, pw, client_for):
    response = client_for(world.manager).get(
        reverse("people-person", args=[world.updater.pk]), {"earlier": pw.done.pk, "later": 10**12}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Choose two completed 1-2-1s of this person."]


def test_a_comment_too_long_is_refused_naming_the_item_and_nothing_is_saved(world, pw, client_for):
    action = plan_world(world).action
    response = client_for(world.manager).post(
        reverse("meeting-save", args=[pw.meeting.pk]),
        {"notes": "Kept?", f"comment-action-{action.pk}": "x" * 5001},
    )
    assert response.status_code == 400
    assert response.context["notes_form"].non_field_errors() == [
        "The comment on H 1.1 is longer than 5,000 characters (5,001)."
    ]
    pw.meeting.refresh_from_db()
    assert pw.meeting.manager_notes == "" and not pw.meeting.items.exists()


def test_my_work_lists_the_1_2_1s_due_with_direct_reports(world, pw, client_for):
    page = client_for(world.manager).get(reverse("home")).content.decode()
    assert "No 1-2-1 with your direct reports is due" in page  # the one after it is already open
    pw.meeting.delete()
    Meeting.objects.filter(pk=pw.done.pk).update(
        held_on=TODAY - datetime.timedelta(days=40), next_meeting=TODAY - datetime.timedelta(days=12)
    )
    page = client_for(world.manager).get(reverse("home")).content.decode()
    due = (TODAY - datetime.timedelta(days=12)).strftime("%-d %b %Y")
    assert f'Charlie Updater</a>: next 1-2-1 <span class="status status--red">Overdue</span> since {due}' in page
    assert "No 1-2-1 with your direct reports is due" in client_for(pw.erin).get(reverse("home")).content.decode()


def test_comments_keep_their_history_through_completion(world, pw):
    action = plan_world(world).action
    key = ("action", action.pk)
    services.save_meeting(meeting=pw.meeting, user=world.manager, notes="", comments={key: "First"})
    services.save_meeting(meeting=pw.meeting, user=world.manager, notes="", comments={key: "Second"})
    services.complete_meeting(meeting=pw.meeting, user=world.manager)
    row = MeetingItem.objects.get(meeting=pw.meeting, kind="action")
    assert row.manager_comment == "Second"
    said = list(MeetingItem.history.filter(meeting_id=pw.meeting.pk, object_id=action.pk).order_by("history_id"))
    assert [(entry.history_type, entry.manager_comment) for entry in said] == [
        ("+", "First"),
        ("~", "Second"),
        ("~", "Second"),
    ]
    assert said[-1].status_label == row.status_label != ""


def test_the_person_writes_in_their_own_column_and_reads_the_managers(world, pw, client_for):
    action = plan_world(world).action
    services.save_meeting(
        meeting=pw.meeting, user=world.manager, notes="Bob's notes", comments={("action", action.pk): "From bob"}
    )
    page = client_for(world.updater).get(reverse("meeting-detail", args=[pw.meeting.pk])).content.decode()
    row = page[page.index("H 1.1 Train the rents team") :]
    row = row[: row.index("</tr>")]
    assert row.index("From bob") < row.index(f'<textarea name="comment-action-{action.pk}"')
    assert '<label class="visually-hidden" for="comment-action-' in row
    assert "Bob&#x27;s notes" in page
    assert "Complete and record" not in page
    assert "Agree an action" not in page
