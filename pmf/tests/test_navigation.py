"""The main navigation marks exactly one entry as the current page."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from pmf.context_processors import navigation


def _current(user, path: str) -> list[str]:
    request = RequestFactory().get(path)
    request.user = user
    return [item["label"] for item in navigation(request)["nav_items"] if item["current"]]


@pytest.mark.parametrize(
    ("url_name", "kwargs", "expected"),
    [
        ("indicator-monthly-update", {}, ["Monthly update"]),
        ("indicator-list", {}, ["Indicators"]),
        ("indicator-detail", {"pk": 1}, ["Indicators"]),
        ("snapshot-list", {}, ["Snapshots"]),
        ("snapshot-detail", {"pk": 1}, ["Snapshots"]),
        ("scorecard-list", {}, ["Scorecards"]),
        ("scorecard-detail", {"pk": 1}, ["Scorecards"]),
        ("home", {}, ["My work"]),
    ],
)
def test_one_navigation_entry_is_current(world, url_name, kwargs, expected):
    assert _current(world.manager, reverse(url_name, kwargs=kwargs)) == expected


def test_monthly_update_page_marks_only_monthly_update(world, client_for):
    html = client_for(world.manager).get(reverse("indicator-monthly-update")).content.decode()
    assert html.count('aria-current="page"') == 1
    assert 'aria-current="page">Monthly update</a>' in html
