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
    ("text", "expected"),
    [
        ("2025-10", datetime.date(2025, 10, 1)),
        ("2025-10-17", datetime.date(2025, 10, 1)),
        ("2025-13", None),
        ("99999999999999999999-01", None),
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
