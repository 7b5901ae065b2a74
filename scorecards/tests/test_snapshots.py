import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from scorecards.models import Snapshot
from scorecards.tests.factories import make_indicator, make_snapshot


@pytest.fixture
def shared(world, pis):
    snapshot = make_snapshot(
        world.manager,
        world.directorate,
        name="Housing PIs",
        unit_filter=world.directorate,
        shared_with=[world.updater, world.viewer],
        indicators=[pis["C"]],
    )
    return snapshot


def codes(response):
    return [row.code for _, row in response.context["rows"]]


@pytest.mark.parametrize(
    ("actor", "seen", "hidden"),
    [
        ("admin", ["PIA", "PIB", "PIC"], 0),
        ("manager", ["PIA", "PIB"], 1),
        ("updater", ["PIA"], 2),
        ("viewer", [], 3),
    ],
)
def test_shared_snapshot_shows_each_recipient_only_what_they_may_see_and_counts_the_rest(
    world, shared, client_for, actor, seen, hidden
):
    response = client_for(world.actor(actor)).get(reverse("snapshot-detail", kwargs={"pk": shared.pk}))
    assert response.status_code == 200
    assert codes(response) == seen
    assert response.context["hidden"] == hidden
    if hidden:
        assert f"{hidden} more PI" in response.content.decode()


def test_snapshot_is_not_found_for_someone_it_is_not_shared_with(world, shared, client_for):
    response = client_for(world.outsider).get(reverse("snapshot-detail", kwargs={"pk": shared.pk}))
    assert response.status_code == 404


def test_snapshot_shared_with_a_role_reaches_that_role_in_the_same_organisation_only(world, pis, client_for):
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.directorate)
    snapshot.set_roles(["viewer"])
    snapshot.save()
    far_viewer = make_user("vera", "viewer", world.other_group)
    url = reverse("snapshot-detail", kwargs={"pk": snapshot.pk})
    assert client_for(world.viewer).get(url).status_code == 200
    assert client_for(far_viewer).get(url).status_code == 404
    assert client_for(world.updater).get(url).status_code == 404


def test_my_snapshot_lists_the_pis_i_manage_or_update(world, pis, client_for):
    assert codes(client_for(world.updater).get(reverse("snapshot-mine"))) == ["PIA"]
    assert codes(client_for(world.manager).get(reverse("snapshot-mine"))) == ["PIA", "PIB"]
    assert codes(client_for(world.viewer).get(reverse("snapshot-mine"))) == []


def test_snapshot_row_shows_status_trends_sparkline_and_summary_counts(world, pis, client_for):
    response = client_for(world.updater).get(reverse("snapshot-mine"))
    row = response.context["rows"][0][1]
    assert (row.period_label, row.value_text, row.target_text) == ("Sep 2025", "104.0%", "95.0%")
    assert (row.status_label, row.short_label, row.long_label) == ("On target", "Improving", "Improving")
    assert len(row.spark) == 13 and row.spark[0] == 92 and row.spark[-1] == 104
    html = response.content.decode()
    assert 'aria-label="Last 13 values, from 92 to 104"' in html
    assert '<span aria-hidden="true">▲</span> Improving' in html
    counts = {label: count for _, label, count in response.context["counts"]}
    assert counts == {"On target": 1, "Within tolerance": 0, "Off target": 0, "Data only": 0, "Unknown": 0}


def test_snapshot_by_tag_combines_with_its_explicit_list(world, pis):
    from indicators.models import Tag
    from scorecards.services import snapshot_indicators

    tag = Tag.objects.create(name="Income")
    pis["B"].tags.add(tag)
    snapshot = make_snapshot(world.admin, world.org, indicators=[pis["C"]])
    snapshot.tags.add(tag)
    shown, hidden = snapshot_indicators(snapshot, world.admin)
    assert [ind.code for ind in shown] == ["PIB", "PIC"] and hidden == 0


def test_snapshot_form_names_an_unknown_code_and_saves_nothing(world, pis, client_for):
    response = client_for(world.updater).post(
        reverse("snapshot-create"),
        {"name": "Mine", "org_unit": world.team.pk, "codes": "PIA NOPE PIC", "columns": ["value"]},
    )
    assert response.status_code == 200
    assert "No PI you can see has the code: NOPE, PIC." in response.content.decode()
    assert Snapshot.objects.count() == 0


def test_snapshot_form_saves_columns_roles_and_list(world, pis, client_for):
    response = client_for(world.updater).post(
        reverse("snapshot-create"),
        {"name": "Mine", "org_unit": world.team.pk, "codes": "PIA", "columns": ["value", "spark"], "roles": ["viewer"]},
    )
    snapshot = Snapshot.objects.get()
    assert response.status_code == 302
    assert (snapshot.owner, snapshot.column_list, snapshot.role_list) == (world.updater, ["value", "spark"], ["viewer"])
    assert list(snapshot.indicators.values_list("code", flat=True)) == ["PIA"]


def _snapshot_queries(world, client, count):
    for index in range(count):
        make_indicator(f"Q{index:03d}", world.team, owner=world.manager, months=14)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.directorate)
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("snapshot-detail", kwargs={"pk": snapshot.pk}))
    assert len(response.context["rows"]) == count
    return len(queries)


@pytest.mark.django_db
def test_snapshot_page_queries_do_not_grow_with_rows(world, client):
    one = _snapshot_queries(world, client, 1)
    from indicators.models import Indicator

    Indicator.objects.all().delete()
    Snapshot.objects.all().delete()
    assert _snapshot_queries(world, client, 50) == one
