import datetime

import pytest

from indicators import monthly
from indicators.models import Indicator

D = datetime.date


@pytest.mark.parametrize(
    ("frequency", "month", "expected"),
    [
        ("monthly", D(2025, 1, 1), D(2025, 1, 1)),
        ("quarterly", D(2025, 6, 1), D(2025, 4, 1)),  # Q1 of 2025/26 ends in June
        ("quarterly", D(2025, 5, 1), None),
        ("quarterly", D(2025, 3, 1), D(2025, 1, 1)),
        ("annual", D(2026, 3, 1), D(2025, 4, 1)),  # the financial year ends in March
        ("annual", D(2025, 12, 1), None),
    ],
)
def test_pis_are_due_in_the_month_their_period_ends(frequency, month, expected):
    assert monthly.due_period(Indicator(frequency=frequency), month) == expected


def test_reporting_month_is_last_month_and_values_are_due_on_the_14th():
    assert monthly.reporting_month(D(2026, 1, 9)) == D(2025, 12, 1)
    assert monthly.deadline(D(2025, 12, 1)) == D(2026, 1, 14)
