"""Approvals and target review when a large organisation fills them: paged, counted cheaply, in a
constant number of queries."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cycle import chase
from indicators import approvals as approval_backlog
from indicators import rules
from indicators.models import Measurement
from indicators.tests.factories import team_indicator
from indicators.views import FLAGS_PAGE_SIZE, PAGE_SIZE
from pmf import periods
from pmf.paging import CappedPaginator

START = datetime.date(2024, 1, 1)


def _values(indicator, months, status, start=START, value=D("91")):
    Measurement.objects.bulk_create(
        [
            Measurement(indicator=indicator, period=periods.add_months(start, n), value=value, status=status)
            for n in range(months)
        ]
    )


def _get(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, len(queries)


def test_a_capped_paginator_counts_at_most_its_cap(world):
    indicator = team_indicator(world)
    _values(indicator, 7, rules.GREEN)
    values = Measurement.objects.order_by("period").values_list("pk", flat=True)
    capped = CappedPaginator(values, 2, cap=5)
    assert (capped.count, capped.more, capped.num_pages) == (5, True, 3)
    assert len(capped.get_page(99).object_list) == 1  # the fifth value, the last one offered
    exact = CappedPaginator(values, 2, cap=7)
    assert (exact.count, exact.more, exact.num_pages) == (7, False, 4)


@pytest.fixture(params=["few PIs", "thousands of PIs"])
def scope(request, monkeypatch):
    """Both ways of reading the backlog: from the person's PIs, and walking the index of values."""
    if request.param == "thousands of PIs":
        monkeypatch.setattr(approval_backlog, "WIDE_SCOPE", 1)
    return request.param


def test_approvals_list_newest_period_first_a_page_at_a_time(world, client_for, scope):
    first = team_indicator(world, code="AAA")
    second = team_indicator(world, code="BBB")
    _values(first, 60, rules.GREEN)
    _values(second, 60, rules.GREEN)
    Measurement.objects.filter(indicator=second, period=START).update(approved_at=datetime.datetime.now(datetime.UTC))
    client = client_for(world.manager)
    response, _ = _get(client, reverse("indicator-approvals"))
    page = response.context["page"]
    assert page.paginator.count == 119 and not page.paginator.more
    shown = [(m.indicator.code, m.period) for m in page.object_list]
    newest = periods.add_months(START, 59)
    assert len(shown) == PAGE_SIZE
    assert shown[:3] == [("BBB", newest), ("AAA", newest), ("BBB", periods.add_months(newest, -1))]
    assert "119 values waiting" in response.content.decode()
    response, _ = _get(client, reverse("indicator-approvals"), {"page": "2"})
    last = [(m.indicator.code, m.period) for m in response.context["page"].object_list]
    assert len(last) == 19 and last[-1] == ("AAA", START)


def test_approvals_say_when_the_backlog_is_larger_than_the_count_shown(world, client_for, monkeypatch, scope):
    monkeypatch.setattr(approval_backlog, "COUNTED", 50)
    _values(team_indicator(world, code="AAA"), 60, rules.GREEN)
    response, _ = _get(client_for(world.manager), reverse("indicator-approvals"))
    assert response.context["page"].paginator.more
    assert "More than 50 values waiting; the newest 50 are listed, newest period first" in response.content.decode()


def test_approvals_cost_the_same_queries_for_one_value_and_for_pages(world, client_for, scope):
    client = client_for(world.manager)
    _values(team_indicator(world, code="ONE"), 1, rules.GREEN)
    response, one = _get(client, reverse("indicator-approvals"))
    assert len(response.context["page"].object_list) == 1
    for number in range(5):
        _values(team_indicator(world, code=f"M{number}"), 50, rules.GREEN)
    response, many = _get(client, reverse("indicator-approvals"), {"page": "2"})
    assert len(response.context["page"].object_list) == PAGE_SIZE
    assert many == one


def _flagged(world, count, prefix, status):
    made = []
    for number in range(count):
        indicator = team_indicator(world, code=f"{prefix}{number:03d}")
        _values(indicator, 6, status)
        made.append(indicator)
    last = periods.add_months(START, 5)
    for indicator in made:
        indicator.latest_period, indicator.latest_status = last, status
        indicator.save(update_fields=["latest_period", "latest_status"])
    return made


def test_target_review_pages_each_list(world, client_for):
    _flagged(world, FLAGS_PAGE_SIZE + 1, "G", rules.GREEN)
    _flagged(world, 2, "R", rules.RED)
    mixed = team_indicator(world, code="MIX")
    _values(mixed, 6, rules.RED)
    Measurement.objects.filter(indicator=mixed, period=periods.add_months(START, 2)).update(status=rules.GREEN)
    mixed.latest_period, mixed.latest_status = periods.add_months(START, 5), rules.RED
    mixed.save(update_fields=["latest_period", "latest_status"])
    client = client_for(world.manager)
    response, _ = _get(client, reverse("indicator-target-flags"))
    assert [ind.code for ind, _, _ in response.context["beaten"]] == [f"G{n:03d}" for n in range(FLAGS_PAGE_SIZE)]
    assert [ind.code for ind, _, _ in response.context["missed"]] == ["R000", "R001"]
    assert response.context["beaten_page"].paginator.count == FLAGS_PAGE_SIZE + 1
    html = response.content.decode()
    assert "51 PIs; 1 to 50 shown" in html and "?beaten_page=2" in html
    response, _ = _get(client, reverse("indicator-target-flags"), {"beaten_page": "2"})
    assert [ind.code for ind, _, _ in response.context["beaten"]] == [f"G{FLAGS_PAGE_SIZE:03d}"]
    assert [ind.code for ind, _, _ in response.context["missed"]] == ["R000", "R001"]
    response, _ = _get(client, reverse("indicator-target-flags"), {"run": "3"})
    assert [ind.code for ind, _, _ in response.context["missed"]] == ["MIX", "R000", "R001"]


def test_target_review_costs_the_same_queries_for_one_pi_and_for_pages(world, client_for):
    client = client_for(world.manager)
    _flagged(world, 1, "G", rules.GREEN)
    response, one = _get(client, reverse("indicator-target-flags"))
    assert len(response.context["beaten"]) == 1
    _flagged(world, 2 * FLAGS_PAGE_SIZE, "H", rules.GREEN)
    _flagged(world, 60, "R", rules.RED)
    response, many = _get(client, reverse("indicator-target-flags"), {"beaten_page": "2"})
    assert len(response.context["beaten"]) == FLAGS_PAGE_SIZE and len(response.context["missed"]) == FLAGS_PAGE_SIZE
    assert many == one


def test_my_work_counts_the_values_waiting_as_the_approvals_page_does(world, client_for, monkeypatch, scope):
    _values(team_indicator(world, code="AAA"), 3, rules.GREEN)
    client = client_for(world.manager)
    assert "<strong>3</strong> values waiting for your approval" in client.get(reverse("home")).content.decode()
    monkeypatch.setattr(approval_backlog, "COUNTED", 2)
    html = client.get(reverse("home")).content.decode()
    assert "<strong>More than 2</strong> values waiting for your approval" in html


def test_my_work_deadlines_count_what_the_chase_would_list(world):
    month = chase.reporting_month(timezone.localdate())
    team_indicator(world, code="MIS")
    Measurement.objects.create(indicator=team_indicator(world, code="WAI"), period=month, value=D("91"))
    for person, owed in ((world.updater, (1, 0)), (world.manager, (0, 1))):
        listed = (
            len(chase.missing_values(month, person=person)),
            len(chase.awaiting_approval(month, person=person)),
        )
        assert chase.count_owed(month, person=person) == listed == owed
