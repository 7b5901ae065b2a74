import datetime
from decimal import Decimal as D

import pytest

from scorecards import status


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], [0, 0, 0, 0, 0]),
        (["green", "green", "red"], [2, 0, 1, 0, 0]),
        (["amber", "data", "unknown", "bogus"], [0, 1, 0, 1, 2]),
    ],
)
def test_status_counts_cover_every_status_in_order(statuses, expected):
    counts = status.status_counts(statuses)
    assert [label for _, label, _ in counts] == ["On target", "Within tolerance", "Off target", "Data only", "Unknown"]
    assert [count for _, _, count in counts] == expected


@pytest.mark.parametrize(
    ("values", "points"),
    [
        ([], ""),
        ([D(5)], ""),
        ([D(1), D(3)], "2.0,22.0 94.0,2.0"),
        ([D(2), D(2), D(2)], "2.0,12.0 48.0,12.0 94.0,12.0"),
        ([D(4), None, D(0)], "2.0,2.0 94.0,22.0"),
    ],
)
def test_sparkline_points_scale_into_the_box(values, points):
    assert status.sparkline_points(values) == points


def test_previous_year_values_take_the_twelve_months_before_the_latest():
    latest = datetime.date(2025, 9, 1)
    rows = [(datetime.date(2025, 8, 1), D(8)), (datetime.date(2024, 9, 1), D(9)), (datetime.date(2024, 8, 1), D(7))]
    assert status.previous_year_values(rows, latest) == [D(8), D(9)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10", datetime.date(2025, 10, 1)),
        ("2025-10-17", datetime.date(2025, 10, 1)),
        ("2025-13", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_period(text, expected):
    assert status.parse_period(text) == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (D("1.50"), D("1.5"), False),
        (D(1), D(2), True),
        (None, D(1), True),
        (D(1), None, True),
        (None, None, False),
    ],
)
def test_changed_compares_values_not_their_scale(old, new, expected):
    assert status.changed(old, new) is expected
