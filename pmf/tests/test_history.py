"""pmf/history.py, the one reader of the audit trail: every page that lists changes shows a value
the same way (a unit or person by name, a choice by its label, a flag as Yes/No, a list of related
things by their names)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Tag
from plans.models import PlanItem
from pmf.history import history_entries
from scorecards import audit
from scorecards.tests.factories import make_scorecard, make_snapshot


def newest_first(obj) -> list:
    return list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))


def changes_of(entry) -> list[tuple[str, str, str]]:
    return [(change.label, change.old, change.new) for change in entry.changes]


def test_a_plan_item_change_names_units_and_people_and_labels_choices_in_field_order(world):
    action = PlanItem.objects.create(
        code="A 1", title="Act", kind=PlanItem.Kind.ACTION, org_unit=world.team, assigned_to=world.updater
    )
    action.org_unit = world.service
    action.assigned_to = world.manager
    action.priority = PlanItem.Priority.HIGH
    action.active = False
    action._change_reason = "Moved to the service"
    action.save()
    latest, created = history_entries(newest_first(action))
    assert (latest.action, latest.reason, latest.who) == ("Changed", "Moved to the service", "the system")
    assert changes_of(latest) == [
        ("Organisation unit", "Rents Team", "Income"),
        ("Assigned to", "Charlie Updater", "Bob Manager"),
        ("Priority", "Medium", "High"),
        ("Active", "Yes", "No"),
    ]
    assert (created.action, created.changes) == ("Created", [])


def test_a_snapshot_change_lists_tags_and_readers_by_name(world):
    snapshot = make_snapshot(world.updater, world.team)
    rent, voids = Tag.objects.create(name="Rent"), Tag.objects.create(name="Voids")
    snapshot.tags.set([rent, voids])
    snapshot.shared_with.set([world.viewer])
    entries = history_entries(newest_first(snapshot))
    assert [changes_of(entry) for entry in entries[:2]] == [
        [("Shared with", "(blank)", "Dora Viewer")],
        [("PIs with any of tags", "(blank)", "Rent, Voids")],
    ]


def test_history_page_of_a_snapshot_reads_its_lists_in_a_fixed_number_of_queries(world, client_for):
    snapshot = make_snapshot(world.updater, world.team)
    tags = [Tag.objects.create(name=f"Tag {index}") for index in range(12)]
    client = client_for(world.admin)
    url = reverse("history", args=["scorecards.snapshot", snapshot.pk])

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    snapshot.tags.add(tags[0])
    one = measure()
    for tag in tags[1:]:
        snapshot.tags.add(tag)
    assert measure() == one


def test_scorecard_change_list_names_the_unit_and_cuts_long_text(world):
    card = make_scorecard(world.directorate, [], owner=world.manager)
    card.org_unit = world.service
    card.description = "x" * 100
    card.save()
    (change,) = [c for c in audit.scorecard_changes(card) if c.what == "Changed the scorecard"]
    assert change.details == [
        "Org unit: Housing → Income",
        f"Description: (blank) → {'x' * 77}...",
    ]


def test_history_names_a_change_without_an_author_the_system(world):
    world.team.name = "Renamed Team"
    world.team.save()
    (latest, *_) = history_entries(newest_first(world.team))
    assert latest.who == "the system"
    assert changes_of(latest) == [("Name", "Rents Team", "Renamed Team")]
