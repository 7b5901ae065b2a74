import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from pmf.models import OrgUnit, User


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav" aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r">([^<]+)</a>", nav)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("viewer", ["My work", "Organisation", "People"]),
        ("updater", ["My work", "Organisation", "People"]),
        ("manager", ["My work", "Organisation", "People"]),
        ("admin", ["My work", "Organisation", "People"]),
    ],
)
def test_each_role_sees_its_navigation(world, client_for, actor, expected):
    html = client_for(world.actor(actor)).get(reverse("home")).content.decode()
    core = [label for label in nav_labels(html) if label in {"My work", "Organisation", "People", "Administration"}]
    assert core == expected


def test_my_work_lists_my_direct_reports(world, client_for):
    html = client_for(world.manager).get(reverse("home")).content.decode()
    assert "<h1>My work</h1>" in html
    assert "Charlie Updater" in html
    assert 'aria-current="page">My work' in html


def test_page_has_skip_link_landmarks_and_one_h1(world, client_for):
    html = client_for(world.viewer).get(reverse("orgunit-detail", args=[world.team.pk])).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert html.count("<h1") == 1
    assert 'aria-label="Breadcrumb"' in html


def test_error_pages_use_the_layout(world, client_for):
    response = client_for(world.outsider).get(reverse("orgunit-detail", args=[world.team.pk]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="skip-link"' in response.content.decode()
    response = client_for(world.viewer).get(reverse("orgunit-edit", args=[world.team.pk]))
    assert response.status_code == 403
    assert "You cannot do that" in response.content.decode()


def test_editing_a_unit_through_the_page_records_who_changed_what(world, client_for):
    client = client_for(world.manager)
    response = client.post(
        reverse("orgunit-edit", args=[world.team.pk]),
        {
            "name": "Income Recovery Team",
            "code": "alpha-rents",
            "kind": "team",
            "parent": world.service.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    latest = world.team.history.latest()
    assert latest.history_user == world.manager
    assert latest.history_type == "~"
    html = client.get(reverse("history", args=["pmf.orgunit", world.team.pk])).content.decode()
    assert "Changed</strong> by Bob Manager" in html
    assert re.search(r"<th scope=\"row\">Name</th><td>Rents Team</td><td>Income Recovery Team</td>", html)


def test_unit_edit_refuses_a_wrong_kind_of_parent_and_saves_nothing(world, client_for):
    response = client_for(world.admin).post(
        reverse("orgunit-edit", args=[world.team.pk]),
        {"name": "Rents Team", "code": "alpha-rents", "kind": "team", "parent": world.directorate.pk, "active": "on"},
    )
    assert response.status_code == 200
    assert "Parent: A team cannot sit under a directorate." in response.content.decode()
    world.team.refresh_from_db()
    assert world.team.parent_id == world.service.pk


def test_unit_cannot_move_under_itself(world, client_for):
    response = client_for(world.admin).post(
        reverse("orgunit-edit", args=[world.service.pk]),
        {"name": "Income", "code": "alpha-income", "kind": "service", "parent": world.team.pk, "active": "on"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_history_page_of_a_person_is_for_admins_and_the_person(world, client_for):
    world.updater.job_title = "Senior Rents Officer"
    world.updater.save()
    html = client_for(world.updater).get(reverse("history", args=["pmf.user", world.updater.pk])).content.decode()
    assert "Senior Rents Officer" in html
    assert "Password" not in html


def test_person_list_filters_by_unit_subtree_role_and_text(world, client_for):
    client = client_for(world.admin)
    html = client.get(reverse("person-list"), {"unit": world.directorate.pk}).content.decode()
    assert "Bob Manager" in html and "Charlie Updater" in html and "Dora Viewer" not in html
    html = client.get(reverse("person-list"), {"role": "viewer"}).content.decode()
    assert "Dora Viewer" in html and "Bob Manager" not in html
    html = client.get(reverse("person-list"), {"q": "charlie"}).content.decode()
    assert "Charlie Updater" in html and "1 person" in html
    html = client.get(reverse("person-list"), {"q": "olga"}).content.decode()
    assert "Olga Outsider" not in html  # another group: outside the admin's scope


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_person_list_query_count_does_not_grow_with_rows(world, client_for):
    client = client_for(world.admin)
    url = reverse("person-list")
    User.objects.exclude(pk=world.admin.pk).delete()
    one = count_queries(client, url)
    for n in range(49):
        make_user(f"p{n}", "updater", world.team, line_manager=world.admin)
    assert count_queries(client, url) == one


def test_org_chart_and_unit_page_query_counts_do_not_grow_with_rows(world, client_for):
    client = client_for(world.admin)
    list_url, detail_url = reverse("orgunit-list"), reverse("orgunit-detail", args=[world.service.pk])
    list_before, detail_before = count_queries(client, list_url), count_queries(client, detail_url)
    for n in range(50):
        OrgUnit.objects.create(name=f"Team {n}", code=f"team-{n}", kind="team", parent=world.service)
        make_user(f"m{n}", "updater", world.service, line_manager=world.manager)
    assert count_queries(client, list_url) == list_before
    assert count_queries(client, detail_url) == detail_before


def test_history_page_query_count_does_not_grow_with_changes(world, client_for):
    client = client_for(world.admin)
    url = reverse("history", args=["pmf.orgunit", world.team.pk])
    before = count_queries(client, url)
    for n in range(40):
        world.team.name = f"Rents Team {n}"
        world.team.save()
    assert count_queries(client, url) == before


def test_health_reports_database_and_cache(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["cache"] == "ok"
