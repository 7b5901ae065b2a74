"""1-2-1s and appraisals are the person's, their line's and the performance team's only."""

import pytest
from django.urls import reverse

from conftest import make_user
from people.models import Appraisal, Meeting
from people.tests.factories import people_world
from pmf.access import line_reports, manages_in_line
from pmf.models import User

# who: (sees charlie's 1-2-1, sees frank's 1-2-1, sees charlie's appraisal)
TABLE = {
    "charlie (the person)": ("updater", True, True, True),
    "bob (line manager)": ("manager", True, True, True),
    "alice (admin)": ("admin", True, True, True),
    "frank (reports to charlie)": ("frank", False, True, False),
    "dave (peer)": ("dave", False, False, False),
    "erin (other manager)": ("erin", False, False, False),
    "dora (viewer)": ("viewer", False, False, False),
    "olga (outsider)": ("outsider", False, False, False),
}


def _actor(world, pw, name):
    return getattr(pw, name, None) or getattr(world, name)


@pytest.mark.parametrize("who", sorted(TABLE))
def test_who_sees_which_meetings_and_appraisals(who, world, client_for):
    pw = people_world(world)
    name, sees_charlie, sees_frank, sees_appraisal = TABLE[who]
    user = _actor(world, pw, name)
    visible = set(Meeting.objects.visible_to(user).values_list("pk", flat=True))
    assert (pw.meeting.pk in visible, pw.done.pk in visible) == (sees_charlie, sees_charlie)
    assert (pw.frank_meeting.pk in visible) == sees_frank
    assert Appraisal.objects.visible_to(user).filter(pk=pw.appraisal.pk).exists() == sees_appraisal
    client = client_for(user)
    for url, allowed in (
        (reverse("meeting-detail", args=[pw.meeting.pk]), sees_charlie),
        (reverse("meeting-detail", args=[pw.frank_meeting.pk]), sees_frank),
        (reverse("appraisal-detail", args=[pw.appraisal.pk]), sees_appraisal),
        (reverse("people-person", args=[world.updater.pk]), sees_charlie),
    ):
        assert client.get(url).status_code == (200 if allowed else 404), f"{who} GET {url}"


def test_the_line_is_followed_to_any_depth_in_one_query(world, django_assert_num_queries):
    pw = people_world(world)
    grandchild = make_user("gina", "updater", world.team, name="Gina", line_manager=pw.frank)
    with django_assert_num_queries(1):
        below = set(User.objects.filter(pk__in=line_reports(world.manager)).values_list("username", flat=True))
    assert below == {"charlie", "dave", "frank", "gina"}
    assert manages_in_line(world.manager, grandchild)
    assert not manages_in_line(grandchild, world.manager)
    assert not manages_in_line(world.updater, world.updater)


def test_a_loop_in_the_line_ends(world):
    pw = people_world(world)
    User.objects.filter(pk=world.manager.pk).update(line_manager=pw.frank)  # bob > charlie > frank > bob
    below = set(User.objects.filter(pk__in=line_reports(world.manager)).values_list("username", flat=True))
    assert below == {"bob", "charlie", "dave", "frank"}


def test_the_golden_thread_panel_shows_counts_and_never_names(world, client_for):
    pw = people_world(world)
    objective = pw.appraisal.objectives.get().plan_item.parent
    for user in (world.viewer, pw.dave, world.manager):
        page = client_for(user).get(reverse("planitem-detail", args=[objective.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert (
            "1 personal objective in staff appraisals serves this objective (0 directly, 1 through the items below it)."
            in text
        )
        assert "Cut arrears" not in text
        assert reverse("appraisal-detail", args=[pw.appraisal.pk]) not in text


def test_navigation_offers_1_2_1s_to_writers_only(world, client_for):
    for user, shown in ((world.viewer, False), (world.updater, True), (world.manager, True)):
        page = client_for(user).get(reverse("home")).content.decode()
        assert (f'href="{reverse("people-home")}"' in page) == shown


def test_nothing_of_this_module_reaches_snapshots_reports_or_public_pages():
    from pmf import registry

    for entries in (registry.SNAPSHOT_SECTIONS, registry.REPORT_SECTIONS):
        modules = {getattr(entry, "items", None) or getattr(entry, "build", None) for entry in entries}
        assert not any(function.__module__.startswith("people") for function in modules if function)


def test_an_admin_sees_the_1_2_1s_of_their_own_organisation_only(world, client_for):
    pw = people_world(world)
    partner_admin = make_user("pam", "admin", world.other_group, name="Pam Partner")
    superuser = make_user("root", "admin", None, name="Root", is_superuser=True)
    assert not Meeting.objects.visible_to(partner_admin).exists()
    assert not Appraisal.objects.visible_to(partner_admin).exists()
    assert client_for(partner_admin).get(reverse("meeting-detail", args=[pw.meeting.pk])).status_code == 404
    assert client_for(partner_admin).get(reverse("people-person", args=[world.updater.pk])).status_code == 404
    assert Meeting.objects.visible_to(superuser).count() == Meeting.objects.count() == 3
    assert client_for(world.admin).get(reverse("people-person", args=[world.updater.pk])).status_code == 200
